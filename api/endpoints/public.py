"""The public, read-only endpoints: geography, verified NGOs, capabilities in aggregate,
programmes, campaigns, categories and the public statistics. Rows come from
``opendata.services.public``, the same as the open-data files."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from api import schemas as s
from api.errors import refuse_unknown
from api.pagination import paginate
from opendata.services import public
from portal.turkish import search_key

router = Router(tags=["public"])

# 414: a request line longer than the server in front accepts (gunicorn, nginx answer it).
LIST = {200: None, 304: None, 400: s.Error, 414: None, 429: s.Error}
ONE = {**LIST, 404: s.Error}


def _responses(model, many=LIST):
    return {**many, 200: model}


@router.get("/regions/", response=_responses(list[s.Region]), summary="Geographic regions")
def regions(request):
    """The 7 geographic regions of Türkiye."""
    refuse_unknown(request)
    return [public.region_row(region) for region in public.regions()]


@router.get("/subregions/", response=_responses(list[s.SubRegion]), summary="Sub-regions")
def subregions(request):
    """The project's 17 sub-regions, each in one geographic region, with its host province."""
    refuse_unknown(request)
    return [public.subregion_row(subregion) for subregion in public.subregions()]


@router.get("/provinces/", response=_responses(list[s.Province]), summary="Provinces")
def provinces(request, filters: Query[s.ProvinceQuery]):
    """The 81 provinces by plate code; filter by region or sub-region, search by name."""
    refuse_unknown(request, s.ProvinceQuery)
    rows = public.provinces()
    if filters.region:
        rows = rows.filter(region__code=filters.region)
    if filters.subregion:
        rows = rows.filter(subregion__code=filters.subregion)
    if filters.q:
        rows = rows.search(filters.q)
    return [public.province_row(province) for province in rows]


@router.get("/provinces/{plate}/", response=_responses(s.Province, ONE), summary="A province")
def province(request, plate: int):
    """One province by its plate code (1–81)."""
    refuse_unknown(request)
    return public.province_row(get_object_or_404(public.provinces(), plate=plate))


@router.get("/districts/", response=_responses(s.DistrictPage), summary="Districts")
def districts(request, filters: Query[s.DistrictQuery]):
    """The districts (ilçe), in code order; filter by province, search by name."""
    refuse_unknown(request, s.DistrictQuery)
    rows = public.districts()
    if filters.province:
        rows = rows.filter(province=filters.province)
    if filters.q:
        rows = rows.search(filters.q)
    return paginate(
        request, rows, order=("code",), cursor=filters.cursor, limit=filters.limit,
        row=public.district_row,
    )  # fmt: skip


@router.get("/municipalities/", response=_responses(s.MunicipalityPage), summary="Municipalities")
def municipalities(request, filters: Query[s.MunicipalityQuery]):
    """Municipalities with their public contacts, by id; filter by province (plate code),
    district or kind; ``q`` searches the municipality's, its province's and its district's
    names ignoring case and Turkish letters."""
    refuse_unknown(request, s.MunicipalityQuery)
    rows = public.municipalities()
    if filters.province:
        rows = rows.filter(province=filters.province)
    if filters.district is not None:
        rows = rows.filter(district__code=filters.district)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.search(filters.q)
    return paginate(
        request, rows, order=("id",), cursor=filters.cursor, limit=filters.limit,
        row=public.municipality_row,
    )  # fmt: skip


@router.get(
    "/municipalities/{id}/", response=_responses(s.Municipality, ONE), summary="A municipality"
)
def municipality(request, id: int):
    """One municipality by its id."""
    refuse_unknown(request)
    return public.municipality_row(get_object_or_404(public.municipalities(), pk=id))


@router.get("/ngos/", response=_responses(s.NGOPage), summary="Verified NGOs")
def ngos(request, filters: Query[s.NGOQuery]):
    """Verified NGOs (public fields only), by id; filter by province, legal form or field of
    activity; ``q`` searches names ignoring case and Turkish letters."""
    refuse_unknown(request, s.NGOQuery)
    rows = public.ngos()
    if filters.province:
        rows = rows.filter(province=filters.province)
    if filters.legal_form:
        rows = rows.filter(legal_form=filters.legal_form)
    if filters.activity_field:
        rows = rows.filter(activity_fields__code=filters.activity_field)
    if filters.q:
        rows = rows.search(filters.q)
    return paginate(
        request, rows, order=("id",), cursor=filters.cursor, limit=filters.limit,
        row=public.ngo_row,
    )  # fmt: skip


