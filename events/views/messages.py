"""Coordinators' messages to the registrants of a programme: the form and the messages sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from events.forms.messages import ProgrammeMessageForm
from events.services.messages import audience_counts, programme_message_send, programme_messages
from events.views.registrations import _coordinated_event


@login_required
@require_http_methods(["GET", "POST"])
def event_messages(request, slug):
    """Write to everyone registered for a programme (or those with a seat, those who attended,
    or the waiting list), and see the messages sent so far."""
    event = _coordinated_event(request, slug)
    counts = audience_counts(event)
    form = ProgrammeMessageForm(request.POST or None, counts=counts)
    if request.method == "POST" and form.is_valid():
        try:
            sent = programme_message_send(
                event=event,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error("audience", error)
        else:
            messages.success(
                request,
                ngettext(
                    "Your message “%(subject)s” is on its way to %(count)s person.",
                    "Your message “%(subject)s” is on its way to %(count)s people.",
                    sent.recipients,
                )
                % {"subject": sent.subject, "count": sent.recipients},
            )
            return redirect("events:messages", slug=event.slug)
    context = {"event": event, "form": form, "sent": programme_messages(event)}
    return render(request, "events/event_messages.html", context)
