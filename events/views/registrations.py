"""Registration for a programme (NGO members and municipal staff), and the coordinators' check-in
list, printable sign-in sheet and attendee exports.

Who sees what: registering and cancelling act on the logged-in user's own registration. The
check-in pages are for coordinators of the programme's sub-region (a coordinator of another
sub-region gets a 404, anyone else a 403); the exports give a 404 to everyone but those
coordinators.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.forms.checkin import CheckinCodeForm, CheckinSearchForm
from events.forms.registration import RegistrationForm
from events.models import Event, Registration
from events.services.checkin import (
    checkin_closed_reason,
    checkin_registrations,
    registration_check_in,
    registrations_search,
)
from events.services.exports import (
    attendee_rows,
    attendees_csv,
    attendees_export_log,
    attendees_xlsx,
)
from events.services.registrations import (
    event_cancel_registration,
    event_register,
    registration_organisations,
)
from portal.access import roles_of
from portal.htmx import render_page

CHECKIN_TEMPLATE = "events/checkin.html"


def _registered_message(registration):
    if registration.status == Registration.Status.WAITLISTED:
        return _(
            "The programme is full: you are number %(position)s on the waiting list. We will "
            "email you if a seat becomes free."
        ) % {"position": registration.waitlist_position}
    return _("You are registered for %(title)s.") % {"title": registration.event.title}


@require_POST
@login_required
def register(request, slug):
    """Register the user on behalf of one of their organisations (or join the waiting list)."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    organisations = registration_organisations(request.user)
    form = RegistrationForm(request.POST, organisations=organisations)
    if not organisations:
        messages.error(
            request,
            _(
                "Only members of NGOs and municipal staff can register, on behalf of their "
                "organisation."
            ),
        )
    elif not form.is_valid():
        messages.error(request, " ".join(form.errors.get("organisation", [])))
    else:
        try:
            registration = event_register(
                event_id=event.pk,
                user=request.user,
                **form.service_kwargs(),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _registered_message(registration))
    return redirect(event.get_absolute_url())


@require_POST
@login_required
def cancel_registration(request, slug):
    """Cancel the user's registration, or take them off the waiting list."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    registration = event.registrations.filter(user=request.user).first()
    if registration is None:
        messages.error(request, _("You are not registered for this programme."))
        return redirect(event.get_absolute_url())
    try:
        event_cancel_registration(
            registration_id=registration.pk,
            by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Your registration for %(title)s is cancelled.") % {"title": event.title}
        )
    return redirect(event.get_absolute_url())


# --- Check-in, sign-in sheet and exports (coordinators) ---------------------------------------


def _coordinated_event(request, slug):
    """The programme if the user coordinates its sub-region: 403 for people who coordinate
    nothing, 404 for coordinators of other sub-regions (never confirm the programme's list)."""
    roles = roles_of(request.user)
    if not (roles.is_coordinator or roles.is_site_admin):
        raise PermissionDenied
    return get_object_or_404(Event.objects.coordinated_by(request.user), slug=slug)


def _query(data) -> str:
    return (data.get("q") or "").strip()[:100]


@login_required
@require_GET
def checkin(request, slug):
    """The programme's registrations with a search and a check-in button per person."""
    event = _coordinated_event(request, slug)
    everyone = checkin_registrations(event)
    search_form = CheckinSearchForm(request.GET)
    query = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    found = registrations_search(everyone, query)
    waitlisted = Registration.Status.WAITLISTED
    context = {
        "event": event,
        "query": query,
        "checkin_closed": checkin_closed_reason(event),
        "search_form": search_form,
        "code_form": CheckinCodeForm(),
        "seated": [r for r in found if r.status != waitlisted],
        "waiting": sorted(
            (r for r in found if r.status == waitlisted), key=lambda r: r.waitlist_position
        ),
        "attended_count": sum(r.status == Registration.Status.ATTENDED for r in everyone),
        "seated_count": sum(r.status != waitlisted for r in everyone),
        "waiting_count": sum(r.status == waitlisted for r in everyone),
    }
    return render_page(request, CHECKIN_TEMPLATE, context, fragment="lists")


@require_POST
@login_required
def checkin_mark(request, slug, pk):
    """Mark a person attended (action=attend) or undo it (action=undo): the row for htmx, a
    redirect to the list (keeping the search) otherwise."""
    event = _coordinated_event(request, slug)
    registration = get_object_or_404(event.registrations.all(), pk=pk)
    action = request.POST.get("action")
    error = None
    try:
        if action not in ("attend", "undo"):
            raise ValidationError(_("Choose whether the person attended."))
        registration = registration_check_in(
            registration_id=registration.pk, attended=action == "attend", by=request.user
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    query = _query(request.POST)
    if request.htmx:
        registration = event.registrations.select_related(
            "user", "ngo__province", "municipality__province"
        ).get(pk=registration.pk)
        context = {
            "event": event,
            "registration": registration,
            "query": query,
            "error": error,
            "checkin_closed": checkin_closed_reason(event),
        }
        return render(request, CHECKIN_TEMPLATE + "#row", context)
    if error:
        messages.error(request, error)
    url = reverse("events:checkin", kwargs={"slug": event.slug})
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


@login_required
@require_GET
def signin_sheet(request, slug):
    """A printable A4 sign-in sheet of everyone with a seat, in Turkish alphabetical order."""
    event = _coordinated_event(request, slug)
    rows = [r for r in checkin_registrations(event) if r.status != Registration.Status.WAITLISTED]
    return render(request, "events/signin_sheet.html", {"event": event, "rows": rows})


def _exported_event(request, slug):
    """The programme if the user coordinates its sub-region; a 404 for everyone else."""
    return get_object_or_404(Event.objects.coordinated_by(request.user), slug=slug)


def _filename(event, extension):
    return f"{event.slug}-attendees-{timezone.localdate()}.{extension}"


@login_required
@require_GET
def export_csv(request, slug):
    """The programme's attendees as CSV (streamed, UTF-8 with BOM); recorded before it starts."""
    event = _exported_event(request, slug)
    rows = attendee_rows(event)
    attendees_export_log(user=request.user, event=event, export_format="csv", row_count=len(rows))
    return attendees_csv(_filename(event, "csv"), event, rows)


@login_required
@require_GET
def export_xlsx(request, slug):
    """The programme's attendees as an Excel workbook; recorded before it is returned."""
    event = _exported_event(request, slug)
    rows = attendee_rows(event)
    attendees_export_log(user=request.user, event=event, export_format="xlsx", row_count=len(rows))
    return attendees_xlsx(_filename(event, "xlsx"), event, rows)