@router.get("/ngos/{id}/", response=_responses(s.NGO, ONE), summary="A verified NGO")
def ngo(request, id: int):
    """One verified NGO by its id; any other NGO is a 404."""
    refuse_unknown(request)
    return public.ngo_row(get_object_or_404(public.ngos(), pk=id))


@router.get(
    "/capabilities/",
    response=_responses(s.CapabilityPage),
    summary="Disaster capabilities by province and hazard",
)
def capabilities(request, filters: Query[s.CapabilityQuery]):
    """How many verified NGOs declared each kind of capability for each hazard, per province
    they can serve (counts only)."""
    refuse_unknown(request, s.CapabilityQuery)
    rows = public.capabilities()
    if filters.province:
        rows = rows.filter(province_id=filters.province)
    if filters.hazard:
        rows = rows.filter(capability__hazard=filters.hazard)
    if filters.kind:
        rows = rows.filter(capability__kind=filters.kind)
    return paginate(
        request, rows, order=public.CAPABILITY_ORDER, cursor=filters.cursor,
        limit=filters.limit, row=public.capability_row,
    )  # fmt: skip


@router.get("/programmes/", response=_responses(s.ProgrammePage), summary="Regional programmes")
def programmes(request, filters: Query[s.ProgrammeQuery]):
    """Regional programmes with their agenda and speakers, by start; filter by sub-region,
    host province or state; ``q`` searches titles ignoring case and Turkish letters."""
    refuse_unknown(request, s.ProgrammeQuery)
    rows = public.programmes()
    if filters.subregion:
        rows = rows.filter(subregion__code=filters.subregion)
    if filters.province:
        rows = rows.filter(host_province=filters.province)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.q and search_key(filters.q):
        # Few programmes (17 regions): titles are folded here, not in a stored column.
        wanted = search_key(filters.q)
        ids = [pk for pk, title in rows.values_list("pk", "title") if wanted in search_key(title)]
        rows = rows.filter(pk__in=ids)
    return paginate(
        request, rows, order=("starts_at", "id"), cursor=filters.cursor, limit=filters.limit,
        row=public.programme_row,
    )  # fmt: skip


@router.get("/programmes/{id}/", response=_responses(s.Programme, ONE), summary="A programme")
def programme(request, id: int):
    """One regional programme by its id, with its agenda and speakers."""
    refuse_unknown(request)
    return public.programme_row(get_object_or_404(public.programmes(), pk=id))


@router.get("/campaigns/", response=_responses(list[s.Campaign]), summary="Survey campaigns")
def campaigns(request):
    """Every survey campaign, newest first (scheduled ones too)."""
    refuse_unknown(request)
    return [public.campaign_row(campaign) for campaign in public.campaigns()]


@router.get("/campaigns/{code}/", response=_responses(s.Campaign, ONE), summary="A campaign")
def campaign(request, code: str):
    """One survey campaign by its code."""
    refuse_unknown(request)
    return public.campaign_row(get_object_or_404(public.campaigns(), code=code))


@router.get("/categories/", response=_responses(list[s.Category]), summary="Categories")
def categories(request):
    """The categories of expectations with their stable codes."""
    refuse_unknown(request)
    return [public.category_row(category) for category in public.categories()]


@router.get("/statistics/", response=_responses(s.Statistics, ONE), summary="Public statistics")
def statistics(request, filters: Query[s.StatisticsQuery]):
    """Participation and the top five categories of a campaign (the latest opened by default),
    nationally and per sub-region, with the statistics page's suppression: a group of fewer
    than ``min_group`` NGOs, and any group that would reveal one by subtraction, has null
    figures. 404 when no campaign has opened (or the code names none that has)."""
    refuse_unknown(request, s.StatisticsQuery)
    opened = public.statistics_campaigns()
    chosen = opened.filter(code=filters.campaign) if filters.campaign else opened
    campaign = chosen.first()
    if campaign is None:
        raise HttpError(404, _("No such campaign has opened."))
    return public.statistics(campaign)
