"""Template filters and tags of the activation pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

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


@register.simple_tag
def proposal_candidates(proposal, chosen, partner_label):
    """The proposal's NGOs as the checkbox cards of templates/cooperation/activations/
    proposal.html, written in Python: a hundred candidates through template loops were most
    of the page's time (docs/performance.md)."""
    cards = []
    for candidate in proposal.candidates:
        ngo = candidate.ngo
        checked = " checked" if ngo.pk in chosen else ""
        partner = (
            format_html(
                '<span class="badge text-bg-success">{}</span> {} ·',
                partner_label,
                candidate.protocol.title,
            )
            if candidate.is_partner
            else ""
        )
        place = ngo.province.name
        if ngo.district_id:
            place = f"{ngo.district.name}, {place}"
        volunteers = ""
        if ngo.volunteers_count:
            volunteers = "· " + ngettext(
                "%(counter)s volunteer", "%(counter)s volunteers", ngo.volunteers_count
            ) % {"counter": ngo.volunteers_count}
        lines = ""
        if candidate.text_lines:
            items = format_html_join("", "<li>{}</li>", ((line,) for line in candidate.text_lines))
            lines = format_html('<ul class="small mb-0">{}</ul>', items)
        cards.append(
            format_html(
                '<li class="card mb-2"><div class="card-body py-2">'
                '<div class="form-check">'
                '<input class="form-check-input" type="checkbox" name="ngos" value="{pk}" '
                'id="ngo-{pk}"{checked}>'
                '<label class="form-check-label fw-semibold" for="ngo-{pk}">{name}</label>'
                "</div>"
                '<div class="small">{partner} <span class="badge text-bg-info">{distance}</span> '
                "{place} {volunteers}</div>"
                "{lines}"
                "</div></li>",
                pk=ngo.pk,
                checked=mark_safe(checked),  # noqa: S308 - a constant
                name=ngo.name,
                partner=partner,
                distance=candidate.distance,
                place=place,
                volunteers=volunteers,
                lines=lines,
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - every part above is escaped
