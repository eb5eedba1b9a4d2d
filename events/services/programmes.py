"""Programmes: saving one with its speakers and agenda, and what its pages show beside it (the
sub-region's top expectations, the check-in's summary for the minutes)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.urls import reverse

from events.models import Event, ProgrammeChange, Registration
from events.services.changes import (
    programme_change_audience,
    programme_changes,
    programme_revise,
    programme_snapshot,
)
from municipalities.models import SubRegion
from portal.access import roles_of
from portal.turkish import sort_key
from reports.services.figures import Scope, borda
from reports.services.tables import category_label
from surveys.models import Expectation

TOP_EXPECTATIONS = 5


# Kept by their own services, never written from the programme form's copy.
NOT_FROM_FORM = ("seats_taken", "created_by", "created_at", "sequence", "revised_at")


@dataclass(frozen=True)
class ProgrammeSaved:
    """What ``programme_save`` did: the programme, the change its registrants are being told
    about (None when nothing they must hear of changed) and how many people that is."""

    event: Event
    change: ProgrammeChange | None = None
    told: int = 0


@transaction.atomic
def programme_save(*, form, speakers, agenda, by, base_url: str = "") -> ProgrammeSaved:
    """Save the programme, then its speakers, then its agenda (which refers to speakers).

    Side effects: creates or updates the Event (slug chosen on creation), and creates, updates
    and deletes its Speaker and AgendaItem rows. When the time, place or agenda of an existing
    programme changed, or it was cancelled (or reinstated), raises its calendar revision and
    has its registrants told after the commit (events.services.changes.programme_revise).
    Returns the programme with that change and the number of people being told.
    """
    event = form.save(commit=False)
    before = None
    if event.pk is None:
        event.created_by = by
        event.save()
    else:
        # Never write seats_taken from the form's copy: registrations change it concurrently.
        # The row lock orders this save after any registration in flight; the database check
        # (seats_taken <= capacity) refuses a capacity below the seats taken meanwhile.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        before = programme_snapshot(event.pk)
        event.save(
            update_fields=[
                f.name
                for f in Event._meta.concrete_fields
                if not f.primary_key and f.name not in NOT_FROM_FORM
            ]
        )
    # Speakers removed in this same form cannot stay on agenda items chosen before the removal.
    removed = [f.instance.pk for f in speakers.deleted_forms if f.instance.pk]
    for formset in (speakers, agenda):
        formset.instance = event
    speakers.save()
    if removed:
        for item_form in agenda.forms:
            chosen = item_form.cleaned_data.get("speakers")
            if chosen is not None:
                item_form.cleaned_data["speakers"] = chosen.exclude(pk__in=removed)
    agenda.save()
    if before is not None:
        kinds = programme_changes(before, programme_snapshot(event.pk))
        if kinds:
            change = programme_revise(event=event, kinds=kinds, by=by, base_url=base_url)
            told = programme_change_audience(event).count()
            return ProgrammeSaved(event=event, change=change, told=told)
    return ProgrammeSaved(event=event)


@transaction.atomic
def programme_minutes_save(*, form, decisions):
    """Save the minutes (which marks the programme held) and their decisions.

    Side effects: updates the Event's minutes and state; creates, updates and deletes its
    ProgrammeDecision rows and their links to cases.
    """
    event = form.save()
    decisions.instance = event
    decisions.save()
    return event


def _readable_cases(user, ids) -> dict[int, str]:
    """Of the case ids, those the user may open, with the page to open each on: staff of the
    addressed municipality and coordinators of its sub-region the case, members of the NGO
    their own expectation. Nobody else learns anything about the cases."""
    if not ids or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    urls = {}
    if roles.ngo_ids:
        for pk in (
            Expectation.objects.of_user_ngos(user).filter(pk__in=ids).values_list("pk", flat=True)
        ):
            urls[pk] = reverse("surveys:my_expectation", kwargs={"pk": pk})
    if roles.municipality_ids or roles.is_coordinator or roles.is_site_admin:
        readable = Expectation.objects.readable_by(user)
        for pk in readable.filter(pk__in=ids).values_list("pk", flat=True):
            urls[pk] = reverse("surveys:case", kwargs={"pk": pk})
    return urls


def programme_decisions(event, user) -> list[dict]:
    """The decisions of the programme's minutes, each with the linked cases the user may open
    (``cases``: (case, url) pairs); the others are not mentioned. Three to five queries."""
    decisions = list(
        event.decisions.order_by("order", "pk").prefetch_related(
            Prefetch("cases", queryset=Expectation.objects.order_by("pk"))
        )
    )
    ids = {case.pk for decision in decisions for case in decision.cases.all()}
    urls = _readable_cases(user, ids)
    return [
        {
            "decision": decision,
            "cases": [(case, urls[case.pk]) for case in decision.cases.all() if case.pk in urls],
        }
        for decision in decisions
    ]


def top_expectations(event, *, limit=TOP_EXPECTATIONS):
    """The sub-region's top expectation categories in the linked campaign: the reports' Borda
    ranking (``reports.services.figures.borda``, the same list as the sub-region's report, ties
    broken the same way) over the submitted answers of verified NGOs of the sub-region; one
    aggregate query."""
    if event.campaign_id is None:
        return []
    # Only the sub-region's key is read: an unsaved stand-in costs no query.
    scope = Scope(subregion=SubRegion(pk=event.subregion_id))
    return [
        {
            "code": row["category__code"],
            "label": category_label(row),
            "score": row["score"],
            "mentions": row["mentions"],
            "first_rank": row["first_rank"],
        }
        for row in borda(event.campaign, scope, limit=limit)
    ]


def attended_summary(event) -> dict:
    """Initial minutes from the check-in: the number of attendees and the distinct names of
    the organisations they came for, in Turkish order (two queries)."""
    attended = Registration.objects.filter(event=event, status=Registration.Status.ATTENDED)
    names = attended.annotate(organisation_name=Coalesce("ngo__name", "municipality__name"))
    organisations = set(names.values_list("organisation_name", flat=True))
    return {
        "attendees": attended.count(),
        "organisations": sorted(organisations - {None}, key=sort_key),
    }
