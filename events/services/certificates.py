"""Attendance certificates: a PDF for each person checked in at a programme once it has been
held, with a verification code that a public page confirms.

Nothing is stored: the code is a signed code of the registration (events.services.codes), and
a certificate exists while the registration is attended and the programme held. A code of a
registration that was later undone, or of a cancelled programme, no longer verifies.
"""

import datetime
from urllib.parse import urlencode, urljoin

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from events.services import codes
from reports.services import pdf

CERTIFICATE_SALT = "events.certificate"
TEMPLATE = "events/certificate_pdf.html"
STYLESHEET = "css/certificate_pdf.css"
# The project's partners, as on the reports' cover.
ISSUERS = (
    "T.C. İçişleri Bakanlığı Sivil Toplumla İlişkiler Genel Müdürlüğü",
    "Türkiye Belediye Başkanları Birliği",
)


def _message(registration: Registration) -> str:
    return (
        f"certificate:{registration.pk}:event:{registration.event_id}:user:{registration.user_id}"
    )


def certificate_code(registration: Registration) -> str:
    """The certificate's verification code, grouped by four (``0000-CABC-DEFG``)."""
    return codes.group(
        codes.make_code(salt=CERTIFICATE_SALT, pk=registration.pk, message=_message(registration))
    )


def programme_is_held(event: Event, now: datetime.datetime | None = None) -> bool:
    """Whether a programme has taken place: marked held, or over and not cancelled."""
    if event.state == Event.State.CANCELLED:
        return False
    return event.is_over(now)


def certificate_available(registration: Registration | None, now=None) -> bool:
    """Whether the registration earns a certificate: checked in at a programme now held."""
    return (
        registration is not None
        and registration.status == Registration.Status.ATTENDED
        and registration.checked_in_at is not None
        and programme_is_held(registration.event, now)
    )


def certificate_of(event: Event, user) -> Registration | None:
    """The user's certificate-earning registration for the programme, or None."""
    if not user.is_authenticated:
        return None
    registration = (
        Registration.objects.select_related("user", "ngo", "municipality")
        .filter(event=event, user=user)
        .first()
    )
    if registration is not None:
        registration.event = event
    return registration if certificate_available(registration) else None


def certificate_verify(text: str) -> Registration | None:
    """The registration whose certificate has this verification code, if the certificate is
    valid (right code, the person attended, the programme held); None otherwise."""
    registration = codes.coded_object(
        Registration.objects.select_related("event", "event__host_province"),
        codes.normalise(text),
        salt=CERTIFICATE_SALT,
        message=_message,
    )
    return registration if certificate_available(registration) else None


def verification_url(registration: Registration, base_url: str) -> str:
    """The public page that confirms this certificate's code (absolute)."""
    query = urlencode({"code": certificate_code(registration)})
    return urljoin(base_url, reverse("events:certificate_verify")) + "?" + query


def certificate_filename(registration: Registration) -> str:
    return f"{registration.event.slug}-certificate-{registration.pk}.pdf"


def certificate_html(registration: Registration, *, base_url: str) -> str:
    """The certificate's HTML (in the current language), from which the PDF is made."""
    event = registration.event
    with timezone.override(timezone.get_default_timezone()):
        context = {
            "registration": registration,
            "event": event,
            "person": registration.user.full_name or registration.user.email,
            "organisation": registration.organisation.name,
            "starts_on": timezone.localdate(event.starts_at),
            "ends_on": timezone.localdate(event.ends_at),
            "code": certificate_code(registration),
            "verification_url": verification_url(registration, base_url),
            "verify_page": urljoin(base_url, reverse("events:certificate_verify")),
            "issuers": ISSUERS,
        }
        return render_to_string(TEMPLATE, context)


def certificate_document(registration: Registration, *, base_url: str):
    """The certificate laid out on one A4 page (a WeasyPrint document). Needs
    ``reports.services.pdf.pdf_available()``."""
    return pdf.html_document(
        certificate_html(registration, base_url=base_url), stylesheet=STYLESHEET
    )


def certificate_pdf(registration: Registration, *, base_url: str) -> bytes:
    """The certificate as PDF bytes."""
    return certificate_document(registration, base_url=base_url).write_pdf()
