"""The municipal review inbox (filters, status tabs, sort, bulk actions), the cases a
municipality referred away, the coordinators' read-only list of cases, and each municipality's
answer templates.

Who: the inbox and the answer templates belong to municipal staff (managers and staff alike),
scoped to the municipalities they work for; the list of cases to coordinators, scoped to their
sub-regions (everything for national coordinators). Others get a 403; anonymous users log in.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipalities.models import Municipality
from portal.access import roles_of
from portal.htmx import render_page
from surveys.filters import DEFAULT_ORDER, CoordinatorCaseFilter, InboxFilter
from surveys.forms.answer_template import AnswerTemplateForm
from surveys.forms.inbox import BULK_ANSWER, BulkActionForm
from surveys.models import (
    AnswerTemplate,
    Expectation,
    ExpectationStatus,
    ReviewEntry,
    Submission,
)
from surveys.services.review import expectations_bulk

PAGE_SIZE = 25
TEMPLATE = "surveys/inbox.html"


def _staff_roles(request):
    """The user's roles if they work for a municipality; a 403 otherwise."""
    roles = roles_of(request.user)
    if not roles.is_municipal_staff:
        raise PermissionDenied
    return roles


def _tab_counts(filterset, valid):
    """{"n_all": …, "n_<status>": …}: one aggregate query over the list with every filter but
    the status applied (nothing for an invalid filter)."""
    if not valid:
        return {}
    return filterset.without_status.order_by().aggregate(
        n_all=Count("pk"),
        **{
            f"n_{value}": Count("pk", filter=Q(status=value))
            for value, _label in ExpectationStatus.choices
        },
    )


class CountedPaginator(Paginator):
    """A paginator told its number of rows (the tab's count), so it runs no COUNT(*) of its
    own over a municipality's whole list of cases."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _tabs(counts, list_url, data):
    """One tab per status with its count."""
    statuses = ExpectationStatus.choices
    query = data.copy()
    query.pop("page", None)
    query.pop("status", None)
    current = data.get("status", "")
    tabs = []
    for value, label in [("", _("All")), *statuses]:
        if value:
            query["status"] = value
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": counts.get(f"n_{value or 'all'}", 0),
                "url": f"{list_url}?{query.urlencode()}",
                "active": value == current,
            }
        )
    return tabs


def _case_list(request, *, filter_class, queryset, data, list_url, extra):
    """The filtered, sorted, paginated cases with their tabs (the whole page, or the results
    fragment for htmx). A fixed number of queries whatever the number of rows."""
    filterset = filter_class(
        data, queryset=queryset.for_case_list().order_by(*DEFAULT_ORDER), request=request
    )
    # An invalid filter value shows the form's error and an empty list, never a 500.
    valid = filterset.is_valid()
    # Cases are items of submitted submissions; saying so again through the submission (already
    # true of every row) lets PostgreSQL walk the partial index of submitted submissions newest
    # first (surveys 0003) instead of sorting them all. The tab counts need no such join.
    cases = (
        filterset.qs.filter(submission__status=Submission.Status.SUBMITTED)
        if valid
        else Expectation.objects.none()
    )
    counts = _tab_counts(filterset, valid)
    # The current tab's count is the list's: the paginator needs no COUNT(*) query.
    status = filterset.form.cleaned_data.get("status") if valid else ""
    count = counts.get(f"n_{status or 'all'}", 0)
    page = CountedPaginator(cases, PAGE_SIZE, count=count).get_page(data.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "list_url": list_url,
        "tabs": _tabs(counts, list_url, data),
        "overdue_days": settings.REVIEW_OVERDUE_DAYS,
        **extra,
    }
    # The status and district fields of the form follow the list: swapped out of band.
    return render_page(request, TEMPLATE, context, fragment_context={"oob": True})


def _inbox_page(request, *, data, bulk_form=None, next_url=None):
    """The inbox filtered by ``data``, with the bulk form (bound after a refused action)."""
    roles = roles_of(request.user)
    if bulk_form is None:
        bulk_form = BulkActionForm(municipality_ids=roles.municipality_ids)
    selected = set(bulk_form.data.getlist("ids")) if bulk_form.is_bound else set()
    return _case_list(
        request,
        filter_class=InboxFilter,
        queryset=Expectation.objects.in_inbox_of(request.user),
        data=data,
        list_url=reverse("surveys:inbox"),
        extra={
            "bulk_form": bulk_form,
            "selected": selected,
            "next_url": next_url or request.get_full_path(),
            "several_municipalities": len(roles.municipality_ids) > 1,
        },
    )


@login_required
@require_GET
def inbox(request):
    """The cases addressed to the user's municipalities, with filters, tabs and bulk actions."""
    roles = roles_of(request.user)
    if not roles.is_municipal_staff:
        # Coordinators are pointed to their own read-only list.
        return render(request, TEMPLATE, {"denied": True, "inbox": True}, status=403)
    return _inbox_page(request, data=request.GET)


