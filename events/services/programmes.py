"""Programmes: saving one with its speakers and agenda, and what its pages show beside it (the
sub-region's top expectations, the check-in's summary for the minutes)."""

from django.db import transaction
from django.db.models.functions import Coalesce

from events.models import Event, Registration
from municipalities.models import SubRegion
from portal.turkish import sort_key
from reports.services.figures import Scope, borda
from reports.services.tables import category_label

TOP_EXPECTATIONS = 5


@transaction.atomic
def programme_save(*, form, speakers, agenda, by):
    """Save the programme, then its speakers, then its agenda (which refers to speakers).

    Side effects: creates or updates the Event (slug chosen on creation), and creates, updates
    and deletes its Speaker and AgendaItem rows.
    """
    event = form.save(commit=False)
    if event.pk is None:
        event.created_by = by
        event.save()
    else:
        # Never write seats_taken from the form's copy: registrations change it concurrently.
        # The row lock orders this save after any registration in flight; the database check
        # (seats_taken <= capacity) refuses a capacity below the seats taken meanwhile.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        event.save(
            update_fields=[
                f.name
                for f in Event._meta.concrete_fields
                if not f.primary_key and f.name not in ("seats_taken", "created_by", "created_at")
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
    return event


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
