"""Former web addresses of renamed NGOs: their pages redirect permanently to the new address."""

import functools

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

from ngos.models import NGO
from ngos.services.addresses import ngo_current_slug


def follow_former_address(view):
    """Wrap a view of an NGO's page (``slug`` in its URL): when no NGO has the slug but a
    renamed NGO had it, a GET is redirected (301) to the same page at the NGO's current
    address, query string included. Only for people who may see the NGO: anyone else gets the
    404, so an old address tells them nothing about an unverified NGO."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if request.method not in ("GET", "HEAD"):
                raise
            found = ngo_current_slug(kwargs.get("slug", ""))
            if found is None:
                raise
            ngo_id, slug = found
            if not NGO.objects.visible_to(request.user).filter(pk=ngo_id).exists():
                raise
            match = request.resolver_match
            # captured_kwargs: the URL's own values, not the extra options some patterns pass.
            url = reverse(
                match.view_name, args=match.args, kwargs={**match.captured_kwargs, "slug": slug}
            )
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

    return wrapper