def _safe_next(request, value):
    """The relative URL to go back to (the inbox with its filters), or the inbox."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return reverse("surveys:inbox")


def _report(request, done, refused, titles):
    """One message: how many cases changed, and which were refused and why."""
    if not refused:
        messages.success(
            request,
            ngettext("%(done)d case updated.", "%(done)d cases updated.", done) % {"done": done},
        )
        return
    details = "; ".join(
        _("%(title)s: %(reason)s") % {"title": titles.get(pk, pk), "reason": reason}
        for pk, reason in refused.items()
    )
    messages.warning(
        request,
        ngettext(
            "%(done)d case updated; %(refused)d refused: %(details)s",
            "%(done)d cases updated; %(refused)d refused: %(details)s",
            done,
        )
        % {"done": done, "refused": len(refused), "details": details},
    )


@login_required
@require_GET
def referred_cases(request):
    """The cases the user's municipalities referred to another municipality: when, to whom,
    why, and a way to read the messages the municipality wrote on each while it had it."""
    roles = _staff_roles(request)
    referrals = ReviewEntry.objects.referred_away_by(request.user)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "several_municipalities": len(roles.municipality_ids) > 1,
    }
    return render(request, "surveys/referred_cases.html", context)


@require_POST
@login_required
def inbox_bulk(request):
    """Apply one action to the selected cases of the user's inbox (others are ignored)."""
    roles = _staff_roles(request)
    back = _safe_next(request, request.POST.get("next"))
    form = BulkActionForm(request.POST, municipality_ids=roles.municipality_ids)
    if not form.is_valid():
        data = QueryDict(urlsplit(back).query)
        return _inbox_page(request, data=data, bulk_form=form, next_url=back)
    rows = (
        Expectation.objects.in_inbox_of(request.user)
        .filter(pk__in=form.cleaned_data["ids"])
        .values_list("pk", "title", "municipality_id", "municipality__name")
    )
    cases = {pk: (title, municipality_id, name) for pk, title, municipality_id, name in rows}
    ids = [pk for pk in form.cleaned_data["ids"] if pk in cases]
    if not ids:
        messages.error(request, _("None of the selected cases is in your inbox."))
        return redirect(back)
    refused = {}
    template = form.cleaned_data.get("template")
    if form.cleaned_data["action"] == BULK_ANSWER:
        # A template speaks for its own municipality only.
        for pk in ids:
            if cases[pk][1] != template.municipality_id:
                refused[pk] = _("The template “%(template)s” belongs to %(municipality)s.") % {
                    "template": template.title,
                    "municipality": template.municipality.name,
                }
    result = expectations_bulk(
        expectation_ids=[pk for pk in ids if pk not in refused],
        user=request.user,
        action=form.cleaned_data["action"],
        base_url=request.build_absolute_uri("/"),
        **form.service_arguments(),
    )
    refused.update(result.failed)
    _report(request, len(result.done), refused, {pk: row[0] for pk, row in cases.items()})
    return redirect(back)


