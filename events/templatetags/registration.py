"""``{% registration_panel event %}``: the registration box of a programme page."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from events.forms.registration import RegistrationForm
from events.models import Event, Registration
from events.services.certificates import certificate_available
from events.services.registrations import registration_organisations
from events.services.tickets import checkin_code, checkin_path, checkin_qr_svg

register = template.Library()


@register.inclusion_tag("events/includes/registration_panel_inner.html", takes_context=True)
def registration_panel(context, event):
    """The programme's registration state and the user's own registration or form.

    At most two queries: the user's registration, and (when they have none that holds a place)
    their organisations in one UNION query. Anonymous visitors cost none.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    now = timezone.now()
    is_cancelled = event.state == Event.State.CANCELLED
    is_over = event.is_over(now)
    deadline_passed = event.registration_deadline < now
    is_open = not (is_cancelled or is_over or deadline_passed)
    seats_left = max(event.capacity - event.seats_taken, 0)

    registration = organisations = form = None
    if user is not None and user.is_authenticated:
        registration = (
            Registration.objects.filter(event=event, user=user)
            .select_related("ngo", "municipality")
            .first()
        )
        if registration is not None and registration.status == Registration.Status.CANCELLED:
            registration = None
        if registration is not None:
            registration.event = event
        if registration is None and is_open:
            organisations = registration_organisations(user)
            if organisations:
                form = RegistrationForm(organisations=organisations)
    ticket = None
    if registration is not None and registration.status == Registration.Status.REGISTERED:
        ticket = _ticket(request, event, registration)
    return {
        "event": event,
        "request": request,
        "ticket": ticket,
        "certificate_available": certificate_available(registration, now),
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "registration": registration,
        "organisations": organisations,
        "usable_organisations": [o for o in organisations or [] if o.is_verified],
        "form": form,
        "is_cancelled": is_cancelled,
        "is_over": is_over,
        "deadline_passed": deadline_passed,
        "is_open": is_open,
        "seats_left": seats_left,
        "is_full": seats_left == 0,
        "may_cancel": registration is not None
        and registration.status in (Registration.Status.REGISTERED, Registration.Status.WAITLISTED)
        and not (is_over or is_cancelled),
    }


def _ticket(request, event, registration):
    """The registration's check-in code and its QR code (of the check-in URL) for the panel."""
    code = checkin_code(registration)
    path = checkin_path(registration, event)
    url = request.build_absolute_uri(path) if request is not None else path
    label = gettext("QR code for checking in at the door: %(code)s") % {"code": code}
    # The SVG is made here from the URL (nothing typed by a user) and its label is escaped.
    return {"code": code, "qr": mark_safe(checkin_qr_svg(url, label=label))}  # noqa: S308
