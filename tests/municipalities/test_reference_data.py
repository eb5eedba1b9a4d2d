import unicodedata

import pytest
from django.db import IntegrityError
from django.db.models import Count, F, Q

from municipalities.models import (
    District,
    GeographicRegion,
    Municipality,
    MunicipalityKind,
    Province,
    SubRegion,
)
from municipalities.services import reference_data_load

pytestmark = pytest.mark.django_db


def test_seven_regions_seventeen_subregions_81_provinces():
    assert GeographicRegion.objects.count() == 7
    assert SubRegion.objects.count() == 17
    assert Province.objects.count() == 81
    assert sorted(Province.objects.values_list("plate", flat=True)) == list(range(1, 82))


def test_provinces_per_region_follow_the_standard_split():
    per_region = dict(
        GeographicRegion.objects.annotate(n=Count("provinces")).values_list("name", "n")
    )
    assert per_region == {
        "Marmara": 11,
        "Ege": 8,
        "Akdeniz": 8,
        "İç Anadolu": 13,
        "Karadeniz": 18,
        "Doğu Anadolu": 14,
        "Güneydoğu Anadolu": 9,
    }


def test_known_faults_of_other_sources_are_corrected():
    assert Province.objects.get(plate=38).is_metropolitan  # Kayseri
    assert Province.objects.get(plate=18).region.name == "İç Anadolu"  # Çankırı
    assert Province.objects.get(plate=30).region.name == "Doğu Anadolu"  # Hakkari
    assert Province.objects.filter(is_metropolitan=True).count() == 30


def test_every_subregion_lies_in_one_region_and_contains_its_host():
    for subregion in SubRegion.objects.prefetch_related("provinces"):
        regions = {p.region_id for p in subregion.provinces.all()}
        assert regions == {subregion.region_id}, subregion
        assert subregion.host_province in subregion.provinces.all(), subregion
        assert subregion.is_provisional


def test_erzurum_hosts_the_erzurum_kars_subregion():
    erzurum = Province.objects.get(plate=25)
    assert erzurum.subregion.name == "Erzurum-Kars"
    assert erzurum.subregion.host_province == erzurum


def test_districts_973_with_51_central_ones_in_non_metropolitan_provinces():
    assert District.objects.count() == 973
    central = District.objects.filter(is_central=True)
    assert central.count() == 51
    assert not central.filter(province__is_metropolitan=True).exists()
    assert set(central.values_list("province__plate", flat=True)) == set(
        Province.objects.filter(is_metropolitan=False).values_list("plate", flat=True)
    )


def test_municipalities_1393_by_kind():
    counts = dict(Municipality.objects.values_list("kind").annotate(n=Count("id")))
    assert counts == {
        MunicipalityKind.METROPOLITAN: 30,
        MunicipalityKind.PROVINCIAL: 51,
        MunicipalityKind.DISTRICT: 922,
        MunicipalityKind.TOWN: 390,
    }
    assert Municipality.objects.count() == 1393


def test_municipality_hierarchy_links():
    district_level = Municipality.objects.filter(kind=MunicipalityKind.DISTRICT)
    # District municipalities of metropolitan provinces sit under the metropolitan municipality.
    assert not district_level.filter(province__is_metropolitan=True, parent__isnull=True).exists()
    assert not district_level.filter(province__is_metropolitan=False, parent__isnull=False).exists()
    assert (
        not district_level.exclude(parent__province=F("province"))
        .filter(parent__isnull=False)
        .exists()
    )
    # No district municipality for a central district; towns only in non-metropolitan provinces.
    assert not district_level.filter(district__is_central=True).exists()
    assert not Municipality.objects.filter(
        kind=MunicipalityKind.TOWN, province__is_metropolitan=True
    ).exists()
    assert (
        not Municipality.objects.exclude(district__province=F("province"))
        .filter(district__isnull=False)
        .exists()
    )


def test_names_are_nfc_and_towns_repaired():
    for name in Municipality.objects.values_list("name", flat=True):
        assert unicodedata.is_normalized("NFC", name), name
        assert "\u0307" not in name
    towns = set(
        Municipality.objects.filter(kind=MunicipalityKind.TOWN).values_list("name", flat=True)
    )
    for repaired in [
        "Çakırhüyük",
        "Pınarbaşı",
        "Değirmenayvalı",
        "İnlice",
        "Kılıçarslan",
        "Işıklar",
        "Bahçeli",
        "Türkeli",
    ]:
        assert f"{repaired} Belediyesi" in towns
    assert "Arzularkabaköy Belediyesi" not in towns


def test_named_municipalities_exist():
    erzurum = Municipality.objects.get(slug="erzurum-bb")
    assert erzurum.name == "Erzurum Büyükşehir Belediyesi"
    yakutiye = Municipality.objects.get(name="Yakutiye Belediyesi")
    assert yakutiye.parent == erzurum
    kars = Municipality.objects.get(province__plate=36, kind=MunicipalityKind.PROVINCIAL)
    assert kars.name == "Kars Belediyesi"
    assert kars.district.is_central


def test_loading_again_creates_nothing_and_keeps_admin_edits():
    erzurum_bb = Municipality.objects.get(slug="erzurum-bb")
    erzurum_bb.phone = "0 442 000 00 00"
    erzurum_bb.save()
    kars = Province.objects.get(plate=36)
    kars.subregion = SubRegion.objects.get(code="15")
    kars.save()

    result = reference_data_load()

    assert result.total_created == 0
    assert Municipality.objects.get(slug="erzurum-bb").phone == "0 442 000 00 00"
    assert Province.objects.get(plate=36).subregion.code == "15"


def test_loading_restores_a_deleted_row():
    Municipality.objects.filter(kind=MunicipalityKind.TOWN, name="Işıklar Belediyesi").delete()
    result = reference_data_load()
    assert result.created["municipalities"] == 1
    assert Municipality.objects.filter(name="Işıklar Belediyesi").exists()


def test_database_refuses_a_second_metropolitan_municipality_in_a_province():
    erzurum = Province.objects.get(plate=25)
    with pytest.raises(IntegrityError):
        Municipality.objects.create(
            name="İkinci Büyükşehir",
            slug="ikinci",
            kind=MunicipalityKind.METROPOLITAN,
            province=erzurum,
        )


def test_database_refuses_a_town_without_district():
    with pytest.raises(IntegrityError):
        Municipality.objects.create(
            name="Yersiz Belde",
            slug="yersiz",
            kind=MunicipalityKind.TOWN,
            province=Province.objects.get(plate=36),
        )


def test_database_refuses_a_plate_outside_1_to_81():
    province = Province.objects.get(plate=25)
    with pytest.raises(IntegrityError):
        Province.objects.create(
            plate=82,
            name="Yok",
            slug="yok",
            region=province.region,
            subregion=province.subregion,
            nuts1="TRX",
            nuts2="TRX1",
            nuts3="TRX99",
        )


def test_search_keys_are_stored_for_bulk_loaded_rows():
    assert Province.objects.filter(name_search="sanliurfa").get().plate == 63
    assert not Municipality.objects.filter(Q(name_search="") | Q(name_sort="")).exists()
