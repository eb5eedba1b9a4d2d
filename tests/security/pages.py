"""The main pages of the portal per demo account, shared by the header and CSRF tests."""

import itertools

from django.urls import reverse
from django.utils import translation

from events.models import Event
from ngos.models import Membership
from surveys.models import Campaign, Expectation

_receipts = itertools.count(1)


def main_pages() -> list[tuple[str | None, str]]:
    """(demo account email or None for anonymous, English URL) of every main page."""
    ngo = Membership.objects.select_related("ngo").get(user__email="ngo@demo.test").ngo
    campaign = Campaign.objects.get(code="2025")
    event = Event.objects.order_by("starts_at").first()
    case = (
        Expectation.objects.filter(municipality__staff__user__email="municipality@demo.test")
        .order_by("pk")
        .first()
    )
    own_case = Expectation.objects.cases().filter(submission__ngo=ngo).order_by("pk").first()
    with translation.override("en"):
        return [
            (None, reverse("home")),
            (None, reverse("ngos:list")),
            (None, reverse("ngos:detail", args=[ngo.slug])),
            (None, reverse("municipalities:list")),
            (None, reverse("municipalities:detail", args=["erzurum-bb"])),
            (None, reverse("events:list")),
            (None, reverse("events:detail", args=[event.slug])),
            (None, reverse("privacy")),
            (None, reverse("account_login")),
            (None, reverse("account_signup")),
            ("ngo@demo.test", reverse("dashboard")),
            ("ngo@demo.test", reverse("surveys:submission_edit", args=[campaign.code, ngo.slug])),
            ("ngo@demo.test", reverse("surveys:my_expectations")),
            ("ngo@demo.test", reverse("notifications")),
            ("ngo@demo.test", reverse("profile")),
            ("ngo@demo.test", reverse("account_delete")),
            ("municipality@demo.test", reverse("dashboard")),
            ("municipality@demo.test", reverse("surveys:inbox")),
            ("municipality@demo.test", reverse("surveys:case", args=[case.pk])),
            ("municipality@demo.test", reverse("surveys:answer_templates")),
            (
                "municipality@demo.test",
                reverse("municipalities:contacts_edit", args=["erzurum-bb"]),
            ),
            ("ngo@demo.test", reverse("surveys:my_expectation", args=[own_case.pk])),
            ("regional@demo.test", reverse("dashboard")),
            ("regional@demo.test", reverse("reports:subregion", args=["14"])),
            ("coordinator@demo.test", reverse("dashboard")),
            ("coordinator@demo.test", reverse("reports:index")),
            ("coordinator@demo.test", reverse("ngos:verification_queue")),
            ("coordinator@demo.test", reverse("surveys:campaign_list")),
            ("coordinator@demo.test", reverse("events:checkin", args=[event.slug])),
            ("admin@demo.test", reverse("dashboard")),
        ]


def submitted_case(*, ngo=None, municipality=None, **fields):
    """An item of a submitted submission (a case in the municipality's inbox)."""
    from django.utils import timezone

    from surveys.models import Submission
    from tests.factories import NGOFactory
    from tests.surveys.factories import ExpectationFactory, SubmissionFactory

    submission = SubmissionFactory(
        ngo=ngo or NGOFactory(),
        status=Submission.Status.SUBMITTED,
        receipt_number=f"S-{next(_receipts):06d}",
        submitted_at=timezone.now(),
    )
    if municipality is not None:
        fields["municipality"] = municipality
    return ExpectationFactory(submission=submission, **fields)
