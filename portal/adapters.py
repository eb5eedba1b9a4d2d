"""django-allauth adapter: after log-in, land on the dashboard in the user's own language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        language = getattr(request.user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            return reverse("dashboard")
