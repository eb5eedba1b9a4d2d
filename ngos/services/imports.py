"""Bulk import of NGOs from a CSV file, as Excel saves it in Turkey (Windows-1254, ";").

Three steps, shared by the web upload and the ``import_ngos`` command:

- ``import_file_parse`` turns the file's bytes into numbered records, or refuses the whole file
  (not text, no header, unknown or missing columns, too many rows);
- ``ngo_import_check`` validates every record and reads nothing but the database;
- ``ngo_import`` writes the rows that passed, checking each one again first.

Rows are validated by ``NGOForm``, the form NGOs register with, so an imported NGO obeys exactly
the rules of one registered by hand; that is why this service imports a form.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from municipalities.models import District, Municipality, Province
from ngos.forms.profile import ImportRowForm
from ngos.models import NGO, ActivityField, LegalForm
from ngos.services.profile import ngo_unique_slug
from portal.access import roles_of
from portal.notifications import Message, notify
from portal.turkish import search_key

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Checking costs a few milliseconds a row (each row goes through NGOForm): 5,000 rows stay
# well inside a request timeout. Larger files go through `manage.py import_ngos`.
MAX_WEB_ROWS = 5_000
PROGRESS_EVERY = 500
# Rows per IN (...) lookup: below SQLite's limit on query parameters.
_LOOKUP_CHUNK = 500
_DELIMITERS = ";,\t"
# C0 control characters other than tab, line feed and carriage return never occur in a CSV
# that a spreadsheet saved; finding one means the file is binary.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


@dataclass(frozen=True)
class Column:
    """A column of the import file: its NGOForm field, Turkish header and English alias."""

    field: str
    header: str
    alias: str
    required: bool
    help_text: str


COLUMNS = (
    Column("name", "ad", "name", True, _("The organisation's full name.")),
    Column(
        "legal_form",
        "hukuki_statu",
        "legal_form",
        True,
        _(
            "One of dernek, vakif, federasyon, konfederasyon, sendika, meslek_odasi, kooperatif, "
            "platform; the Turkish names (Vakıf, Meslek odası, …) work too."
        ),
    ),
    Column(
        "registry_number",
        "sicil_no",
        "registry_number",
        False,
        _(
            "DERBİS number for associations, VGM number for foundations; required for "
            "associations, foundations, federations and confederations."
        ),
    ),
    Column(
        "province",
        "il",
        "province",
        True,
        _("Plate code (1–81) or name of the province, with or without Turkish letters."),
    ),
    Column(
        "district",
        "ilce",
        "district",
        False,
        _('Name of the district in that province; "Merkez" where the province has one.'),
    ),
    Column("founding_year", "kurulus_yili", "founding_year", False, _("A year, e.g. 1998.")),
    Column("members_count", "uye_sayisi", "members_count", False, _("A whole number.")),
    Column("volunteers_count", "gonullu_sayisi", "volunteers_count", False, _("A whole number.")),
    Column("website", "web", "website", False, _("The address of the website.")),
    Column("email", "eposta", "email", False, _("The organisation's email address.")),
    Column("phone", "telefon", "phone", False, _("The organisation's phone number.")),
    Column("address", "adres", "address", False, _("The postal address.")),
    Column(
        "activity_fields",
        "faaliyet_alanlari",
        "activity_fields",
        False,
        _(
            'Fields of activity by code, Turkish or English name, separated by "|" or ",", '
            "e.g. egitim|Sağlık."
        ),
    ),
    Column("description", "aciklama", "description", False, _("What the organisation does.")),
    Column(
        "contacts_public",
        "iletisim_acik",
        "contacts_public",
        False,
        _(
            "evet/hayır, yes/no or 1/0: whether email, phone and address are shown publicly; "
            "empty means no."
        ),
    ),
)
_COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

# NGOForm data of a row whose cells are all empty; the municipality is left to
# Municipality.objects.serving and AFAD accreditation is not imported.
EMPTY_DATA = {
    "name": "",
    "legal_form": "",
    "registry_number": "",
    "founding_year": "",
    "province": "",
    "district": "",
    "municipality": "",
    "activity_fields": [],
    "members_count": "",
    "volunteers_count": "",
    "description": "",
    "website": "",
    "email": "",
    "phone": "",
    "address": "",
    "contacts_public": False,
    "afad_accredited": False,
    "afad_group": "",
}

# Turkish and English names of the legal forms beside their codes.
_LEGAL_FORM_NAMES = {
    LegalForm.ASSOCIATION: ["dernek", "association"],
    LegalForm.FOUNDATION: ["vakıf", "foundation"],
    LegalForm.FEDERATION: ["federasyon", "federation"],
    LegalForm.CONFEDERATION: ["konfederasyon", "confederation"],
    LegalForm.UNION: ["sendika", "trade union", "union"],
    LegalForm.PROFESSIONAL_CHAMBER: ["meslek odası", "professional chamber", "chamber"],
    LegalForm.COOPERATIVE: ["kooperatif", "cooperative"],
    LegalForm.PLATFORM: ["platform", "girişim", "platform girişim", "initiative"],
}
_YES = {"evet", "yes", "1", "true"}
_NO = {"hayir", "no", "0", "false", ""}


def _key(text: str) -> str:
    """A compact Turkish-insensitive key: "Meslek odası" and "meslek_odasi" agree."""
    return search_key(text).replace(" ", "")


_HEADER_KEYS = {}
for _column in COLUMNS:
    _HEADER_KEYS[_key(_column.header)] = _column
    _HEADER_KEYS[_key(_column.alias)] = _column


class ImportFileError(ValidationError):
    """The whole file is refused; ``messages`` says why in plain language."""


class RowStatus(models.TextChoices):
    NEW = "new", _("To be created")
    EXISTING = "existing", _("Already registered — unchanged")
    ERROR = "error", _("Error")


@dataclass
class ImportRecord:
    """One non-blank row of the file: its spreadsheet row number and its cells by field."""

    number: int
    values: dict[str, str]
    extra_cells: bool = False


@dataclass
class ImportTable:
    """A parsed file: which header text each field had, and the records."""

    headers: dict[str, str]
    records: list[ImportRecord]


@dataclass
class ImportRow:
    """The verdict on one row; ``data`` is the NGOForm data of a row to be created."""

    number: int
    name: str
    province: str
    status: str
    errors: list[str] = field(default_factory=list)
    data: dict | None = None

    @property
    def status_label(self) -> str:
        return RowStatus(self.status).label

    def error_lines(self) -> list[str]:
        return [row_error_line(self.number, error) for error in self.errors]


@dataclass
class ImportCheck:
    """Every row of a file with its verdict; nothing has been written."""

    rows: list[ImportRow]

    def _count(self, status) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_count(self) -> int:
        return self._count(RowStatus.NEW)

    @property
    def existing_count(self) -> int:
        return self._count(RowStatus.EXISTING)

    @property
    def error_count(self) -> int:
        return self._count(RowStatus.ERROR)

    def valid_rows(self) -> list[dict]:
        """The rows to create as plain data (JSON-safe, for the session or ``ngo_import``);
        empty values are left out to keep a large file's session small."""
        return [
            {
                "row": row.number,
                "data": {k: v for k, v in row.data.items() if v != EMPTY_DATA.get(k, ...)},
            }
            for row in self.rows
            if row.status == RowStatus.NEW
        ]

    def error_lines(self) -> list[str]:
        return [line for row in self.rows for line in row.error_lines()]


