"""The TAMP working groups: loaded after migrate from cooperation/data, idempotent, and
administrators' edits survive a reload."""

import csv
import unicodedata

import pytest

from cooperation.models import ServiceGroup
from cooperation.services.reference import DATA_DIR, service_groups_load

pytestmark = pytest.mark.django_db


def rows():
    with open(DATA_DIR / "tamp_groups.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_data_file_holds_the_23_local_groups_with_unique_codes_in_nfc():
    data = rows()
    assert len(data) == 23
    assert len({row["code"] for row in data}) == 23
    for row in data:
        for value in row.values():
            assert value == unicodedata.normalize("NFC", value).strip()
            assert value


def test_groups_are_loaded_by_migrate_in_the_files_order():
    names = list(ServiceGroup.objects.order_by("order").values_list("name", flat=True))
    assert names == [row["name"] for row in rows()]
    search = ServiceGroup.objects.get(code="arama-kurtarma")
    assert (search.name, search.name_en) == ("Arama ve Kurtarma", "Search and rescue")
    assert list(ServiceGroup.objects.search("PSIKOSOSYAL")) == [
        ServiceGroup.objects.get(code="psikososyal-destek")
    ]


def test_loading_again_creates_nothing_and_keeps_administrators_edits():
    ServiceGroup.objects.filter(code="barinma").update(name="Barınma ve Konaklama", is_active=False)
    assert service_groups_load() == 0
    edited = ServiceGroup.objects.get(code="barinma")
    assert (edited.name, edited.is_active) == ("Barınma ve Konaklama", False)


def test_a_deleted_group_comes_back_on_the_next_load():
    ServiceGroup.objects.filter(code="enkaz-kaldirma").delete()
    assert service_groups_load() == 1
    assert ServiceGroup.objects.get(code="enkaz-kaldirma").name == "Enkaz Kaldırma"
