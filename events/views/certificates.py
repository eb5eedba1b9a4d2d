"""Attendance certificates: the attendee's PDF, and the public page that confirms a
certificate's verification code without showing anyone's name."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from events.forms.certificates import CertificateVerifyForm
from events.models import Event
from events.services.certificates import (
    certificate_filename,
    certificate_of,
    certificate_pdf,
    certificate_verify,
)
from portal.ratelimits import TOO_MANY, lookup_allowed
from reports.services import pdf


@login_required
@require_GET
def certificate_download(request, slug):
    """The user's own attendance certificate of a held programme as PDF; a 404 for anyone who
    was not checked in there (and a page that says so where PDFs cannot be made)."""
    event = get_object_or_404(Event.objects.select_related("host_province"), slug=slug)
    registration = certificate_of(event, request.user)
    if registration is None:
        raise Http404
    if not pdf.pdf_available():
        return render(request, "events/certificate_unavailable.html", {"event": event}, status=503)
    content = certificate_pdf(registration, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(registration)}"'
    return response


@require_GET
def certificate_verify_page(request):
    """Check a verification code: valid or not, and for a valid one only the programme and its
    date (never the person). Lookups are rate-limited per address."""
    form = CertificateVerifyForm(request.GET if "code" in request.GET else None)
    context = {"form": form, "checked": False, "registration": None}
    if form.is_bound and form.is_valid():
        if not lookup_allowed(request, "certificate_verify"):
            form.add_error("code", TOO_MANY)
            return render(request, "events/certificate_verify.html", context, status=429)
        context["checked"] = True
        context["registration"] = certificate_verify(form.cleaned_data["code"])
    return render(request, "events/certificate_verify.html", context)
