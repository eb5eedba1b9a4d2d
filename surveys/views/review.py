"""A case as municipal staff work on it (with every review action), and the NGO's side of its
expectations: the municipalities' answers, and confirming or disputing a completed case.

Who: the staff of the case's current municipality act on it; coordinators of its sub-region
(and national coordinators, site administrators) read it without the internal notes; anyone
else gets a 404, including the staff of a municipality the case was referred away from. The
NGO's members see their own expectations with the public history only.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ngos.models import NGO
from portal.access import roles_of
from surveys.forms.conversation import MessageForm
from surveys.forms.review import (
    AnswerForm,
    AssignForm,
    DisputeForm,
    NoteForm,
    ReferForm,
    StatusForm,
)
from surveys.models import TRANSITIONS, AnswerTemplate, Expectation, ReviewEntry
from surveys.services.answer_templates import answer_template_fill, answer_with_template
from surveys.services.conversation import case_thread, with_files
from surveys.services.review import (
    ReviewConflict,
    expectation_add_note,
    expectation_answer,
    expectation_assign,
    expectation_change_status,
    expectation_ngo_confirm,
    expectation_ngo_dispute,
    expectation_refer,
)

CASE_TEMPLATE = "surveys/case_detail.html"
NGO_CASE_TEMPLATE = "surveys/my_expectation_detail.html"

# The action forms of the case page, by the name the template and the action views use.
CASE_FORMS = {
    "status": StatusForm,
    "answer": AnswerForm,
    "note": NoteForm,
    "assign": AssignForm,
    "refer": ReferForm,
}


def _history(case, user, *, internal):
    """The case's history, oldest first. Municipal staff also read the internal notes written
    while the case was at one of their municipalities; everyone else only the public entries."""
    entries = ReviewEntry.objects.filter(expectation=case).select_related(
        "actor", "municipality", "to_municipality", "assigned_to"
    )
    if internal:
        return entries.filter(
            ~Q(kind=ReviewEntry.Kind.NOTE) | Q(municipality__in=roles_of(user).municipality_ids)
        )
    return entries.public()


def _staff_case(request, pk):
    """The case if it is in one of the user's municipalities' inboxes; a coordinator who may
    only read it gets a 403, anyone else a 404."""
    case, can_act = _readable_case(request, pk)
    if not can_act:
        raise PermissionDenied
    return case


def _readable_case(request, pk):
    """The case and whether the user may act on it: staff of its municipality act, coordinators
    of its sub-region read; anyone else gets a 404."""
    case = Expectation.objects.in_inbox_of(request.user).with_case_joins().filter(pk=pk).first()
    if case is not None:
        return case, True
    roles = roles_of(request.user)
    if roles.is_coordinator or roles.is_site_admin:
        case = Expectation.objects.coordinated_by(request.user).with_case_joins().filter(pk=pk)
        case = case.first()
        if case is not None:
            return case, False
    raise Http404


def _inbox_url():
    """Where a case that left this inbox sends the user: the inbox, or the dashboard."""
    try:
        return reverse("surveys:inbox")
    except NoReverseMatch:
        return reverse("dashboard")


def _answer_templates(case):
    """The answer templates the case's municipality has in use."""
    return list(
        AnswerTemplate.objects.filter(municipality=case.municipality_id, is_active=True).order_by(
            "title"
        )
    )


def _render_case(
    request,
    case,
    *,
    can_act,
    bound=None,
    conflict=None,
    templates=None,
    extra=None,
    fragment="",
    message_form=None,
):
    """The case page; after a refused action, ``bound`` holds that form with what was typed
    (``message_form``: the conversation's). ``extra``: more context (the answer template step);
    ``fragment``: the partial to return."""
    ngo = case.submission.ngo
    context = {
        "case": case,
        "ngo": ngo,
        "can_act": can_act,
        "conflict": conflict,
        "is_overdue": case.is_overdue(),
        "history": with_files(_history(case, request.user, internal=can_act), ReviewEntry),
        "thread": case_thread(case, request.user),
        "message_form": message_form or (MessageForm() if can_act else None),
        "message_url": reverse("surveys:case_message", kwargs={"pk": case.pk}),
        "show_contacts": ngo.contacts_public
        or request.user.has_perm("ngos.view_private_contacts", ngo),
    }
    template = CASE_TEMPLATE
    if can_act:
        forms = {name: form_class(case=case) for name, form_class in CASE_FORMS.items()}
        forms.update(bound or {})
        context.update({f"{name}_form": form for name, form in forms.items()})
        context["answer_templates"] = _answer_templates(case) if templates is None else templates
        context["can_refer"] = Expectation.Status.REFERRED in TRANSITIONS.get(case.status, ())
    context.update(extra or {})
    if fragment and request.htmx and not request.htmx.boosted:
        template += f"#{fragment}"
    return render(request, template, context)


