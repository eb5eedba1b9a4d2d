"""The user's in-app notifications and their choice of emails."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import roles_of
from portal.forms.notifications import EmailPreferencesForm
from portal.models import EmailPreferences, Notification

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request):
    """The user's notifications, newest first, unread ones highlighted."""
    queryset = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one notification read, then follow its link when it stays on this site."""
    notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications")


@require_POST
@login_required
def notifications_read_all(request):
    """Mark every unread notification of the user read."""
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    """Which emails the user gets, among the kinds that concern their roles."""
    roles = roles_of(request.user)
    if request.method == "POST":
        # The row is created on the first save only: GET never writes.
        preferences, _created = EmailPreferences.objects.get_or_create(user=request.user)
        form = EmailPreferencesForm(request.POST, instance=preferences, roles=roles)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your email preferences have been saved."))
            return redirect("email_preferences")
    else:
        preferences = EmailPreferences.objects.filter(user=request.user).first()
        form = EmailPreferencesForm(
            instance=preferences or EmailPreferences(user=request.user), roles=roles
        )
    return render(request, "portal/email_preferences.html", {"form": form})
