"""Endpoints for token holders (``Authorization: Bearer <token>``), read-only, with exactly the
scope of the token's user: report figures for coordinators (their sub-regions; national ones
everything) and cases for municipal staff (their municipalities' cases) and coordinators (their
area's). Anything outside it, and any endpoint the user's roles do not open, is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.security import HttpBearer

from api import schemas as s
from api.errors import refuse_unknown
from api.pagination import paginate
from opendata.services.public import iso, statistics_campaigns
from portal.access import roles_of
from portal.turkish import search_key
from reports.services.figures import Filters, Scope
from reports.services.scopes import nationwide, readable_provinces, readable_subregions
from reports.services.tables import report_figures
from surveys.models import Expectation


class TokenAuth(HttpBearer):
    """The token checked by ``api.middleware.ApiMiddleware`` (which answers 401 itself for a
    token that is unknown, expired or revoked); None without one."""

    def authenticate(self, request, token):
        api_token = getattr(request, "api_token", None)
        return api_token.user if api_token is not None else None


router = Router(tags=["token holders"], auth=TokenAuth())

# 414: a request line longer than the server in front accepts (gunicorn, nginx answer it).
LIST = {200: None, 304: None, 400: s.Error, 401: s.Error, 404: s.Error, 414: None, 429: s.Error}


def _responses(model):
    return {**LIST, 200: model}


# --- Cases ------------------------------------------------------------------------------------


def _cases(user):
    """The cases the user may read: their municipalities' inbox, and as a coordinator the cases
    of their area; a 404 for anyone with neither role."""
    roles = roles_of(user)
    if not (roles.is_municipal_staff or roles.is_coordinator or roles.is_site_admin):
        raise Http404
    return Expectation.objects.readable_by(user).select_related(
        "category", "submission__ngo", "submission__campaign"
    )


def _case_row(case) -> dict:
    submission = case.submission
    return {
        "id": case.pk,
        "rank": case.rank,
        "category": case.category.code if case.category else None,
        "title": case.title,
        "description": case.description,
        "hazard": case.hazard,
        "offer": case.offer,
        "status": case.status,
        "municipality": case.municipality_id,
        "ngo": submission.ngo_id,
        "ngo_name": submission.ngo.name,
        "campaign": submission.campaign.code,
        "submitted_at": iso(submission.submitted_at),
        "first_answered_at": iso(case.first_answered_at),
        "target_date": case.target_date.isoformat() if case.target_date else None,
        "status_changed_at": iso(case.status_changed_at),
    }


@router.get("/cases/", response=_responses(s.CasePage), summary="Cases in your scope")
def cases(request, filters: Query[s.CaseQuery]):
    """The cases (submitted expectations) addressed to your municipalities, or in the area you
    coordinate, by id; filter by municipality or status; ``q`` searches titles and descriptions
    ignoring case and Turkish letters. Internal notes are never included."""
    refuse_unknown(request, s.CaseQuery)
    rows = _cases(request.auth)
    if filters.municipality:
        rows = rows.filter(municipality=filters.municipality)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.q and search_key(filters.q):
        rows = rows.filter(text_search__contains=search_key(filters.q))
    return paginate(
        request, rows, order=("id",), cursor=filters.cursor, limit=filters.limit, row=_case_row
    )


@router.get("/cases/{id}/", response=_responses(s.Case), summary="A case in your scope")
def case(request, id: int):
    """One case; a 404 outside your scope."""
    refuse_unknown(request)
    return _case_row(get_object_or_404(_cases(request.auth), pk=id))


# --- Report figures ---------------------------------------------------------------------------


def _report(request, filters, scope):
    """A report's figures; the sub-region and province come from the user's readable places
    (reports.services.scopes), the nation's only for those who read every place."""
    subregion = scope.subregion
    if subregion is None and not nationwide(roles_of(request.auth)):
        raise Http404
    opened = statistics_campaigns()
    campaign = (opened.filter(code=filters.campaign) if filters.campaign else opened).first()
    if campaign is None:
        raise Http404
    figures = report_figures(
        campaign=campaign, compare=None, scope=scope, filters=Filters(), measure="participation"
    )
    total, shares = figures["hazards"]
    return {
        "campaign": campaign.code,
        "level": scope.level,
        "subregion": subregion.code if subregion else None,
        "province": scope.province.pk if scope.province else None,
        "computed_at": iso(figures["computed_at"]),
        "top": [
            {
                "code": row["category__code"],
                "name": row["category__name"],
                "name_en": row["category__name_en"],
                "score": row["score"],
                "mentions": row["mentions"],
                "first_rank": row["first_rank"],
            }
            for row in figures["top"]
        ],
        "participation": [
            {
                "key": str(row["key"]),
                "name": row["name"],
                "ngos": row["ngos"],
                "submitted": row["submitted"],
                "drafts": row["drafts"],
                "rate": round(row["rate"], 4),
            }
            for row in figures["participation"]
        ],
        "hazards": {"total": total, **{hazard: count for hazard, (count, _s) in shares.items()}},
    }


@router.get("/reports/nation/", response=_responses(s.Report), summary="National report")
def report_nation(request, filters: Query[s.ReportQuery]):
    """The national report's figures (national coordinators and site administrators)."""
    refuse_unknown(request, s.ReportQuery)
    return _report(request, filters, Scope())


@router.get(
    "/reports/subregions/{code}/", response=_responses(s.Report), summary="Sub-region report"
)
def report_subregion(request, code: str, filters: Query[s.ReportQuery]):
    """A sub-region's report figures (its coordinators, national coordinators)."""
    refuse_unknown(request, s.ReportQuery)
    subregion = get_object_or_404(readable_subregions(roles_of(request.auth)), code=code)
    return _report(request, filters, Scope(subregion=subregion))


@router.get("/reports/provinces/{plate}/", response=_responses(s.Report), summary="Province report")
def report_province(request, plate: int, filters: Query[s.ReportQuery]):
    """A province's report figures (the coordinators of its sub-region, national ones)."""
    refuse_unknown(request, s.ReportQuery)
    province = get_object_or_404(readable_provinces(roles_of(request.auth)), plate=plate)
    return _report(request, filters, Scope(subregion=province.subregion, province=province))
