"""Report tables list places in Turkish alphabetical order when their figures tie."""

import datetime

import time_machine

from municipalities.models import Municipality
from portal.turkish import sort_key
from reports.services.figures import Filters, Scope, responsiveness
from tests.factories import NGOFactory
from tests.reports.test_reports import NOW, _case, _submitted, campaign  # noqa: F401 (fixture)

# Host provinces of sub-regions whose names start with Ç, İ, D, A, B, K: İstanbul (01),
# Çukurova-Hatay (07, Adana), Ankara-Eskişehir (08), Batı Karadeniz (11, Zonguldak),
# Dicle (17, Diyarbakır), Konya Bölümü (09).
PLATES = [34, 1, 6, 67, 21, 42]


def test_responsiveness_ties_are_in_turkish_order(campaign):  # noqa: F811
    for plate in PLATES:
        metropolitan = Municipality.objects.filter(province=plate).order_by("kind", "pk").first()
        submission = _submitted(
            campaign,
            NGOFactory(province=metropolitan.province),
            NOW - datetime.timedelta(days=5),
        )
        _case(submission, 1, metropolitan)
    with time_machine.travel(NOW, tick=False):
        subregions = [
            r["name"] for r in responsiveness(campaign, Scope(), Filters(), by="subregion")
        ]
        provinces = [r["name"] for r in responsiveness(campaign, Scope(), Filters(), by="province")]
    assert subregions == sorted(subregions, key=sort_key)
    assert subregions.index("Çukurova-Hatay") == subregions.index("Batı Karadeniz") + 1
    assert subregions[-2:] == ["İstanbul", "Konya Bölümü"]
    assert provinces == sorted(provinces, key=sort_key)
    assert provinces.index("İstanbul") > provinces.index("Diyarbakır")
