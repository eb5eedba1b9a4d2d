"""Regional programmes: the public list, programme page and calendar file, and the
coordinators' pages to create and edit programmes (with speakers and agenda) and record minutes."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import ExpressionWrapper, F, IntegerField, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from events.filters import EventFilter
from events.forms.programme import (
    AgendaFormSet,
    DecisionFormSet,
    EventForm,
    MinutesForm,
    SpeakerFormSet,
)
from events.models import AgendaItem, Event, ProgrammeChange
from events.services.calendar import MIMETYPE, event_ics
from events.services.programmes import (
    attended_summary,
    programme_decisions,
    programme_minutes_save,
    programme_save,
    top_expectations,
)
from events.services.registrations import event_fill_from_waitlist
from municipalities.models import Municipality
from portal.htmx import render_page
from reports.services.figures import BORDA_METHOD_NOTE
from surveys.models import Expectation

PAGE_SIZE = 20


def _with_seats(queryset):
    """Programmes with what a page shows beside each: place, and the seats still free."""
    return queryset.select_related("subregion", "host_province", "host_municipality").annotate(
        seats_left=ExpressionWrapper(F("capacity") - F("seats_taken"), output_field=IntegerField())
    )


@require_GET
def event_list(request):
    """Upcoming (default) or past programmes, filtered by sub-region and host province."""
    filterset = EventFilter(request.GET, queryset=_with_seats(Event.objects.public()))
    # An invalid filter value shows the form's error and an empty list, never a 500.
    queryset = filterset.qs if filterset.is_valid() else Event.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tabs = {}
    for tab in ("upcoming", "past"):
        tab_query = query.copy()
        tab_query["when"] = tab
        tabs[tab] = tab_query.urlencode()
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "when": filterset.tab,
        "tabs": tabs,
        "can_create": request.user.has_perm("events.add_event"),
    }
    return render_page(request, "events/event_list.html", context)


@require_GET
def event_detail(request, slug):
    """A programme with its agenda, speakers and seats; minutes once held; for its
    coordinators the management links and the sub-region's top expectations."""
    event = get_object_or_404(
        _with_seats(Event.objects.public())
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.prefetch_related("speakers").order_by(
                    "order", "starts_at", "pk"
                ),
            ),
            "speakers",
        ),
        slug=slug,
    )
    can_manage = request.user.has_perm("events.change_event", event)
    context = {
        "event": event,
        "can_manage": can_manage,
        "expectations": (
            top_expectations(event)
            if request.user.has_perm("events.view_top_expectations", event)
            else None
        ),
        "borda_method_note": BORDA_METHOD_NOTE,
        "is_past": event.ends_at < timezone.now(),
        "minutes_organisations": [
            line.strip() for line in event.minutes_organisations.splitlines() if line.strip()
        ],
        "decisions": (
            programme_decisions(event, request.user) if event.state == Event.State.HELD else []
        ),
    }
    return render(request, "events/event_detail.html", context)