@login_required
@require_GET
def case_detail(request, pk):
    """A case: the expectation, the NGO, the history and (for staff) every action."""
    case, can_act = _readable_case(request, pk)
    return _render_case(request, case, can_act=can_act)


def _act(request, pk, name, run):
    """Bind the action's form, run the service, and redirect with its success message; a
    refusal re-renders the page with the error at that form and what was typed kept. ``run``
    takes the case and the cleaned data and returns (success message, redirect URL or None)."""
    case = _staff_case(request, pk)
    form = CASE_FORMS[name](request.POST, request.FILES, case=case)
    if form.is_valid():
        try:
            message, url = run(case, form.cleaned_data)
        except ReviewConflict as conflict:
            # Nothing was saved: show the case as it is now, with the typed text kept.
            current = _staff_case(request, pk)
            bound = {name: form.for_current(current)}
            return _render_case(request, current, can_act=True, bound=bound, conflict=conflict)
        except ValidationError as error:
            if getattr(error, "code", None) == "scope":
                # Referred away by a colleague between loading the form and sending it.
                messages.error(request, " ".join(error.messages))
                return redirect(_inbox_url())
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(url or reverse("surveys:case", kwargs={"pk": case.pk}))
    return _render_case(request, case, can_act=True, bound={name: form})


def _base_url(request):
    return request.build_absolute_uri("/")


@login_required
@require_POST
def case_status(request, pk):
    """Move the case to another status (reason, closing note or target date as needed)."""

    def run(case, data):
        case = expectation_change_status(
            expectation_id=case.pk,
            expected_version=data["review_version"],
            user=request.user,
            to_status=data["to_status"],
            text=data["text"],
            target_date=data["target_date"],
            base_url=_base_url(request),
        )
        return _("The case is now “%(status)s”.") % {"status": case.get_status_display()}, None

    return _act(request, pk, "status", run)


TEMPLATE_PREVIEW, TEMPLATE_INSERT = "preview", "insert"


def _answer_template_step(request, pk, step):
    """Preview the picked answer template filled in for this case, or insert it after the text
    typed so far. Nothing is sent; the answer form comes back with the text (and the review
    version the user loaded), so what was typed is never lost."""
    case = _staff_case(request, pk)
    templates = _answer_templates(case)
    picked_id = request.POST.get("template", "")
    picked = next((t for t in templates if str(t.pk) == picked_id), None)
    typed = request.POST.get("text", "")
    filled = answer_template_fill(picked.body, case) if picked else ""
    text = answer_with_template(typed, filled) if picked and step == TEMPLATE_INSERT else typed
    form = AnswerForm(
        case=case,
        initial={"text": text, "review_version": request.POST.get("review_version", "")},
    )
    extra = {
        "picked_template": picked,
        "answer_preview": filled,
        "template_missing": picked is None,
        "template_inserted": picked is not None and step == TEMPLATE_INSERT,
    }
    fragment = "answer-preview" if step == TEMPLATE_PREVIEW else "answer-form"
    return _render_case(
        request,
        case,
        can_act=True,
        bound={"answer": form},
        templates=templates,
        extra=extra,
        fragment=fragment,
    )


@login_required
@require_POST
def case_answer(request, pk):
    """Send a public answer to the NGO; with ``template_action``, preview or insert an answer
    template instead (nothing is sent)."""
    step = request.POST.get("template_action")
    if step in (TEMPLATE_PREVIEW, TEMPLATE_INSERT):
        return _answer_template_step(request, pk, step)

    def run(case, data):
        expectation_answer(
            expectation_id=case.pk,
            expected_version=data["review_version"],
            user=request.user,
            text=data["text"],
            base_url=_base_url(request),
            files=data.get("files") or [],
        )
        return _("Your answer was sent to the NGO."), None

    return _act(request, pk, "answer", run)


@login_required
@require_POST
def case_note(request, pk):
    """Add an internal note (it changes nothing of the case, so it needs no version check)."""

    def run(case, data):
        expectation_add_note(expectation_id=case.pk, user=request.user, text=data["text"])
        return _("Internal note added; the NGO does not see it."), None

    return _act(request, pk, "note", run)


