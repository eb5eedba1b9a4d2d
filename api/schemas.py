"""The shapes of the API's responses and of its query parameters (pydantic, through
django-ninja); the OpenAPI schema at /api/v1/openapi.json is generated from them."""

from typing import Literal

from ninja import Field, Schema

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT

HazardScope = Literal["earthquake", "flood", "fire", "drought", "other", "any"]


class Error(Schema):
    detail: str = Field(description="What went wrong, in the request's language")
    errors: list[dict] | None = Field(None, description="One entry per invalid parameter")


# --- Query parameters -------------------------------------------------------------------------


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=500, description="From `next_cursor` of a page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")


class SearchQuery(PageQuery):
    q: str | None = Field(
        None,
        max_length=100,
        description="Search in names, ignoring case and Turkish letters (`sanliurfa` finds "
        "Şanlıurfa)",
    )


class ProvinceQuery(Schema):
    region: str | None = Field(None, max_length=40, description="Code of a geographic region")
    subregion: str | None = Field(None, max_length=2, description="Code of a sub-region")
    q: str | None = Field(None, max_length=100, description="Search in names")


class DistrictQuery(SearchQuery):
    province: int | None = Field(None, ge=1, le=81, description="Plate code of the province")


class MunicipalityQuery(SearchQuery):
    province: int | None = Field(None, ge=1, le=81, description="Plate code of the province")
    district: int | None = Field(None, ge=0, le=2_147_483_647, description="District code")
    kind: Literal["metropolitan", "provincial", "district", "town"] | None = None


class NGOQuery(SearchQuery):
    province: int | None = Field(None, ge=1, le=81, description="Plate code of the province")
    legal_form: (
        Literal[
            "dernek",
            "vakif",
            "federasyon",
            "konfederasyon",
            "sendika",
            "meslek_odasi",
            "kooperatif",
            "platform",
        ]
        | None
    ) = None
    activity_field: str | None = Field(None, max_length=60, description="Code of a field")


class CapabilityQuery(PageQuery):
    province: int | None = Field(None, ge=1, le=81, description="Plate code of the province")
    hazard: HazardScope | None = None
    kind: str | None = Field(None, max_length=20, description="Kind of capability")


class ProgrammeQuery(PageQuery):
    subregion: str | None = Field(None, max_length=2, description="Code of a sub-region")
    province: int | None = Field(None, ge=1, le=81, description="Plate code of the host province")
    state: Literal["planned", "held", "cancelled"] | None = None
    q: str | None = Field(None, max_length=100, description="Search in titles")


class StatisticsQuery(Schema):
    campaign: str | None = Field(
        None, max_length=20, description="Code of the campaign (default: the latest opened)"
    )


class ReportQuery(Schema):
    campaign: str | None = Field(
        None, max_length=20, description="Code of the campaign (default: the latest opened)"
    )


class CaseQuery(PageQuery):
    municipality: int | None = Field(None, ge=1, le=2_147_483_647, description="Municipality id")
    status: (
        Literal[
            "new",
            "under_review",
            "accepted",
            "planned",
            "in_progress",
            "completed",
            "declined",
            "referred",
        ]
        | None
    ) = None
    q: str | None = Field(None, max_length=100, description="Search in titles and descriptions")


# --- Resources --------------------------------------------------------------------------------


class Page(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")
    next: str | None = Field(description="The URL of the next page; null on the last page")


class Region(Schema):
    code: str
    name: str


class SubRegion(Schema):
    code: str
    name: str
    region: str
    host_province: int | None
    is_provisional: bool


class Province(Schema):
    plate: int
    plate_code: str
    name: str
    slug: str
    region: str
    subregion: str
    nuts3: str
    is_metropolitan: bool


class District(Schema):
    code: int
    name: str
    province: int
    is_central: bool
    postal_code: str


class DistrictPage(Page):
    results: list[District]


class Municipality(Schema):
    id: int
    slug: str
    name: str
    kind: str
    province: int
    district: int | None
    district_name: str | None
    parent: int | None
    website: str
    email: str
    phone: str
    address: str
    ngo_unit: str
    ngo_contact_name: str
    ngo_contact_phone: str
    ngo_contact_email: str
    contacts_updated_at: str | None = Field(description="ISO 8601 with offset")


class MunicipalityPage(Page):
    results: list[Municipality]


class NGO(Schema):
    id: int
    slug: str
    name: str
    legal_form: str
    registry_number: str
    founding_year: int | None
    province: int
    district: int | None
    activity_fields: list[str]
    members_count: int | None
    volunteers_count: int | None
    website: str
    email: str | None = Field(description="Only when the NGO made its contacts public")
    phone: str | None = Field(description="Only when the NGO made its contacts public")
    address: str | None = Field(description="Only when the NGO made its contacts public")
    description: str
    afad_accredited: bool
    afad_group: str
    verified_at: str | None
    updated_at: str


class NGOPage(Page):
    results: list[NGO]


class CapabilityAggregate(Schema):
    province: int
    hazard: str
    kind: str
    ngos: int
    capabilities: int


class CapabilityPage(Page):
    results: list[CapabilityAggregate]


class Speaker(Schema):
    id: int
    name: str
    position: str
    organisation: str


class AgendaItem(Schema):
    time: str = Field(description="HH:MM, Türkiye time")
    title: str
    speakers: list[int] = Field(description="Ids of the programme's speakers")


class Programme(Schema):
    id: int
    slug: str
    title: str
    state: str
    subregion: str
    host_province: int
    host_municipality: int | None
    venue: str
    address: str
    starts_at: str
    ends_at: str
    registration_deadline: str
    capacity: int
    campaign: str | None
    description: str
    speakers: list[Speaker]
    agenda: list[AgendaItem]


class ProgrammePage(Page):
    results: list[Programme]


class Campaign(Schema):
    code: str
    title: str
    is_national: bool
    subregions: list[str]
    opens_at: str
    closes_at: str
    closed_early_at: str | None
    state: str
    instructions: str


class Category(Schema):
    code: str
    name: str
    name_en: str
    theme: str
    hazard: str
    phase: str
    is_active: bool


class TopCategory(Schema):
    code: str
    name: str
    name_en: str
    score: int
    mentions: int


class StatisticsGroup(Schema):
    shown: bool
    ngos: int | None = Field(description="null when the group is too small to be shown")
    submitted: int | None
    percent: float | None
    top_shown: bool
    top: list[TopCategory]


class SubRegionStatistics(StatisticsGroup):
    code: str
    name: str


class Statistics(Schema):
    campaign: str
    min_group: int
    computed_at: str
    national: StatisticsGroup
    subregions: list[SubRegionStatistics]


# --- For token holders ------------------------------------------------------------------------


class Case(Schema):
    id: int
    rank: int | None
    category: str | None
    title: str
    description: str
    hazard: str
    offer: str
    status: str
    municipality: int | None
    ngo: int
    ngo_name: str
    campaign: str
    submitted_at: str | None
    first_answered_at: str | None
    target_date: str | None
    status_changed_at: str | None


class CasePage(Page):
    results: list[Case]


class ReportTop(Schema):
    code: str
    name: str
    name_en: str
    score: int
    mentions: int
    first_rank: int


class ReportParticipation(Schema):
    key: str
    name: str
    ngos: int
    submitted: int
    drafts: int
    rate: float


class Report(Schema):
    campaign: str
    level: Literal["nation", "subregion", "province"]
    subregion: str | None
    province: int | None
    computed_at: str
    top: list[ReportTop]
    participation: list[ReportParticipation]
    hazards: dict[str, int]
