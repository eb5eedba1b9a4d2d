"""Loading the reference geography shipped in ``municipalities/data`` (see its README), and a
municipality's managers keeping its public contact details."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from municipalities.models import (
    District,
    GeographicRegion,
    Municipality,
    MunicipalityKind,
    Province,
    SubRegion,
)
from portal.audit import audit
from portal.models import AuditEntry
from portal.turkish import search_key, sort_key, tr_slugify

# The 7 geographic regions in their customary order.
REGION_ORDER = [
    "Marmara",
    "Ege",
    "Akdeniz",
    "İç Anadolu",
    "Karadeniz",
    "Doğu Anadolu",
    "Güneydoğu Anadolu",
]

EXPECTED_COUNTS = {
    "regions": 7,
    "subregions": 17,
    "provinces": 81,
    "districts": 973,
    "municipalities": 1393,
}


@dataclass
class LoadResult:
    created: dict[str, int]

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _read(name: str, data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _keys(obj):
    obj.name_search = search_key(obj.name)
    obj.name_sort = sort_key(obj.name)
    return obj


def municipality_name(kind: str, place: str) -> str:
    """The official style of a municipality's name: "Erzurum Büyükşehir Belediyesi"."""
    if kind == MunicipalityKind.METROPOLITAN:
        return f"{place} Büyükşehir Belediyesi"
    return f"{place} Belediyesi"


def reference_data_complete() -> bool:
    """True when every expected reference row is present (a cheap check, five COUNTs)."""
    return (
        GeographicRegion.objects.count() >= EXPECTED_COUNTS["regions"]
        and SubRegion.objects.count() >= EXPECTED_COUNTS["subregions"]
        and Province.objects.count() >= EXPECTED_COUNTS["provinces"]
        and District.objects.count() >= EXPECTED_COUNTS["districts"]
        and Municipality.objects.count() >= EXPECTED_COUNTS["municipalities"]
    )


@transaction.atomic
def reference_data_load(*, data_dir: Path | None = None) -> LoadResult:
    """Create whatever reference rows are missing; never change or delete existing ones.

    Idempotent: a second run creates nothing. Rows an administrator edited (a sub-region's
    composition, a municipality's contacts) keep their edits. Joins are on plate and district
    codes, never on names. Side effects: inserts into the five geography tables.
    """
    data_dir = Path(data_dir or settings.REFERENCE_DATA_DIR)
    created = dict.fromkeys(EXPECTED_COUNTS, 0)

    regions = {r.name: r for r in GeographicRegion.objects.all()}
    for order, name in enumerate(REGION_ORDER, start=1):
        if name not in regions:
            regions[name] = GeographicRegion.objects.create(
                name=name, code=tr_slugify(name), order=order
            )
            created["regions"] += 1

    subregion_rows = _read("subregions.csv", data_dir)
    subregions = {s.code: s for s in SubRegion.objects.all()}
    for row in subregion_rows:
        if row["code"] not in subregions:
            subregions[row["code"]] = SubRegion.objects.create(
                code=row["code"], name=row["name"], region=regions[row["region7"]]
            )
            created["subregions"] += 1

    existing_plates = set(Province.objects.values_list("plate", flat=True))
    new_provinces = [
        _keys(
            Province(
                plate=int(row["plate"]),
                name=row["name"],
                slug=row["slug"],
                region=regions[row["region7"]],
                subregion=subregions[row["subregion"]],
                nuts1=row["nuts1"],
                nuts2=row["nuts2"],
                nuts3=row["nuts3"],
                is_metropolitan=row["is_metropolitan"] == "True",
            )
        )
        for row in _read("provinces.csv", data_dir)
        if int(row["plate"]) not in existing_plates
    ]
    Province.objects.bulk_create(new_provinces)
    created["provinces"] = len(new_provinces)
    provinces = Province.objects.in_bulk()

    for row in subregion_rows:
        subregion = subregions[row["code"]]
        if subregion.host_province_id is None:
            subregion.host_province_id = int(row["host_plate"])
            subregion.save(update_fields=["host_province"])

    existing_codes = set(District.objects.values_list("code", flat=True))
    new_districts = [
        _keys(
            District(
                code=int(row["code"]),
                province_id=int(row["plate"]),
                name=row["name"],
                is_central=row["is_central"] == "True",
                population=int(row["population"]) if row["population"] else None,
                postal_code=row["postal_code"],
            )
        )
        for row in _read("districts.csv", data_dir)
        if int(row["code"]) not in existing_codes
    ]
    District.objects.bulk_create(new_districts, batch_size=500)
    created["districts"] = len(new_districts)
    districts = District.objects.in_bulk(field_name="code")

    created["municipalities"] = _load_municipalities(
        provinces, districts, _read("towns.csv", data_dir)
    )
    return LoadResult(created=created)


