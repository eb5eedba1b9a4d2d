"""The figures each dashboard opens with: what its user acts on next. Reads only; every
function runs a fixed number of aggregate queries, whatever the amount of data."""

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from events.models import Event, EventState
from ngos.models import NGO
from surveys.models import Campaign, Expectation, ExpectationStatus, Submission, SubmissionStatus

NEXT_PROGRAMMES = 3
OVERDUE_PROVINCES = 5

_OPEN = ~Q(status__in=[ExpectationStatus.COMPLETED, ExpectationStatus.DECLINED])


def ngo_case_counts(ngo_ids) -> dict:
    """{ngo id: {"open": …, "awaiting_confirmation": …}} for the given NGOs' cases: one query.
    Awaiting confirmation: completed by the municipality, not yet confirmed by the NGO."""
    rows = (
        Expectation.objects.cases()
        .filter(submission__ngo__in=ngo_ids)
        .order_by()
        .values("submission__ngo")
        .annotate(
            open=Count("pk", filter=_OPEN),
            awaiting_confirmation=Count(
                "pk",
                filter=Q(status=ExpectationStatus.COMPLETED, ngo_confirmed_at__isnull=True),
            ),
        )
    )
    return {
        row["submission__ngo"]: {
            "open": row["open"],
            "awaiting_confirmation": row["awaiting_confirmation"],
        }
        for row in rows
    }


def municipal_case_counts(user) -> dict:
    """New, overdue and assigned-to-the-user (open) cases of the user's municipalities, and all
    open ones: one query. Overdue as ``ExpectationQuerySet.overdue`` says."""
    limit = timezone.now() - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
    overdue = _OPEN & Q(first_answered_at__isnull=True, submission__submitted_at__lt=limit)
    return Expectation.objects.in_inbox_of(user).aggregate(
        new=Count("pk", filter=Q(status=ExpectationStatus.NEW)),
        overdue=Count("pk", filter=overdue),
        assigned_to_me=Count("pk", filter=_OPEN & Q(assigned_to=user)),
        open=Count("pk", filter=_OPEN),
    )


def campaign_participation(user) -> list[dict]:
    """For each open campaign: the verified NGOs in the campaign's scope that the user
    coordinates, how many of them submitted, and the rate. Three queries for any number of
    campaigns: the campaigns, the NGOs by sub-region, the submissions by campaign and
    sub-region."""
    campaigns = list(
        Campaign.objects.open_at().prefetch_related("subregions").order_by("closes_at", "pk")
    )
    if not campaigns:
        return []
    ngos = dict(
        NGO.objects.verified()
        .coordinated_by(user)
        .order_by()
        .values_list("province__subregion")
        .annotate(n=Count("pk"))
    )
    submitted = {
        (campaign, subregion): n
        for campaign, subregion, n in Submission.objects.filter(
            campaign__in=campaigns,
            status=SubmissionStatus.SUBMITTED,
            ngo__in=NGO.objects.verified().coordinated_by(user),
        )
        .order_by()
        .values_list("campaign", "ngo__province__subregion")
        .annotate(n=Count("pk"))
    }
    rows = []
    for campaign in campaigns:
        covered = [s for s in ngos if campaign.covers_subregion(s)]
        in_scope = sum(ngos[s] for s in covered)
        done = sum(submitted.get((campaign.pk, s), 0) for s in covered)
        rows.append(
            {
                "campaign": campaign,
                "ngos": in_scope,
                "submitted": done,
                "rate": round(100 * done / in_scope) if in_scope else None,
            }
        )
    return rows


def overdue_by_province(user, limit=OVERDUE_PROVINCES) -> list[dict]:
    """The provinces with the most overdue cases in the user's scope, most first: one query."""
    return list(
        Expectation.objects.coordinated_by(user)
        .overdue()
        .order_by()
        .values("municipality__province", "municipality__province__name")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", "municipality__province__name_sort")[:limit]
    )


def next_programmes(user, limit=NEXT_PROGRAMMES) -> list[Event]:
    """The next planned programmes of the sub-regions the user coordinates: one query."""
    return list(
        Event.objects.coordinated_by(user)
        .filter(starts_at__gte=timezone.now(), state=EventState.PLANNED)
        .select_related("host_province", "subregion")
        .order_by("starts_at", "pk")[:limit]
    )
