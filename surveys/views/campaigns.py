"""Survey campaigns: the public list and page, the coordinators' progress figures, the national
coordinators' create/edit/close pages, and the printable blank form."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipalities.models import Province, SubRegion
from ngos.models import NGO, VerificationStatus
from portal.access import roles_of
from portal.choices import Hazard
from surveys.forms.campaign import CampaignForm
from surveys.forms.submission import ItemForm
from surveys.models import (
    EXPECTATIONS_PER_SUBMISSION,
    Campaign,
    Submission,
    SubmissionStatus,
)
from surveys.services.campaign import campaign_close_early, campaign_save

PAGE_SIZE = 20
RECENT_SUBMISSIONS = 20


def _require_manager(request):
    if not request.user.has_perm("surveys.manage_campaigns"):
        raise PermissionDenied


def _offered_categories(campaign):
    """The campaign's categories in theme order (for grouping with {% regroup %})."""
    return campaign.categories.select_related("theme").order_by(
        "theme__order", "theme__name_sort", "theme_id", "order", "name_sort"
    )


def _member_rows(user, campaigns):
    """For each verified NGO of the user: the given open campaigns that cover its sub-region,
    each with the NGO's submission (or None). Two queries, whatever the number of rows."""
    roles = roles_of(user)
    if not roles.ngo_ids:
        return []
    ngos = list(
        NGO.objects.verified()
        .filter(pk__in=roles.ngo_ids)
        .select_related("province")
        .alphabetical()
    )
    if not ngos:
        return []
    submissions = {}
    if campaigns:
        submissions = {
            (s.ngo_id, s.campaign_id): s
            for s in Submission.objects.filter(ngo__in=ngos, campaign__in=campaigns).only(
                "ngo_id", "campaign_id", "status", "receipt_number", "submitted_at"
            )
        }
    return [
        {
            "ngo": ngo,
            "entries": [
                (campaign, submissions.get((ngo.pk, campaign.pk)))
                for campaign in campaigns
                if campaign.covers_subregion(ngo.province.subregion_id)
            ],
        }
        for ngo in ngos
    ]


@require_GET
def campaign_list(request):
    """Every campaign the user may see with its state, and the user's NGOs' open submissions."""
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .prefetch_related("subregions")
        .order_by("-opens_at", "-pk")
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    open_campaigns = []
    if roles_of(request.user).ngo_ids:
        open_campaigns = list(
            Campaign.objects.open_at().prefetch_related("subregions").order_by("closes_at", "pk")
        )
    context = {
        "page": page,
        "query": "",
        "member_rows": _member_rows(request.user, open_campaigns),
        "can_manage": request.user.has_perm("surveys.manage_campaigns"),
    }
    return render(request, "surveys/campaign_list.html", context)


# --- Progress (coordinators) -----------------------------------------------------------------


def _counts(ngos, campaign):
    """Annotations counting, through the relation path ``ngos``, the verified NGOs and their
    drafts and submissions of this campaign (the join reaches every campaign's submissions, so
    the campaign is part of each Count's filter)."""
    verified = Q(**{f"{ngos}__status": VerificationStatus.VERIFIED})
    submissions = f"{ngos}__submissions"

    def with_status(status):
        condition = Q(**{f"{submissions}__campaign": campaign, f"{submissions}__status": status})
        return Count(submissions, filter=verified & condition, distinct=True)

    return {
        "ngo_count": Count(ngos, filter=verified, distinct=True),
        "draft_count": with_status(SubmissionStatus.DRAFT),
        "submitted_count": with_status(SubmissionStatus.SUBMITTED),
    }


def _rate(submitted, ngos):
    """The share of NGOs that submitted, in whole percent (None without NGOs)."""
    return round(100 * submitted / ngos) if ngos else None


def _with_rates(rows):
    for row in rows:
        row.rate = _rate(row.submitted_count, row.ngo_count)
    return rows