def _load_municipalities(provinces, districts, town_rows) -> int:
    existing = set(Municipality.objects.values_list("slug", flat=True))
    wanted: list[Municipality] = []

    def add(**fields):
        if fields["slug"] not in existing:
            existing.add(fields["slug"])
            wanted.append(_keys(Municipality(**fields)))

    for province in provinces.values():
        kind = (
            MunicipalityKind.METROPOLITAN
            if province.is_metropolitan
            else MunicipalityKind.PROVINCIAL
        )
        central = next(
            (d for d in districts.values() if d.province_id == province.plate and d.is_central),
            None,
        )
        add(
            slug=province.slug if kind == MunicipalityKind.PROVINCIAL else f"{province.slug}-bb",
            name=municipality_name(kind, province.name),
            kind=kind,
            province=province,
            district=central if kind == MunicipalityKind.PROVINCIAL else None,
        )
    Municipality.objects.bulk_create(wanted)
    count = len(wanted)
    wanted.clear()

    metropolitan = {
        m.province_id: m for m in Municipality.objects.filter(kind=MunicipalityKind.METROPOLITAN)
    }
    for district in districts.values():
        if district.is_central:
            continue  # served by the provincial municipality
        province = provinces[district.province_id]
        add(
            slug=f"{province.slug}-{tr_slugify(district.name)}",
            name=municipality_name(MunicipalityKind.DISTRICT, district.name),
            kind=MunicipalityKind.DISTRICT,
            province=province,
            district=district,
            parent=metropolitan.get(province.plate),
        )
    for row in town_rows:
        district = districts[int(row["district_code"])]
        province = provinces[district.province_id]
        add(
            slug=f"{province.slug}-{tr_slugify(district.name)}-{tr_slugify(row['name'])}",
            name=municipality_name(MunicipalityKind.TOWN, row["name"]),
            kind=MunicipalityKind.TOWN,
            province=province,
            district=district,
        )
    Municipality.objects.bulk_create(wanted, batch_size=500)
    return count + len(wanted)


CONTACT_FIELDS = [
    "address",
    "phone",
    "email",
    "website",
    "ngo_unit",
    "ngo_contact_name",
    "ngo_contact_phone",
    "ngo_contact_email",
]


@transaction.atomic
def municipality_contacts_update(*, municipality: Municipality, form, by) -> Municipality:
    """Save the public contact details of a valid MunicipalityContactsForm (its instance a copy
    of ``municipality``). Side effects: updates the municipality's contact fields and
    ``contacts_updated_at``; an audit entry with each changed field's old and new value."""
    current = Municipality.objects.select_for_update().get(pk=municipality.pk)
    edited = form.save(commit=False)
    changes = {
        field: [getattr(current, field), getattr(edited, field)]
        for field in CONTACT_FIELDS
        if getattr(current, field) != getattr(edited, field)
    }
    if not changes:
        return current
    edited.contacts_updated_at = timezone.now()
    edited.save(update_fields=[*CONTACT_FIELDS, "contacts_updated_at"])
    audit(
        AuditEntry.Action.CONTACTS_CHANGE,
        actor=by,
        target=edited,
        details={"changes": changes},
    )
    return edited