@dataclass
class ImportResult:
    """What ``ngo_import`` did: NGOs created, rows found already registered, rows skipped."""

    created: list[NGO] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def row_error_line(number: int, message: str) -> str:
    """A row's error as one line, e.g. "Row 7: unknown province 'Erzurm'"."""
    return gettext("Row %(number)s: %(message)s") % {"number": number, "message": message}


# Reading the file


def _decode(data: bytes) -> str:
    not_text = gettext(
        "This is not a CSV text file. In Excel, use “Save as” and choose a CSV format "
        "(semicolon-separated or “CSV UTF-8”)."
    )
    if b"\x00" in data:
        raise ImportFileError(not_text)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1254")
        except UnicodeDecodeError:
            raise ImportFileError(not_text) from None
    if _CONTROL_CHARS.search(text):
        raise ImportFileError(not_text)
    return text


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
            if any(cell.strip() for cell in cells):
                return cells
    except csv.Error:
        pass
    return []


def _known_columns(cells: list[str]) -> int:
    return sum(1 for cell in cells if _key(cell) in _HEADER_KEYS)


def _delimiter(text: str) -> str:
    """The sniffed delimiter, unless another one splits the header into more known columns."""
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ";"
    candidates = [sniffed, *(d for d in _DELIMITERS if d != sniffed)]
    return max(candidates, key=lambda d: _known_columns(_first_record(sample, d)))


