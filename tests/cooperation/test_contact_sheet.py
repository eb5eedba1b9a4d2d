"""The emergency contact sheet (issue 16): who sees which contacts, the print page, the files
(with hostile values) and the export log, and a fixed number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cooperation.services.contacts import (
    capability_lines,
    capability_summary,
    contacts_visibility,
)
from municipalities.models import District, Municipality, Province
from ngos.models import NGO
from portal.models import AuditEntry, ExportLog
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    erzurum = Province.objects.get(plate=25)
    yakutiye = District.objects.get(province=erzurum, name="Yakutiye")
    oltu = District.objects.get(province=erzurum, name="Oltu")
    private = NGOFactory(
        name="Yakutiye Gizli İletişim Derneği",
        province=erzurum,
        district=yakutiye,
        email="gizli@dernek.test",
        phone="0 442 111 11 11",
        contacts_public=False,
    )
    public = NGOFactory(
        name='=HYPERLINK("http://kotu.test") Derneği',
        province=erzurum,
        district=oltu,
        email="acik@dernek.test",
        phone="0 442 222 22 22",
        contacts_public=True,
    )
    NGOFactory(name="Askıdaki Dernek", province=erzurum, status=NGO.Status.PENDING)
    NGOFactory(name="Kars Derneği", province=Province.objects.get(plate=36))
    CapabilityFactory(ngo=private, kind="shelter", hazard="earthquake", quantity=40, unit="tents")
    CapabilityFactory(ngo=public, kind="first_aid", hazard="any", quantity=6, unit="people")
    Municipality.objects.filter(province=25, kind="metropolitan").update(phone="0 442 444 25 25")
    return {"province": erzurum, "yakutiye": yakutiye, "private": private, "public": public}


def sheet(client, user, **query):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("cooperation:contact_sheet"), query)


def test_municipal_staff_and_coordinators_see_private_contacts(area, client):
    for user in (MunicipalStaffFactory().user, CoordinatorAssignmentFactory().user):
        page = sheet(client, user, province=25).content.decode()
        assert "gizli@dernek.test" in page and "acik@dernek.test" in page
        assert "0 442 444 25 25" in page  # the metropolitan municipality


def test_others_see_public_contacts_only_and_the_ngo_its_own(area, client):
    page = sheet(client, UserFactory(), province=25).content.decode()
    assert "Yakutiye Gizli İletişim Derneği" in page
    assert "gizli@dernek.test" not in page and "0 442 111 11 11" not in page
    assert "acik@dernek.test" in page
    own = MembershipFactory(ngo=area["private"]).user
    assert "gizli@dernek.test" in sheet(client, own, province=25).content.decode()


def test_the_sheets_visibility_agrees_with_the_rule_for_every_role(area):
    users = [
        UserFactory(),
        MembershipFactory(ngo=area["private"]).user,
        MembershipFactory(ngo=area["public"], role="admin").user,
        MunicipalStaffFactory().user,
        CoordinatorAssignmentFactory().user,
        UserFactory(is_staff=True, is_superuser=True),
    ]
    ngos = [area["private"], area["public"]]
    for user in users:
        shown = contacts_visibility(user)
        expected = [
            ngo.contacts_public or user.has_perm("ngos.view_private_contacts", ngo) for ngo in ngos
        ]
        assert [shown(ngo) for ngo in ngos] == expected, user
    # Not a rule that says yes (or no) to everyone: the plain user reads the public NGO only,
    # the private NGO's member its own.
    assert [contacts_visibility(users[0])(ngo) for ngo in ngos] == [False, True]
    assert [contacts_visibility(users[1])(ngo) for ngo in ngos] == [True, True]


def test_the_pages_capability_lines_are_the_files_summaries(area):
    ngo = area["private"]
    CapabilityFactory(ngo=ngo, kind="first_aid", hazard="flood", quantity=3, unit="people")
    expected = [capability_summary(c) for c in ngo.capabilities.order_by("kind", "hazard", "pk")]

    lines = capability_lines([ngo.pk, area["public"].pk])

    assert lines[ngo.pk] == expected and len(expected) == 2
    assert "Barınma: 40" in lines[ngo.pk][1] or "Barınma: 40" in lines[ngo.pk][0]


def test_only_verified_ngos_of_the_area_are_listed_with_their_capabilities(area, client):
    page = sheet(client, UserFactory(), province=25, district=area["yakutiye"].pk)
    text = page.content.decode()
    assert "Yakutiye Gizli İletişim Derneği" in text
    assert "HYPERLINK" not in text  # Oltu
    assert "Askıdaki Dernek" not in text and "Kars Derneği" not in text
    assert "40" in text  # the tents
    assert "Yakutiye Belediyesi" in text and "Erzurum Büyükşehir Belediyesi" in text


def test_anonymous_visitors_are_sent_to_log_in_and_bad_input_is_an_error(area, client):
    response = client.get(reverse("cooperation:contact_sheet"), {"province": 25})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(UserFactory())
    kars_district = District.objects.filter(province=36).first()
    response = client.get(
        en("cooperation:contact_sheet"), {"province": 25, "district": kars_district.pk}
    )
    assert "This district is not in the chosen province." in response.content.decode()
    response = client.get(en("cooperation:contact_sheet_export", "csv"), {"province": "xx"})
    assert response["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in response.content.decode()
    assert not ExportLog.objects.exists()


def _csv_rows(response):
    """The rows of a CSV export of a Turkish page (";"-separated, for Turkish Excel)."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_follows_the_privacy_rules_neutralises_formulas_and_is_logged(area, client):
    client.force_login(UserFactory())
    response = client.get(
        reverse("cooperation:contact_sheet_export", args=["csv"]), {"province": 25}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    by_name = {row[1]: row for row in rows if len(row) > 2}
    private = by_name["Yakutiye Gizli İletişim Derneği"]
    assert "gizli@dernek.test" not in private and "0 442 111 11 11" not in private
    hostile = next(row for name, row in by_name.items() if "HYPERLINK" in name)
    assert hostile[1].startswith("'=")
    assert "acik@dernek.test" in hostile
    assert "Erzurum Büyükşehir Belediyesi" in by_name
    log = ExportLog.objects.get()
    assert log.kind == "cooperation:contact_sheet" and log.filters["province"] == 25
    assert log.row_count == len(by_name) - 1  # less the heading row
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_xlsx_holds_the_private_contacts_for_municipal_staff(area, client):
    client.force_login(MunicipalStaffFactory().user)
    response = client.get(
        reverse("cooperation:contact_sheet_export", args=["xlsx"]), {"province": 25}
    )
    sheet_rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    cells = [cell for row in sheet_rows for cell in row if cell]
    assert "gizli@dernek.test" in cells
    assert any(isinstance(c, str) and c.startswith("'=HYPERLINK") for c in cells)
    assert client.get(reverse("cooperation:contact_sheet_export", args=["pdf"])).status_code == 404


def _queries(client, user, count):
    erzurum = Province.objects.get(plate=25)
    for index in range(count):
        ngo = NGOFactory(name=f"Sayım Derneği {index}", province=erzurum)
        CapabilityFactory(ngo=ngo)
        CapabilityFactory(ngo=ngo, kind="shelter", unit="tents")
    client.force_login(user)
    url = reverse("cooperation:contact_sheet")
    client.get(url, {"province": 25})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"province": 25})
    assert f"Sayım Derneği {count - 1}" in response.content.decode()
    return len(queries)


@pytest.mark.parametrize("count", [1, 20])
def test_the_sheet_runs_a_fixed_number_of_queries(client, count):
    assert _queries(client, MunicipalStaffFactory().user, count) == 12


def test_the_print_page_has_its_a4_print_rules():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in css and ".contact-sheet .contact-table" in css


@pytest.mark.django_db
def test_contact_sheet_ngo_order_index_exists():
    # ngos 0005: the verified NGOs of a province read in alphabetical order from one partial
    # index (the sheet walked every NGO's name before, dropping other provinces' 9 in 10).
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, NGO._meta.db_table)
    index = constraints["ngo_verified_province_name"]
    assert index["index"] and index["columns"] == ["province_id", "name_sort", "id"]
