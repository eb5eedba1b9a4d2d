"""Template filters of the activation pages."""

from django import template

from cooperation.services.activations import duration_text as _duration_text

register = template.Library()


@register.filter
def duration_text(delta):
    """A timedelta as "2 h 05 min" (or "—")."""
    return _duration_text(delta)


@register.filter
def response_delay(call):
    """How long the NGO took to answer the call."""
    if call.responded_at is None:
        return _duration_text(None)
    return _duration_text(call.responded_at - call.sent_at)