def _header(cells: list[str]) -> tuple[dict[str, str], dict[int, str]]:
    """The header text of each field and each cell index's field; refuses a bad header."""
    headers, positions, unknown, twice = {}, {}, [], []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        column = _HEADER_KEYS.get(_key(text))
        if column is None:
            unknown.append(text)
        elif column.field in headers:
            twice.append(text)
        else:
            headers[column.field] = text
            positions[index] = column.field
    if not headers:
        raise ImportFileError(
            gettext(
                "The first row is not a header: none of its cells is a known column name. "
                "The first row must name the columns, for example: ad;hukuki_statu;il."
            )
        )
    errors = []
    if unknown:
        errors.append(gettext("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if twice:
        errors.append(
            gettext("Columns given more than once: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [
        f"{column.header} ({column.alias})"
        for column in COLUMNS
        if column.required and column.field not in headers
    ]
    if missing:
        errors.append(
            gettext("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if errors:
        raise ImportFileError(errors)
    return headers, positions


def import_file_parse(data: bytes, *, max_rows: int | None = None) -> ImportTable:
    """Read a CSV file (UTF-8 or Windows-1254; ";", "," or tab) into numbered records.

    Row numbers are the spreadsheet's: the header is row 1. Blank rows are skipped. Raises
    ImportFileError when the file cannot be imported at all. Reads nothing from the database.
    """
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(gettext("The file is empty."))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    headers, positions, records = None, {}, []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers, positions = _header(cells)
                continue
            values = {name: "" for name in headers}
            for index, cell in enumerate(cells):
                if index in positions:
                    values[positions[index]] = cell.strip()
            extra = any(cell.strip() for cell in cells[max(positions) + 1 :])
            records.append(ImportRecord(number, values, extra_cells=extra))
    except csv.Error as exc:
        raise ImportFileError(
            gettext("The file could not be read as CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from None
    if headers is None:
        raise ImportFileError(gettext("The file is empty."))
    if not records:
        raise ImportFileError(gettext("The file has a header row but no rows to import."))
    if max_rows is not None and len(records) > max_rows:
        raise ImportFileError(
            gettext(
                "The file has %(count)s rows; at most %(max)s rows can be imported at once "
                "here. Split it into smaller files."
            )
            % {"count": len(records), "max": max_rows}
        )
    return ImportTable(headers=headers, records=records)


# Checking the rows


def _chunks(items: list, size: int = _LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Checker:
    """Validates rows against the reference data, the user's scope and the NGOs already in the
    database; remembers registry numbers and names seen earlier in the same file."""

    def __init__(self, *, by, registry_numbers: set[str], name_keys: set[str]):
        roles = roles_of(by) if by is not None else None
        self.subregions = (
            None
            if roles is None or roles.is_national_coordinator or roles.is_site_admin
            else roles.subregion_ids
        )
        self.provinces = {p.pk: p for p in Province.objects.all()}
        self.province_keys = {_key(p.name): p for p in self.provinces.values()}
        self.district_keys = {
            (province_id, _key(name)): pk
            for pk, province_id, name in District.objects.values_list("pk", "province_id", "name")
        }
        self.field_keys = {}
        for activity in ActivityField.objects.filter(is_active=True):
            for text in (activity.code, activity.name, activity.name_en):
                if text:
                    self.field_keys[_key(text)] = activity.pk
        self.legal_form_keys = {}
        for value, label in LegalForm.choices:
            for language in ("en", "tr"):
                with override(language):
                    self.legal_form_keys[_key(str(label))] = value
            self.legal_form_keys[_key(value)] = value
            for name in _LEGAL_FORM_NAMES[value]:
                self.legal_form_keys[_key(name)] = value
        self.existing_registry = set()
        for chunk in _chunks(sorted(registry_numbers - {""})):
            self.existing_registry.update(
                NGO.objects.filter(registry_number__in=chunk).values_list(
                    "registry_number", flat=True
                )
            )
        self.existing_names = set()
        for chunk in _chunks(sorted(name_keys - {""})):
            self.existing_names.update(
                NGO.objects.filter(name_search__in=chunk).values_list("name_search", "province_id")
            )
        self.seen_registry: dict[str, int] = {}
        self.seen_names: dict[tuple[str, int], int] = {}

    # From the file's cells to NGOForm data

    def check_record(self, record: ImportRecord, headers: dict[str, str]) -> ImportRow:
        values = record.values
        errors, reported = [], set()

        def get(name):
            return values.get(name, "")

        if record.extra_cells:
            errors.append(gettext("the row has more cells than the header has columns"))
        name = " ".join(get("name").split())
        if not name:
            errors.append(gettext("name is missing"))
            reported.add("name")
        legal_form = self._legal_form(get("legal_form"), errors)
        reported.add("legal_form")
        province = self._province(get("province"), errors)
        reported.add("province")
        district = self._district(get("district"), province, errors)
        reported.add("district")
        activity_fields = self._activity_fields(get("activity_fields"), errors)
        reported.add("activity_fields")
        contacts_public = self._yes_no(get("contacts_public"), headers, errors)
        reported.add("contacts_public")
        data = {
            **EMPTY_DATA,
            "name": name,
            "legal_form": legal_form,
            "registry_number": "".join(get("registry_number").split()).upper(),
            "founding_year": self._number(get("founding_year")),
            "province": province.pk if province else "",
            "district": district or "",
            "municipality": "",
            "activity_fields": activity_fields,
            "members_count": self._number(get("members_count")),
            "volunteers_count": self._number(get("volunteers_count")),
            "description": get("description"),
            "website": get("website"),
            "email": get("email"),
            "phone": get("phone"),
            "address": get("address"),
            "contacts_public": contacts_public,
        }
        display = province.name if province else get("province")
        row, _form = self.check_data(
            record.number, data, headers=headers, errors=errors, reported=reported, display=display
        )
        return row

    def _legal_form(self, raw: str, errors: list[str]) -> str:
        if not raw:
            errors.append(gettext("legal form is missing"))
            return ""
        value = self.legal_form_keys.get(_key(raw))
        if value is None:
            errors.append(gettext("unknown legal form '%(value)s'") % {"value": raw})
            return ""
        return value

    def _province(self, raw: str, errors: list[str]):
        if not raw:
            errors.append(gettext("province is missing"))
            return None
        province = (
            self.provinces.get(int(raw))
            if raw.isascii() and raw.isdigit()
            else self.province_keys.get(_key(raw))
        )
        if province is None:
            errors.append(gettext("unknown province '%(value)s'") % {"value": raw})
        return province

    def _district(self, raw: str, province, errors: list[str]):
        if not raw or province is None:
            return None
        pk = self.district_keys.get((province.pk, _key(raw)))
        if pk is None:
            errors.append(
                gettext("unknown district '%(value)s' in %(province)s")
                % {"value": raw, "province": province.name}
            )
        return pk

    def _activity_fields(self, raw: str, errors: list[str]) -> list[int]:
        pks = []
        for part in re.split(r"[|,]", raw):
            text = part.strip()
            if not text:
                continue
            pk = self.field_keys.get(_key(text))
            if pk is None:
                errors.append(gettext("unknown field of activity '%(value)s'") % {"value": text})
            elif pk not in pks:
                pks.append(pk)
        return pks

    def _yes_no(self, raw: str, headers: dict[str, str], errors: list[str]) -> bool:
        key = _key(raw)
        if key in _YES:
            return True
        if key not in _NO:
            errors.append(
                gettext("%(column)s: '%(value)s' is not yes or no (evet or hayır)")
                % {"column": _column_name("contacts_public", headers), "value": raw}
            )
        return False

    @staticmethod
    def _number(raw: str) -> str:
        # Excel in Turkish writes 1250 as "1.250" when the cell has a thousands format.
        text = "".join(raw.split())
        return text.replace(".", "") if _THOUSANDS.fullmatch(text) else text

    # The checks common to a file's row and a stored row

    def check_data(
        self,
        number: int,
        data: dict,
        *,
        headers: dict[str, str] | None = None,
        errors: list[str] | None = None,
        reported: set[str] = frozenset(),
        display: str | None = None,
    ) -> tuple[ImportRow, ImportRowForm | None]:
        """Scope, already registered, duplicates within the file, then NGOForm's own rules;
        returns the verdict and the bound form (None when the form was not needed)."""
        headers = headers or {}
        errors = list(errors or [])
        province = self.provinces.get(data.get("province"))
        row = ImportRow(
            number=number,
            name=data.get("name", ""),
            province=display if display is not None else (province.name if province else ""),
            status=RowStatus.ERROR,
        )
        if province is not None and not (
            self.subregions is None or province.subregion_id in self.subregions
        ):
            errors.append(
                gettext("%(province)s is outside your sub-regions") % {"province": province.name}
            )
            row.errors = errors
            return row, None
        registry_number = data.get("registry_number", "")
        name_key = search_key(row.name)
        if registry_number in self.existing_registry or (
            not registry_number
            and province is not None
            and (name_key, province.pk) in self.existing_names
        ):
            row.status = RowStatus.EXISTING
            return row, None
        if registry_number:
            first = self.seen_registry.setdefault(registry_number, number)
            if first != number:
                errors.append(
                    gettext("duplicate registry number %(registry_number)s (also in row %(row)s)")
                    % {"registry_number": registry_number, "row": first}
                )
        elif province is not None and name_key:
            first = self.seen_names.setdefault((name_key, province.pk), number)
            if first != number:
                errors.append(
                    gettext("duplicate organisation %(name)s in %(province)s (also in row %(row)s)")
                    % {"name": row.name, "province": province.name, "row": first}
                )
        form = ImportRowForm(data=data)
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name in reported:
                    continue
                for message in messages:
                    if name == "__all__":
                        errors.append(message)
                    else:
                        errors.append(
                            gettext("%(column)s: %(message)s")
                            % {"column": _column_name(name, headers), "message": message}
                        )
        row.errors = errors
        if not errors:
            row.status = RowStatus.NEW
            row.data = data
        return row, form


def _column_name(field_name: str, headers: dict[str, str]) -> str:
    """The column as the file calls it, or its English name."""
    if field_name in headers:
        return headers[field_name]
    column = _COLUMN_BY_FIELD.get(field_name)
    return column.alias if column else field_name


def ngo_import_check(
    *, table: ImportTable, by, progress: Callable[[int, int], None] | None = None
) -> ImportCheck:
    """Validate every record of a parsed file as ``by`` would import it (no user: everything).

    No side effects: reads the reference data and the NGOs already registered, writes nothing.
    ``progress(done, total)`` is called every PROGRESS_EVERY rows and at the end.
    """
    checker = _Checker(
        by=by,
        registry_numbers={
            "".join(r.values.get("registry_number", "").split()).upper() for r in table.records
        },
        name_keys={search_key(r.values.get("name", "")) for r in table.records},
    )
    rows, total = [], len(table.records)
    for done, record in enumerate(table.records, start=1):
        rows.append(checker.check_record(record, table.headers))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return ImportCheck(rows=rows)


@transaction.atomic
def ngo_import(*, rows: list[dict], by) -> ImportResult:
    """Create the NGOs of checked rows (``ImportCheck.valid_rows()``), all or nothing.

    Each row is checked again first (an NGO may have been registered since): a row now already
    registered is left alone, a row that no longer passes is skipped and reported. Side effects:
    inserts each NGO as verified by ``by`` (now), with its fields of activity and the default
    municipality of its district; an IntegrityError rolls the whole call back.
    """
    checker = _Checker(
        by=by,
        registry_numbers={item["data"].get("registry_number", "") for item in rows},
        name_keys={search_key(item["data"].get("name", "")) for item in rows},
    )
    result = ImportResult()
    now = timezone.now()
    municipalities = {}  # (province, district) → default municipality, looked up once each
    for item in rows:
        row, form = checker.check_data(item["row"], {**EMPTY_DATA, **item["data"]})
        if row.status == RowStatus.EXISTING:
            result.unchanged.append(row.number)
            continue
        if row.status == RowStatus.ERROR:
            result.skipped.extend(row.error_lines())
            continue
        ngo = form.save(commit=False)
        ngo.slug = ngo_unique_slug(ngo.name)
        ngo.status = NGO.Status.VERIFIED
        ngo.status_changed_by = by
        ngo.status_changed_at = now
        if ngo.municipality is None:
            place = (ngo.province_id, ngo.district_id)
            if place not in municipalities:
                municipalities[place] = Municipality.objects.serving(ngo.province, ngo.district)
            ngo.municipality = municipalities[place]
        ngo.save()
        form.save_m2m()
        result.created.append(ngo)
    return result


def ngo_import_and_report(*, rows: list[dict], by, file_name: str) -> ImportResult | None:
    """Run ``ngo_import`` and tell ``by`` in the portal what it did (or that a conflict stopped
    it and nothing was saved). Returns the result, or None after a conflict. Idempotent: rows
    imported by an earlier run are found registered and left alone."""
    try:
        result = ngo_import(rows=rows, by=by)
    except IntegrityError:
        result = None

    def build(user):
        if result is None:
            text = gettext(
                "The import of %(file)s was stopped by a conflict in the database and nothing "
                "was saved. Please upload the file again to check it."
            )
        else:
            text = gettext(
                "Import of %(file)s finished: %(created)s NGOs created, %(unchanged)s already "
                "registered, %(skipped)s skipped."
            )
        values = {"file": file_name[:80]}
        if result is not None:
            values.update(
                created=len(result.created),
                unchanged=len(result.unchanged),
                skipped=len(result.skipped),
            )
        return Message(text=text % values, url=reverse("ngos:import_upload"))

    notify(users=[by], kind="import", preference=None, build=build)
    return result
