"""The digest emailed to municipal staff: the new and the overdue cases of their municipalities,
one email per person, sent daily by the ``surveys.tasks.send_digests`` task (Celery beat) or by
``manage.py send_digests``."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from municipalities.models import MunicipalStaff
from portal.notifications import send_emails
from surveys.models import Expectation, ExpectationStatus

# How many cases of each list a digest names; the rest are counted.
LISTED = 10
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass
class DigestCase:
    """One listed case: what the staff need to recognise it."""

    pk: int
    rank: int | None
    title: str
    ngo_name: str
    days_waiting: int


@dataclass
class MunicipalityDigest:
    """The new and overdue cases of one municipality, counted, with the first few listed."""

    municipality: object
    new_count: int = 0
    new_cases: list[DigestCase] = field(default_factory=list)
    overdue_count: int = 0
    overdue_cases: list[DigestCase] = field(default_factory=list)

    @property
    def new_unlisted(self) -> int:
        return self.new_count - len(self.new_cases)

    @property
    def overdue_unlisted(self) -> int:
        return self.overdue_count - len(self.overdue_cases)

    @property
    def is_empty(self) -> bool:
        return not (self.new_count or self.overdue_count)


@dataclass
class Digest:
    """What one member of staff is told, per municipality they work for (empty ones left out)."""

    municipalities: list[MunicipalityDigest]

    @property
    def new_count(self) -> int:
        return sum(m.new_count for m in self.municipalities)

    @property
    def overdue_count(self) -> int:
        return sum(m.overdue_count for m in self.municipalities)

    @property
    def is_empty(self) -> bool:
        return not self.municipalities


def _new_cases(municipality_ids, since):
    """Cases submitted since ``since``, or referred to these municipalities since then."""
    return (
        Expectation.objects.cases()
        .filter(municipality__in=municipality_ids)
        .filter(
            Q(submission__submitted_at__gte=since)
            | Q(status=ExpectationStatus.REFERRED, status_changed_at__gte=since)
        )
    )


def _first_cases(queryset, order_by):
    """The first ``LISTED`` cases of each municipality, each row carrying its municipality's
    total: one query, whatever the number of municipalities and cases (the window functions
    are computed before the position filter)."""
    return list(
        queryset.select_related("submission__ngo")
        .annotate(
            position=Window(RowNumber(), partition_by=[F("municipality_id")], order_by=order_by),
            total=Window(Count("pk"), partition_by=[F("municipality_id")]),
        )
        .filter(position__lte=LISTED)
        .order_by("municipality_id", "position")
    )


def _listed(case, now) -> DigestCase:
    return DigestCase(
        pk=case.pk,
        rank=case.rank,
        title=case.title,
        ngo_name=case.submission.ngo.name,
        days_waiting=max((now - case.submission.submitted_at).days, 0),
    )


def digest_for(user, *, since, now=None) -> Digest:
    """The new cases (submitted or referred in since ``since``) and the overdue cases of each
    municipality the user works for, in three queries whatever the number of cases. New cases
    are listed by rank, overdue ones longest-waiting first."""
    now = now or timezone.now()
    municipalities = [
        staff.municipality
        for staff in MunicipalStaff.objects.filter(user=user)
        .select_related("municipality")
        .order_by("municipality__name_sort")
    ]
    digests = {m.pk: MunicipalityDigest(municipality=m) for m in municipalities}
    if not digests:
        return Digest(municipalities=[])
    new = _first_cases(
        _new_cases(list(digests), since),
        [F("rank").asc(), F("submission__submitted_at").asc(), F("pk").asc()],
    )
    overdue = _first_cases(
        Expectation.objects.overdue(now).filter(municipality__in=list(digests)),
        [F("submission__submitted_at").asc(), F("rank").asc(), F("pk").asc()],
    )
    for case in new:
        digest = digests[case.municipality_id]
        digest.new_count = case.total
        digest.new_cases.append(_listed(case, now))
    for case in overdue:
        digest = digests[case.municipality_id]
        digest.overdue_count = case.total
        digest.overdue_cases.append(_listed(case, now))
    return Digest(municipalities=[d for d in digests.values() if not d.is_empty])


def _base_url() -> str:
    return getattr(settings, "PORTAL_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def _compose(user, digest: Digest, *, since, now) -> tuple[str, str]:
    """The subject and body of one digest, in the user's language."""
    base_url = _base_url()
    with translation.override(user.preferred_language):
        subject = ngettext(
            "Municipality–NGO Portal: %(new)s new and %(overdue)s overdue case",
            "Municipality–NGO Portal: %(new)s new and %(overdue)s overdue cases",
            digest.overdue_count,
        ) % {"new": digest.new_count, "overdue": digest.overdue_count}
        body = render_to_string(
            "emails/digest.txt",
            {
                "recipient": user,
                "digest": digest,
                "since": since,
                "now": now,
                "overdue_days": settings.REVIEW_OVERDUE_DAYS,
                "inbox_url": base_url + reverse("surveys:inbox"),
                "preferences_url": base_url + reverse("email_preferences"),
            },
        )
    return subject, body


def digests_send(*, since, now=None, dry_run=False) -> tuple[int, int]:
    """Email each active member of municipal staff who wants the digest (EmailPreferences.digest
    not turned off) and has new or overdue cases ONE digest covering all their municipalities.
    Returns (sent, skipped): skipped are staff who turned the digest off or had nothing to
    report. The digests go to the outbox as one batch (one task, one connection to the mail
    server, retried: see portal/mail.py). With ``dry_run`` nothing is sent and ``sent`` counts
    the digests that would have been. Side effects: emails only."""
    now = now or timezone.now()
    staff = (
        get_user_model()
        .objects.filter(is_active=True, municipal_roles__isnull=False)
        .distinct()
        .order_by("pk")
    )
    refused = set(staff.filter(email_preferences__digest=False).values_list("pk", flat=True))
    emails, skipped = [], 0
    for user in staff:
        if user.pk in refused:
            skipped += 1
            continue
        digest = digest_for(user, since=since, now=now)
        if digest.is_empty:
            skipped += 1
            continue
        subject, body = _compose(user, digest, since=since, now=now)
        emails.append((subject, body, user.email))
    if dry_run:
        return len(emails), skipped
    return send_emails(emails), skipped
