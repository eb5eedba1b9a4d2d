"""The demo's people: one password for every demo account, and the builder of a demo user."""

from allauth.account.models import EmailAddress
from django.conf import settings

from portal.models import PrivacyAcknowledgement, User

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 (published demo password, see README)


def demo_user(email, full_name, *, staff=False):
    """The user with this address (created with the demo password when missing), whose address
    is verified, so the account can log in at once."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    # Demo people have read the current privacy notice, as everyone does at sign-up.
    PrivacyAcknowledgement.objects.get_or_create(user=user, version=settings.PRIVACY_NOTICE_VERSION)
    return user
