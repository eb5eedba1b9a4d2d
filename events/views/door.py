"""At the door of a programme (coordinators): check-in by a person's personal code, read from
their QR code with the camera or typed, and walk-in registration while seats remain.

The same people as the check-in list: coordinators of the programme's sub-region, national
coordinators and site administrators; a coordinator of another sub-region gets a 404, anyone
else a 403 (``_coordinated_event``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.forms.checkin import CheckinCodeForm, WalkInForm
from events.services.checkin import (
    checkin_closed_reason,
    registration_check_in_by_code,
    registration_for_checkin_code,
)
from events.services.registrations import person_name
from events.services.walkins import event_register_walk_in
from events.views.registrations import _coordinated_event
from municipalities.models import Municipality
from ngos.models import NGO

CODE_TEMPLATE = "events/checkin_code.html"
RESULT_TEMPLATE = "events/includes/checkin_code_result.html"


def _checked_in_message(outcome) -> str:
    registration = outcome.registration
    name = person_name(registration.user)
    if outcome.already:
        return _("%(person)s was already checked in.") % {"person": name}
    return _("%(person)s is checked in, on behalf of %(organisation)s.") % {
        "person": name,
        "organisation": registration.organisation.name,
    }


@require_POST
@login_required
def checkin_code(request, slug):
    """Check a person in by their code (typed, or the URL the camera read in their QR code):
    the result for htmx, otherwise back to the list with a message (or this page with the
    error and what was typed)."""
    event = _coordinated_event(request, slug)
    form = CheckinCodeForm(request.POST)
    outcome = error = None
    if form.is_valid():
        try:
            outcome = registration_check_in_by_code(
                event=event, text=form.cleaned_data["code"], by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            form.add_error("code", error)
    if request.htmx:
        context = {"event": event, "outcome": outcome, "error": error, "form": form}
        if outcome is not None:
            context["message"] = _checked_in_message(outcome)
        response = render(request, RESULT_TEMPLATE, context)
        if outcome is not None and not outcome.already:
            response["HX-Trigger"] = "checkin-changed"
        return response
    if outcome is not None:
        messages.success(request, _checked_in_message(outcome))
        return redirect("events:checkin", slug=event.slug)
    return render(request, CODE_TEMPLATE, {"event": event, "form": form, "registration": None})


@login_required
@require_GET
def checkin_ticket(request, slug, code):
    """The page a person's QR code leads to: who it is, and a button to check them in (a phone's
    own camera app opens it, where the check-in page cannot use the camera)."""
    event = _coordinated_event(request, slug)
    form = CheckinCodeForm(initial={"code": code})
    registration = None
    try:
        registration = registration_for_checkin_code(event, code)
    except ValidationError as exc:
        form = CheckinCodeForm({"code": code})
        form.is_valid()
        form.add_error("code", " ".join(exc.messages))
    else:
        registration = event.registrations.select_related(
            "user", "ngo__province", "municipality__province"
        ).get(pk=registration.pk)
    context = {
        "event": event,
        "form": form,
        "registration": registration,
        "checkin_closed": checkin_closed_reason(event),
    }
    return render(request, CODE_TEMPLATE, context)


def _walk_in_organisations(event):
    """What a walk-in may attend for: the verified NGOs and the municipalities of the
    programme's sub-region, in Turkish order."""
    ngos = NGO.objects.verified().filter(province__subregion_id=event.subregion_id)
    municipalities = Municipality.objects.filter(province__subregion_id=event.subregion_id)
    return {
        "ngos": ngos.order_by("name_sort", "pk"),
        "municipalities": municipalities.order_by("name_sort", "pk"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request, slug):
    """Register a person who came without registering, while seats remain, and check them in."""
    event = _coordinated_event(request, slug)
    data = request.POST if request.method == "POST" else None
    form = WalkInForm(data, **_walk_in_organisations(event))
    if data is not None and form.is_valid():
        try:
            registration = event_register_walk_in(
                event_id=event.pk,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is registered at the door and checked in.")
                % {"person": person_name(registration.user)},
            )
            return redirect(reverse("events:checkin", kwargs={"slug": event.slug}))
    context = {
        "event": event,
        "form": form,
        "seats_left": max(event.capacity - event.seats_taken, 0),
        "checkin_closed": checkin_closed_reason(event),
    }
    return render(request, "events/walk_in_form.html", context)