def _progress(request, campaign):
    """Progress of the campaign in the sub-regions the user coordinates (all of the campaign's
    for national coordinators): totals, by sub-region, the provinces of one sub-region and the
    latest submissions. Three queries at most, whatever the amount of data."""
    roles = roles_of(request.user)
    subregions = SubRegion.objects.order_by("code")
    if not campaign.is_national:
        subregions = subregions.filter(pk__in=[s.pk for s in campaign.subregions.all()])
    nationwide = roles.is_national_coordinator or roles.is_site_admin
    if not nationwide:
        subregions = subregions.filter(pk__in=roles.subregion_ids)
    rows = _with_rates(list(subregions.annotate(**_counts("provinces__ngos", campaign))))

    code = request.GET.get("subregion")
    selected = None
    if code:
        selected = next((row for row in rows if row.code == code), None)
        if selected is None:
            raise Http404
    elif len(rows) == 1:
        selected = rows[0]
    provinces = []
    if selected is not None:
        provinces = _with_rates(
            list(
                Province.objects.filter(subregion=selected)
                .annotate(**_counts("ngos", campaign))
                .order_by("name_sort", "plate")
            )
        )
    shown = [selected] if selected is not None else rows
    recent = []
    if shown:
        recent = list(
            Submission.objects.submitted()
            .filter(campaign=campaign, ngo__province__subregion__in=[row.pk for row in shown])
            .select_related("ngo__province", "entered_by")
            .order_by("-submitted_at", "-pk")[:RECENT_SUBMISSIONS]
        )
    totals = {
        "ngos": sum(row.ngo_count for row in rows),
        "drafts": sum(row.draft_count for row in rows),
        "submitted": sum(row.submitted_count for row in rows),
    }
    totals["rate"] = _rate(totals["submitted"], totals["ngos"])
    return {
        "nationwide": nationwide,
        # Summaries open for coordinators (NGO.objects.acting_for); a site administrator who
        # coordinates nothing would follow the links to a 404.
        "summaries_linked": roles.is_coordinator,
        "rows": rows,
        "totals": totals,
        "selected": selected,
        "provinces": provinces,
        "recent": recent,
    }


@require_GET
def campaign_detail(request, code):
    """A campaign's period, scope, instructions and categories; progress for coordinators."""
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).prefetch_related("subregions"), code=code
    )
    can_view_progress = request.user.has_perm("surveys.view_progress")
    context = {
        "campaign": campaign,
        "progress": _progress(request, campaign) if can_view_progress else None,
        "can_manage": request.user.has_perm("surveys.manage_campaigns"),
    }
    template = "surveys/campaign_detail.html"
    if request.htmx and not request.htmx.boosted and can_view_progress:
        return render(request, template + "#progress", context)
    context["categories"] = _offered_categories(campaign)
    context["linked_events"] = campaign.events.order_by("starts_at")
    context["member_rows"] = _member_rows(request.user, [campaign]) if campaign.is_open else []
    return render(request, template, context)


# --- Creating, editing and closing (national coordinators) ----------------------------------


def _form_page(request, form, campaign=None):
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


def _campaign_form(request, campaign=None):
    """Show the form, or save it and go to the campaign; times are read in Türkiye time."""
    with timezone.override(timezone.get_default_timezone()):
        if request.method == "GET":
            return _form_page(request, CampaignForm(instance=campaign), campaign)
        # A copy, so that the page around an invalid form keeps the saved title and code.
        form = CampaignForm(request.POST, instance=copy.copy(campaign) if campaign else None)
        if not form.is_valid():
            return _form_page(request, form, campaign)
    created = campaign is None
    campaign = campaign_save(form=form, by=request.user)
    if created:
        message = _("The campaign “%(title)s” has been created.")
    else:
        message = _("The campaign “%(title)s” has been saved.")
    messages.success(request, message % {"title": campaign.title})
    return redirect(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    """A new campaign (national coordinators and site administrators)."""
    _require_manager(request)
    return _campaign_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, code):
    """Change a campaign's texts, scope, dates and categories."""
    _require_manager(request)
    campaign = get_object_or_404(Campaign, code=code)
    return _campaign_form(request, campaign)


@require_POST
@login_required
def campaign_close(request, code):
    """Close an open campaign now: submissions can no longer be saved."""
    _require_manager(request)
    campaign = get_object_or_404(Campaign, code=code)
    try:
        campaign = campaign_close_early(campaign=campaign, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The campaign “%(title)s” has been closed; submissions can no longer be saved.")
            % {"title": campaign.title},
        )
    return redirect(campaign)


# --- Printable blank form --------------------------------------------------------------------


@require_GET
def campaign_blank_form(request, code):
    """A printable form with the editor's fields for five items and the category codes, for
    collecting answers on paper at regional programmes."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), code=code)
    fields = ItemForm.base_fields
    context = {
        "campaign": campaign,
        "categories": _offered_categories(campaign),
        "ranks": range(1, EXPECTATIONS_PER_SUBMISSION + 1),
        "fields": fields,
        "hazards": Hazard.choices,
    }
    return render(request, "surveys/campaign_blank_form.html", context)