@require_GET
def event_calendar(request, slug):
    """The programme as an iCalendar file, to add to any calendar."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    body = event_ics(event, url=request.build_absolute_uri(event.get_absolute_url()))
    response = HttpResponse(body, content_type=MIMETYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


# --- Coordinators: create, edit, minutes -----------------------------------------------------


def _require_coordinator(request):
    if not request.user.has_perm("events.add_event"):
        raise PermissionDenied


def _programme_form(request, event=None):
    """Show the programme form with its speakers and agenda, or save them all together."""
    # Programme times are typed and shown in Türkiye time (settings.TIME_ZONE).
    with timezone.override(timezone.get_default_timezone()):
        data = request.POST if request.method == "POST" else None
        # A copy, so that the page around an invalid form keeps the saved title.
        form = EventForm(data, instance=copy.copy(event) if event else None, user=request.user)
        speakers = SpeakerFormSet(data, instance=event or Event(), prefix="speakers")
        agenda = AgendaFormSet(data, instance=event or Event(), prefix="agenda")
        if data is not None and all(f.is_valid() for f in (form, speakers, agenda)):
            created = event is None
            try:
                result = programme_save(
                    form=form,
                    speakers=speakers,
                    agenda=agenda,
                    by=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except IntegrityError:
                form.add_error(
                    "capacity",
                    _("More seats were taken meanwhile: the capacity cannot be this low."),
                )
            else:
                saved = result.event
                # Seats added by a larger capacity go to the waiting list first.
                event_fill_from_waitlist(
                    event_id=saved.pk, base_url=request.build_absolute_uri("/")
                )
                messages.success(request, _saved_message(result, created=created))
                return redirect(saved)
        context = {"form": form, "speakers": speakers, "agenda": agenda, "event": event}
        return render(request, "events/event_form.html", context)


def _saved_message(result, *, created) -> str:
    """What the coordinator is told after saving: created, saved, or saved (or cancelled) with
    the number of registered and waitlisted people being told of the change."""
    title = {"title": result.event.title}
    if created:
        return _("The programme “%(title)s” has been created.") % title
    if result.change is None:
        return _("The programme “%(title)s” has been saved.") % title
    cancelled = ProgrammeChange.Kind.CANCELLED in result.change.kinds
    if not result.told:
        if cancelled:
            message = _(
                "The programme “%(title)s” has been cancelled; nobody is registered or on the "
                "waiting list to be told."
            )
        else:
            message = _(
                "The programme “%(title)s” has been saved; nobody is registered or on the "
                "waiting list to be told of the change."
            )
        return message % title
    if cancelled:
        message = ngettext(
            "The programme “%(title)s” has been cancelled; the %(count)d person registered or "
            "on the waiting list is being told.",
            "The programme “%(title)s” has been cancelled; the %(count)d people registered or "
            "on the waiting list are being told.",
            result.told,
        )
    else:
        message = ngettext(
            "The programme “%(title)s” has been saved; the %(count)d person registered or on "
            "the waiting list is being told of the change.",
            "The programme “%(title)s” has been saved; the %(count)d people registered or on "
            "the waiting list are being told of the change.",
            result.told,
        )
    return message % {**title, "count": result.told}


@login_required
@require_GET
def place_options(request):
    """The municipality options of a host province (htmx swaps them into the programme form)."""
    _require_coordinator(request)
    try:
        province_id = int(request.GET.get("host_province", ""))
    except ValueError:
        province_id = None
    municipalities = Municipality.objects.filter(province_id=province_id).order_by(
        "kind", "name_sort"
    )
    return render(
        request,
        "events/event_form.html#municipality_options",
        {"municipalities": municipalities},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    """A new programme in one of the sub-regions the coordinator runs."""
    _require_coordinator(request)
    return _programme_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug):
    """Change a programme, its speakers and agenda; cancelling is choosing the state
    "cancelled"."""
    _require_coordinator(request)
    event = get_object_or_404(Event.objects.coordinated_by(request.user), slug=slug)
    return _programme_form(request, event)


@login_required
@require_http_methods(["GET", "POST"])
def event_minutes(request, slug):
    """Record the minutes of a programme, prefilled from the check-in, and mark it held."""
    _require_coordinator(request)
    event = get_object_or_404(
        Event.objects.coordinated_by(request.user).select_related("subregion"), slug=slug
    )
    attended = attended_summary(event)
    cases = Expectation.objects.coordinated_by(request.user)
    data = request.POST if request.method == "POST" else None
    decisions = DecisionFormSet(data, instance=event, prefix="decisions", cases=cases)
    if data is not None:
        form = MinutesForm(data, instance=event)
        if form.is_valid() and decisions.is_valid():
            programme_minutes_save(form=form, decisions=decisions)
            messages.success(
                request,
                _("The minutes of “%(title)s” have been saved; the programme is marked held.")
                % {"title": event.title},
            )
            return redirect(event)
    else:
        initial = {}
        if event.minutes_attendees is None:
            initial["minutes_attendees"] = attended["attendees"]
        if not event.minutes_organisations:
            initial["minutes_organisations"] = "\n".join(attended["organisations"])
        form = MinutesForm(instance=event, initial=initial)
    return render(
        request,
        "events/event_minutes_form.html",
        {"event": event, "form": form, "decisions": decisions, "attended": attended},
    )
