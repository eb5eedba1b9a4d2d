"""Who hears of what happens to an NGO (its administrators, its coordinators) and how a message
is queued for each of them in their own language. Used by onboarding and identity changes."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from ngos.models import NGO, Membership
from portal.models import CoordinatorAssignment


def mail_subject(text: str) -> str:
    return f"{getattr(settings, 'ACCOUNT_EMAIL_SUBJECT_PREFIX', '')}{text}"


def absolute_url(base_url: str, view_name: str, *args) -> str:
    """A link in the language that is active (each recipient's own, see ``mail_each``)."""
    return f"{base_url.rstrip('/')}{reverse(view_name, args=args)}"


def mail_each(recipients, compose) -> int:
    """Queue one message per user, in that user's preferred language, as one batch of the
    outbox (sent with retries, see portal/mail.py); return how many were queued.

    ``compose(user)`` returns ``(subject, body)``.
    """
    messages = []
    for user in recipients:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject, body = compose(user)
        messages.append(EmailMessage(mail_subject(subject), body, None, [user.email]))
    return get_connection().send_messages(messages) if messages else 0


def ngo_coordinators(ngo: NGO) -> list:
    """Active users who coordinate the NGO's sub-region, and the national coordinators."""
    assignments = (
        CoordinatorAssignment.objects.filter(
            Q(subregion_id=ngo.province.subregion_id) | Q(subregion__isnull=True),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__email")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def ngo_admins(ngo: NGO) -> list:
    """Active users who administer the NGO."""
    memberships = Membership.objects.filter(
        ngo=ngo, role=Membership.Role.ADMIN, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships]