@login_required
@require_GET
def coordinator_cases(request):
    """Read-only: the cases of the municipalities in the coordinator's scope."""
    roles = roles_of(request.user)
    if not (roles.is_coordinator or roles.is_site_admin):
        raise PermissionDenied
    return _case_list(
        request,
        filter_class=CoordinatorCaseFilter,
        queryset=Expectation.objects.coordinated_by(request.user),
        data=request.GET,
        list_url=reverse("surveys:coordinator_cases"),
        extra={"read_only": True, "several_municipalities": True},
    )


# --- Answer templates ------------------------------------------------------------------------


def _save_template(form, **fields):
    """Save; a concurrent duplicate that slipped past the form's check becomes a form error."""
    for name, value in fields.items():
        setattr(form.instance, name, value)
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("title", _("An active answer template already has this title."))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def answer_template_list(request):
    """The answer templates of the user's municipalities (in use and retired), and a form to
    add one."""
    roles = _staff_roles(request)
    ids = roles.municipality_ids
    form = AnswerTemplateForm(
        request.POST if request.method == "POST" else None, municipality_ids=ids
    )
    if request.method == "POST" and form.is_valid():
        template = _save_template(form, created_by=request.user)
        if template is not None:
            messages.success(
                request,
                _("The answer template “%(title)s” has been added.") % {"title": template.title},
            )
            return redirect("surveys:answer_templates")
    municipalities = list(Municipality.objects.filter(pk__in=ids).order_by("name_sort"))
    chosen = next((m for m in municipalities if str(m.pk) == request.GET.get("municipality")), None)
    templates = AnswerTemplate.objects.filter(municipality__in=[chosen] if chosen else ids)
    templates = templates.select_related("municipality", "created_by").order_by(
        "-is_active", "municipality__name_sort", "title", "pk"
    )
    return render(
        request,
        "surveys/answer_template_list.html",
        {
            "form": form,
            "templates": templates,
            "municipalities": municipalities,
            "chosen": chosen,
        },
    )


def _scoped_template(request, pk):
    """A template of one of the user's municipalities (403 for non-staff, 404 otherwise)."""
    roles = _staff_roles(request)
    return roles, get_object_or_404(
        AnswerTemplate.objects.filter(municipality__in=roles.municipality_ids).select_related(
            "municipality"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_template_edit(request, pk):
    """Edit an answer template of one of the user's municipalities."""
    roles, template = _scoped_template(request, pk)
    form = AnswerTemplateForm(
        request.POST if request.method == "POST" else None,
        instance=template,
        municipality_ids=roles.municipality_ids,
    )
    if request.method == "POST" and form.is_valid() and _save_template(form):
        messages.success(
            request,
            _("The answer template “%(title)s” has been saved.") % {"title": template.title},
        )
        return redirect("surveys:answer_templates")
    return render(
        request, "surveys/answer_template_form.html", {"form": form, "template": template}
    )


@require_POST
@login_required
def answer_template_retire(request, pk):
    """Retire an answer template (hidden from the answer box, kept), or put it back in use."""
    _roles, template = _scoped_template(request, pk)
    if not template.is_active:
        clash = AnswerTemplate.objects.filter(
            municipality=template.municipality_id, title=template.title, is_active=True
        ).exists()
        if clash:
            messages.error(
                request,
                _(
                    "“%(title)s” cannot be put back in use: another template in use has this "
                    "title. Rename one of them first."
                )
                % {"title": template.title},
            )
            return redirect("surveys:answer_templates")
    template.is_active = not template.is_active
    try:
        with transaction.atomic():
            template.save(update_fields=["is_active", "updated_at"])
    except IntegrityError:
        messages.error(request, _("Another template in use has this title."))
        return redirect("surveys:answer_templates")
    if template.is_active:
        message = _("“%(title)s” is in use again.")
    else:
        message = _("“%(title)s” has been retired; it is kept but no longer offered.")
    messages.success(request, message % {"title": template.title})
    return redirect("surveys:answer_templates")
