"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from portal.access import roles_of


def navigation(request):
    """The current user's roles, computed only if a template asks for them."""
    return {"roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None)))}
