"""The conversation on a case: the municipality and the NGO write (with files), and a read-only
page of the thread for everyone who may read some of it (the municipality a case was referred
away from reads what it wrote there).

With htmx the message form swaps the conversation in place; without JavaScript it posts and
redirects back to the page's #conversation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.access import roles_of
from surveys.forms.conversation import MessageForm
from surveys.models import CaseMessage, Expectation
from surveys.services.conversation import case_message_post, case_thread
from surveys.views.review import (
    _inbox_url,
    _ngo_cases,
    _render_case,
    _render_ngo_case,
    _staff_case,
)

THREAD_TEMPLATE = "surveys/includes/case_conversation.html"


def _post(request, case, *, side, page_url, render_page):
    """Bind the form, write the message, and answer: the refreshed conversation (htmx) or a
    redirect to the page; a refusal shows the form again with the text kept."""
    form = MessageForm(request.POST, request.FILES)
    sent = False
    if form.is_valid():
        try:
            case_message_post(
                expectation_id=case.pk,
                user=request.user,
                side=side,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "scope":
                messages.error(request, " ".join(error.messages))
                return redirect(_inbox_url() if side == CaseMessage.Side.MUNICIPALITY else page_url)
            form.add_error(None, error)
        else:
            sent = True
            if not request.htmx:
                messages.success(request, _("Your message was sent."))
                return redirect(page_url + "#conversation")
            form = MessageForm()
    if request.htmx:
        context = {
            "case": case,
            "thread": case_thread(case, request.user),
            "message_form": form,
            "message_url": request.path,
            "ngo_view": side == CaseMessage.Side.NGO,
            "sent": sent,
        }
        return render(request, THREAD_TEMPLATE, context)
    return render_page(form)


@login_required
@require_POST
def case_message(request, pk):
    """The municipality that has the case writes to the NGO (coordinators only read: 403)."""
    case = _staff_case(request, pk)
    page_url = reverse("surveys:case", kwargs={"pk": case.pk})
    return _post(
        request,
        case,
        side=CaseMessage.Side.MUNICIPALITY,
        page_url=page_url,
        render_page=lambda form: _render_case(request, case, can_act=True, message_form=form),
    )


@login_required
@require_POST
def my_expectation_message(request, pk):
    """A member of the NGO writes to the municipality that has the case."""
    case = get_object_or_404(_ngo_cases(request.user), pk=pk)
    page_url = reverse("surveys:my_expectation", kwargs={"pk": case.pk})
    return _post(
        request,
        case,
        side=CaseMessage.Side.NGO,
        page_url=page_url,
        render_page=lambda form: _render_ngo_case(request, case, message_form=form),
    )


@login_required
@require_GET
def case_conversation(request, pk):
    """The conversation of a case, read-only, as far as the user may read it: all of it for the
    NGO, the municipality that has the case and the coordinators of its area; only its own
    messages for a municipality the case was referred away from; a 404 for anyone else."""
    case = get_object_or_404(
        Expectation.objects.cases().select_related(
            "submission__ngo", "submission__campaign", "municipality__province"
        ),
        pk=pk,
    )
    thread = case_thread(case, request.user)
    whole = _reads_case(request.user, case)
    if not thread and not whole:
        raise Http404
    context = {
        "case": case,
        "thread": thread,
        "ngo_view": _is_ngo_reader(request.user, case),
        # A municipality the case was referred away from: only its own messages.
        "referred_away": not whole,
    }
    return render(request, "surveys/case_conversation.html", context)


def _is_ngo_reader(user, case) -> bool:
    return case.submission.ngo_id in roles_of(user).ngo_ids


def _reads_case(user, case) -> bool:
    """Whether the user reads the whole case: its NGO, the municipality that has it, the
    coordinators of its area (as ``Expectation.objects.coordinated_by``)."""
    roles = roles_of(user)
    return (
        case.submission.ngo_id in roles.ngo_ids
        or case.municipality_id in roles.municipality_ids
        or roles.is_national_coordinator
        or roles.is_site_admin
        or case.municipality.province.subregion_id in roles.subregion_ids
    )
