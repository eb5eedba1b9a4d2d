"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from portal.access import roles_of
from portal.models import Notification

_UNREAD_ATTR = "_portal_unread_notifications"


def _unread_notifications(request) -> int:
    """One query: the user's unread notifications (0 for anonymous users, without a query).
    Kept on the request, as roles are kept on the user, so that rendering several templates in
    one request costs one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    count = getattr(request, _UNREAD_ATTR, None)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        setattr(request, _UNREAD_ATTR, count)
    return count


def navigation(request):
    """The current user's roles and unread notification count, computed only if a template
    asks for them."""
    return {
        "roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None))),
        "unread_notifications": SimpleLazyObject(lambda: _unread_notifications(request)),
    }
