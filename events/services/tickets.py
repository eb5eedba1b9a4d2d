"""A registration's personal check-in code and its QR code (of the check-in URL), shown on the
programme page and mailed with the confirmation; stored nowhere (events.services.codes)."""

import re

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.urls import reverse
from django.utils.html import escape

from events.models import Event, Registration
from events.services import codes

CHECKIN_SALT = "events.checkin"
# A scanned QR code holds the whole check-in URL; the code is its last part.
_CODE_IN_URL = re.compile(r"/checkin/code/([^/?#\s]+)/?")


def checkin_message(registration: Registration) -> str:
    return f"registration:{registration.pk}:event:{registration.event_id}"


def checkin_code(registration: Registration) -> str:
    """The registration's personal check-in code, grouped by four (what the QR code leads to)."""
    return codes.group(
        codes.make_code(
            salt=CHECKIN_SALT, pk=registration.pk, message=checkin_message(registration)
        )
    )


def checkin_path(registration: Registration, event: Event | None = None) -> str:
    """The check-in URL's path of a registration (in the current language): its QR code."""
    event = event or registration.event
    return reverse(
        "events:checkin_ticket", kwargs={"slug": event.slug, "code": checkin_code(registration)}
    )


def checkin_qr_svg(url: str, *, label: str) -> str:
    """A QR code of ``url`` as inline SVG (black on white, scalable, labelled for screen
    readers), made on the server: the page needs no script to show it."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    # The width and height in mm are replaced by a CSS class (portal.css: .qr-code).
    svg = re.sub(r' (width|height)="[^"]*"', "", svg, count=2)
    return svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{escape(label)}" ', 1)


def checkin_code_from_text(text: str) -> str:
    """The normalised code in what was typed or scanned (a code, or the QR code's URL); empty
    when there is none."""
    text = (text or "").strip()[:500]
    found = _CODE_IN_URL.search(text)
    return codes.normalise(found.group(1) if found else text)
