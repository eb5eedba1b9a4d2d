"""Response headers the portal adds to every page."""

from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """A page served to a logged-in user (and so every export and the my-data download) is
    private to that user: ``Cache-Control: no-store, private`` keeps it out of shared proxies and
    the browser's disk cache, so a later user of the same computer cannot read it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