@login_required
@require_POST
def case_assign(request, pk):
    """Assign the case to a colleague, or to nobody."""

    def run(case, data):
        assignee = data["assignee"]
        expectation_assign(
            expectation_id=case.pk,
            expected_version=data["review_version"],
            user=request.user,
            assignee=assignee,
            base_url=_base_url(request),
        )
        if assignee is None:
            return _("Nobody is assigned to the case now."), None
        return _("The case is assigned to %(person)s.") % {"person": assignee}, None

    return _act(request, pk, "assign", run)


@login_required
@require_POST
def case_refer(request, pk):
    """Refer the case to another municipality of the province; it leaves this inbox."""

    def run(case, data):
        target = data["to_municipality"]
        expectation_refer(
            expectation_id=case.pk,
            expected_version=data["review_version"],
            user=request.user,
            to_municipality=target,
            text=data["text"],
            base_url=_base_url(request),
        )
        message = _("The case was referred to %(municipality)s and left your inbox.") % {
            "municipality": target.name
        }
        return message, _inbox_url()

    return _act(request, pk, "refer", run)


# --- The NGO's side ---------------------------------------------------------------------------


def _ngo_cases(user):
    """The cases of the user's NGOs, with what their pages show beside each one."""
    return (
        Expectation.objects.cases()
        .of_user_ngos(user)
        .select_related("submission__ngo", "submission__campaign", "municipality", "category")
    )


@login_required
@require_GET
def my_expectations(request):
    """The expectations of the user's NGOs, by NGO and campaign, with the latest answers."""
    ngos = list(NGO.objects.filter(pk__in=roles_of(request.user).ngo_ids).alphabetical())
    answers = ReviewEntry.objects.public().filter(kind=ReviewEntry.Kind.ANSWER)
    items = _ngo_cases(request.user).prefetch_related(
        Prefetch("history", queryset=answers.order_by("-created_at", "-pk"), to_attr="answers")
    )
    items = items.order_by(
        "submission__ngo_id", "-submission__campaign__opens_at", "submission__campaign_id", "rank"
    )
    campaigns = {ngo.pk: [] for ngo in ngos}
    for (ngo_id, _campaign_id), rows in groupby(
        items, key=lambda item: (item.submission.ngo_id, item.submission.campaign_id)
    ):
        rows = list(rows)
        campaigns.setdefault(ngo_id, []).append((rows[0].submission.campaign, rows))
    groups = [(ngo, campaigns[ngo.pk]) for ngo in ngos]
    return render(request, "surveys/my_expectation_list.html", {"groups": groups})


def _render_ngo_case(request, case, *, dispute_form=None, message_form=None):
    # The NGO reads what the municipality did, never which member of its staff did it.
    history = (
        ReviewEntry.objects.filter(expectation=case)
        .for_ngo()
        .select_related("actor", "municipality", "to_municipality")
    )
    context = {
        "case": case,
        "history": with_files(history, ReviewEntry),
        "thread": case_thread(case, request.user),
        "message_form": message_form or MessageForm(),
        "message_url": reverse("surveys:my_expectation_message", kwargs={"pk": case.pk}),
        "can_respond": case.status == Expectation.Status.COMPLETED
        and case.ngo_confirmed_at is None,
        "dispute_form": dispute_form or DisputeForm(),
    }
    return render(request, NGO_CASE_TEMPLATE, context)


@login_required
@require_GET
def my_expectation(request, pk):
    """One of the NGO's expectations: its status and public history; confirm or dispute."""
    case = get_object_or_404(_ngo_cases(request.user), pk=pk)
    return _render_ngo_case(request, case)


@login_required
@require_POST
def my_expectation_confirm(request, pk):
    """The NGO confirms that the completed case is done."""
    case = get_object_or_404(_ngo_cases(request.user), pk=pk)
    try:
        expectation_ngo_confirm(expectation_id=case.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: you confirmed that it is done."))
    return redirect("surveys:my_expectation", pk=case.pk)


@login_required
@require_POST
def my_expectation_dispute(request, pk):
    """The NGO disputes the completion with a comment: the case reopens as under review."""
    case = get_object_or_404(_ngo_cases(request.user), pk=pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            expectation_ngo_dispute(
                expectation_id=case.pk,
                user=request.user,
                text=form.cleaned_data["text"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your comment was sent; the municipality reviews the case again."),
            )
            return redirect("surveys:my_expectation", pk=case.pk)
    return _render_ngo_case(request, case, dispute_form=form)
