import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import Municipality, SubRegion
from ngos.models import NGO
from ngos.services import imports as import_service
from ngos.views.imports import SESSION_PREFIX
from portal.models import Notification
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(settings.BASE_DIR) / "static" / "ngos" / "ngo-import-template.csv"
with translation.override("en"):
    UPLOAD = reverse("ngos:import_upload")
    CONFIRM = reverse("ngos:import_confirm")
    CANCEL = reverse("ngos:import_cancel")
    LOGIN = reverse("account_login")


@pytest.fixture
def coordinator(client):
    user = CoordinatorAssignmentFactory(subregion=None).user
    client.force_login(user)
    return user


@pytest.fixture
def registered(db):
    """The NGO whose registry number row 5 of errors.csv repeats."""
    return NGOFactory(name="Önceden Kayıtlı Dernek", registry_number="25-999-999")


@pytest.fixture
def regional(client):
    user = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    client.force_login(user)
    return user


def upload(client, content, name="stk.csv"):
    if isinstance(content, Path):
        name, content = content.name, content.read_bytes()
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv")})


def rows_by_number(response):
    return {row.number: row for row in response.context["check"].rows}


def confirm(client, response):
    return client.post(CONFIRM, {"key": response.context["key"]}, follow=True)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response):
    return " ".join(response.context["form"].errors["file"])


# Who may import


def test_upload_page_explains_the_format_to_a_coordinator(client, coordinator):
    html = client.get(UPLOAD).content.decode()
    assert 'accept=".csv,text/csv"' in html
    assert 'href="/static/ngos/ngo-import-template.csv"' in html
    assert "hukuki_statu" in html and "legal_form" in html and "faaliyet_alanlari" in html


def test_upload_page_names_the_subregions_of_a_regional_coordinator(client, regional):
    html = client.get(UPLOAD).content.decode()
    assert SubRegion.objects.get(code="14").name in html
    assert "Rows of other provinces are shown as errors." in html


def test_import_anonymous_is_sent_to_login(client):
    for response in (client.get(UPLOAD), client.post(CONFIRM, {"key": "x"})):
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("role", ["ngo_admin", "municipal_staff", "plain"])
def test_import_non_coordinators_get_403(client, role):
    if role == "ngo_admin":
        user = MembershipFactory(role="admin").user
    elif role == "municipal_staff":
        user = MunicipalStaffFactory().user
    else:
        user = UserFactory()
    client.force_login(user)
    before = NGO.objects.count()
    assert client.get(UPLOAD).status_code == 403
    response = upload(client, DATA / "regional.csv")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()
    assert client.post(CONFIRM, {"key": "x"}).status_code == 403
    assert NGO.objects.count() == before


def test_site_admin_may_import(client):
    client.force_login(UserFactory(is_staff=True))
    response = upload(client, DATA / "regional.csv")
    assert response.context["check"].new_count == 3
    assert "Import 3 NGOs" in response.content.decode()


def test_confirm_and_cancel_refuse_get(client, coordinator):
    assert client.get(CONFIRM).status_code == 405
    assert client.get(CANCEL).status_code == 405


# Preview


def test_preview_lists_row_errors_in_plain_language_and_writes_nothing(
    client, coordinator, registered
):
    before = NGO.objects.count()
    response = upload(client, DATA / "errors.csv")
    html = response.content.decode()
    rows = rows_by_number(response)

    assert rows[2].status == "new" and rows[2].errors == []
    assert rows[3].errors == ["unknown province 'Erzurm'"]
    assert rows[4].errors == ["duplicate registry number 25-300-001 (also in row 2)"]
    assert rows[5].status == "existing"
    assert rows[6].errors == ["email: Enter a valid email address."]
    assert rows[7].errors == ["name is missing"]
    assert rows[8].errors == ["unknown legal form 'şirket'"]
    check = response.context["check"]
    assert (check.new_count, check.existing_count, check.error_count) == (1, 1, 5)
    assert "unknown province &#x27;Erzurm&#x27;" in html
    assert "duplicate registry number 25-300-001 (also in row 2)" in html
    assert "Already registered — unchanged" in html
    assert "Nothing has been saved yet." in html
    assert "Import 1 NGO" in html
    assert NGO.objects.count() == before


def test_preview_keeps_only_plain_data_of_valid_rows_in_the_session(
    client, coordinator, registered
):
    response = upload(client, DATA / "errors.csv")
    stored = client.session[SESSION_PREFIX + response.context["key"]]
    assert stored["user"] == coordinator.pk
    assert stored["file_name"] == "errors.csv"
    assert [item["row"] for item in stored["rows"]] == [2]
    assert stored["rows"][0]["data"]["registry_number"] == "25-300-001"
    json.dumps(stored)  # plain data only


def test_preview_without_rows_to_create_offers_no_confirmation(client, coordinator):
    response = upload(client, b"ad;hukuki_statu;il\nX;dernek;Erzurm\n")
    html = response.content.decode()
    assert response.context["key"] is None
    assert "There is nothing to import from this file." in html
    assert CONFIRM not in html
    stored = dict(client.session.items())
    assert not any(key.startswith(SESSION_PREFIX) for key in stored)


# Confirm, cancel, idempotency


def test_windows_1254_semicolon_file_imports_turkish_names(client, coordinator):
    response = upload(client, DATA / "turkish_cp1254.csv")
    assert response.context["check"].new_count == 3
    confirm(client, response)
    names = set(NGO.objects.values_list("name", flat=True))
    assert names == {
        "Işık Gençlik ve Spor Kulübü Derneği",
        "İhtiyaç Sahiplerine Yardım Vakfı",
        "Çığ ve Afet Dayanışma Platformu",
    }
    isik = NGO.objects.get(registry_number="25-100-001")
    assert isik.slug == "isik-genclik-ve-spor-kulubu-dernegi"
    assert isik.contacts_public is True
    assert set(isik.activity_fields.values_list("code", flat=True)) == {"spor", "cocuk-genclik"}
    assert isik.district.name == "Palandöken"
    platform = NGO.objects.get(name="Çığ ve Afet Dayanışma Platformu")
    assert (platform.province.name, platform.district.name) == ("Ağrı", "Merkez")
    assert platform.municipality.name == "Ağrı Belediyesi"
    assert NGO.objects.get(registry_number="36-100-002").legal_form == "vakif"


def test_utf8_bom_comma_file_imports(client, coordinator):
    response = upload(client, DATA / "utf8_bom_comma.csv")
    assert response.context["check"].new_count == 2
    page = confirm(client, response)
    assert "2 NGOs were imported from utf8_bom_comma.csv." in messages_of(page)
    kadikoy = NGO.objects.get(registry_number="34-200-001")
    assert kadikoy.name == "Kadıköy Çevre Gönüllüleri Derneği"
    assert kadikoy.email == "info@example.org"
    assert set(kadikoy.activity_fields.values_list("code", flat=True)) == {"cevre", "egitim"}
    assert kadikoy.municipality.name == "Kadıköy Belediyesi"
    assert NGO.objects.get(name="Üsküdar Kent Gönüllüleri Girişimi").legal_form == "platform"


def test_confirm_imports_valid_rows_verified_with_default_municipality(
    client, coordinator, registered
):
    response = upload(client, DATA / "errors.csv")
    page = confirm(client, response)
    assert page.redirect_chain == [(UPLOAD, 302)]
    assert "1 NGO was imported from errors.csv." in page.content.decode()
    ngo = NGO.objects.exclude(pk=registered.pk).get()
    assert ngo.name == "Geçerli Örnek Derneği"
    assert ngo.status == NGO.Status.VERIFIED
    assert ngo.status_changed_by == coordinator
    assert ngo.status_changed_at is not None
    assert ngo.municipality == Municipality.objects.get(name="Yakutiye Belediyesi")
    assert ngo.slug == "gecerli-ornek-dernegi"
    assert not ngo.memberships.exists()


def test_reimporting_the_same_file_creates_nothing(client, coordinator):
    confirm(client, upload(client, DATA / "turkish_cp1254.csv"))
    assert NGO.objects.count() == 3
    response = upload(client, DATA / "turkish_cp1254.csv")
    check = response.context["check"]
    # The platform has no registry number: it is matched by name and province.
    assert (check.new_count, check.existing_count, check.error_count) == (0, 3, 0)
    assert response.context["key"] is None
    assert NGO.objects.count() == 3


def test_cancel_writes_nothing_and_forgets_the_file(client, coordinator):
    response = upload(client, DATA / "regional.csv")
    key = response.context["key"]
    page = client.post(CANCEL, {"key": key}, follow=True)
    assert "The import was cancelled; nothing was saved." in messages_of(page)
    assert SESSION_PREFIX + key not in client.session
    page = client.post(CONFIRM, {"key": key}, follow=True)
    assert "This import was already done or has expired." in messages_of(page)
    assert not NGO.objects.exists()


def test_confirming_twice_creates_nothing_the_second_time(client, coordinator):
    response = upload(client, DATA / "regional.csv")
    confirm(client, response)
    assert NGO.objects.count() == 3
    page = confirm(client, response)
    assert "This import was already done or has expired." in messages_of(page)
    assert NGO.objects.count() == 3


def test_confirm_with_an_unknown_key_does_nothing(client, coordinator):
    page = client.post(CONFIRM, {"key": "made-up"}, follow=True)
    assert "This import was already done or has expired." in messages_of(page)
    assert not NGO.objects.exists()


def test_confirm_checks_rows_again(client, coordinator):
    response = upload(client, DATA / "regional.csv")
    # Between preview and confirmation, one of the NGOs registers itself.
    kars = NGOFactory(name="Kars Örnek Derneği", registry_number="36-400-002", province_id=36)
    page = confirm(client, response)
    shown = messages_of(page)
    assert "2 NGOs were imported from regional.csv." in shown
    assert "1 row had been registered in the meantime and was left unchanged." in shown
    assert NGO.objects.filter(name="Kars Örnek Derneği").get() == kars
    assert NGO.objects.count() == 3


def test_confirm_skips_a_row_that_no_longer_passes(client, coordinator):
    response = upload(client, DATA / "regional.csv")
    # The coordinator's role is narrowed to Erzurum-Kars before confirming.
    coordinator.coordinator_assignments.all().delete()
    CoordinatorAssignmentFactory(user=coordinator, subregion=SubRegion.objects.get(code="14"))
    page = confirm(client, response)
    shown = " ".join(messages_of(page))
    assert "2 NGOs were imported from regional.csv." in shown
    assert "Row 4: İstanbul is outside your sub-regions" in shown
    assert not NGO.objects.filter(province_id=34).exists()


def test_confirm_integrity_error_saves_nothing(client, coordinator, monkeypatch):
    response = upload(client, DATA / "regional.csv")
    monkeypatch.setattr(import_service, "ngo_unique_slug", lambda name: "ayni-slug")
    page = confirm(client, response)
    assert any("nothing was saved" in message for message in messages_of(page))
    assert not NGO.objects.exists()
    assert SESSION_PREFIX + response.context["key"] not in client.session


def test_regional_coordinator_rows_outside_subregions_are_errors(client, regional):
    response = upload(client, DATA / "regional.csv")
    rows = rows_by_number(response)
    assert rows[2].status == rows[3].status == "new"
    assert rows[4].errors == ["İstanbul is outside your sub-regions"]
    confirm(client, response)
    assert set(NGO.objects.values_list("province_id", flat=True)) == {25, 36}


def test_example_file_imports_cleanly(client, coordinator):
    response = upload(client, EXAMPLE)
    assert response.context["check"].new_count == 2
    assert response.context["check"].error_count == 0


def test_preview_reports_every_problem_of_a_row(client, coordinator):
    content = (
        "ad;hukuki_statu;sicil_no;il;ilce;kurulus_yili;uye_sayisi;faaliyet_alanlari;iletisim_acik\n"
        "Eksik Bilgili Dernek;dernek;;Kars;Kadıköy;1700;çok;egitim|Uzay;belki\n"
        "Sayılı Dernek;Meslek Odası;;36;;1998;1.250;;\n"
    ).encode("cp1254")
    response = upload(client, content)
    rows = rows_by_number(response)
    assert sorted(rows[2].errors) == sorted(
        [
            "unknown district 'Kadıköy' in Kars",
            "unknown field of activity 'Uzay'",
            "iletisim_acik: 'belki' is not yes or no (evet or hayır)",
            "sicil_no: Associations and foundations have a registry number (DERBİS or VGM).",
            "kurulus_yili: Ensure this value is greater than or equal to 1800.",
            "uye_sayisi: Enter a whole number.",
        ]
    )
    assert rows[3].status == "new"
    assert rows[3].data["legal_form"] == "meslek_odasi"
    assert rows[3].data["members_count"] == "1250"


@pytest.mark.parametrize("size", [1, 5])
def test_preview_renders_without_queries_whatever_the_number_of_rows(rf, coordinator, size):
    lines = ["ad;hukuki_statu;sicil_no;il;ilce"] + [
        f"Örnek Dernek {n};dernek;25-500-{n:03d};Erzurum;Yakutiye" for n in range(size)
    ]
    table = import_service.import_file_parse("\n".join(lines).encode())
    check = import_service.ngo_import_check(table=table, by=coordinator)
    request = rf.post(UPLOAD)
    request.user = coordinator
    context = {"check": check, "key": "k", "file_name": "stk.csv"}
    render_to_string("ngos/import_preview.html", context, request=request)  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("ngos/import_preview.html", context, request=request)
    assert html.count("To be created</span>") == size
    assert len(queries) == 0


# Files refused as a whole


def test_oversized_file_is_refused(client, coordinator):
    response = upload(client, b"ad;hukuki_statu;il\n" + b"x" * (5 * 1024 * 1024))
    assert response.status_code == 200
    assert "files of at most 5.0\xa0MB can be imported here" in form_errors(response)
    assert "check" not in response.context


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\xef\xbb\xbf \r\n\r\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV text file."),
        (bytes(range(256)) * 4, "This is not a CSV text file."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is not a CSV text file."),
        (b"Dernek A;vakif;25\nDernek B;vakif;25\n", "The first row is not a header"),
        (b"ad;hukuki_statu;il\n", "The file has a header row but no rows to import."),
        (
            b"ad;il;renk\nX;25;mavi\n",
            "Required columns missing: hukuki_statu (legal_form).",
        ),
        (b"ad;hukuki_statu;il;renk\nX;dernek;25;mavi\n", "Unknown columns: renk."),
    ],
)
def test_unreadable_file_is_refused_clearly(client, coordinator, content, message):
    response = upload(client, content)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert message.split(" (")[0].split(":")[0] in response.content.decode()


def test_file_with_too_many_rows_is_refused_on_the_web(client, coordinator):
    content = "ad;hukuki_statu;il\n" + "Dernek;dernek;25\n" * 5_001
    response = upload(client, content.encode())
    assert "The file has 5001 rows; at most 5000 rows" in form_errors(response)
    assert not NGO.objects.exists()


def test_header_names_ignore_case_and_turkish_letters():
    table = import_service.import_file_parse("AD,Hukuki Statü,İL\nX,dernek,25\n".encode("cp1254"))
    assert table.headers == {"name": "AD", "legal_form": "Hukuki Statü", "province": "İL"}
    assert table.records[0].values == {"name": "X", "legal_form": "dernek", "province": "25"}


def test_blank_rows_are_skipped_and_rows_keep_spreadsheet_numbers():
    table = import_service.import_file_parse(b"ad;hukuki_statu;il\n;;\nX;dernek;25\n")
    assert [record.number for record in table.records] == [3]


# The management command


def test_command_creates_rows_and_prints_summary(registered):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_ngos", str(DATA / "errors.csv"), stdout=out, stderr=err)
    output = out.getvalue()
    created = NGO.objects.exclude(pk=registered.pk).get()
    assert created.name == "Geçerli Örnek Derneği"
    assert created.status == NGO.Status.VERIFIED
    assert created.status_changed_by is None
    assert "Created: 1" in output
    assert "Already registered (unchanged): 1" in output
    assert "Errors: 5" in output
    assert "Row 3: unknown province 'Erzurm'" in output
    assert "\r  7/7 rows" in err.getvalue()


def test_command_dry_run_writes_nothing(db):
    out = io.StringIO()
    call_command(
        "import_ngos", str(DATA / "regional.csv"), "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "Dry run: nothing was written." in out.getvalue()
    assert "Would be created: 3" in out.getvalue()
    assert not NGO.objects.exists()


def test_command_again_leaves_rows_unchanged(db):
    call_command(
        "import_ngos", str(DATA / "regional.csv"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    out = io.StringIO()
    call_command("import_ngos", str(DATA / "regional.csv"), stdout=out, stderr=io.StringIO())
    assert "Created: 0" in out.getvalue()
    assert "Already registered (unchanged): 3" in out.getvalue()
    assert NGO.objects.count() == 3


def test_command_as_regional_coordinator_keeps_to_their_subregions(db):
    user = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "import_ngos",
            str(DATA / "regional.csv"),
            "--as",
            user.email.upper(),
            stdout=out,
            stderr=io.StringIO(),
        )
    assert "Row 4: İstanbul is outside your sub-regions" in out.getvalue()
    assert set(NGO.objects.values_list("province_id", flat=True)) == {25, 36}
    assert set(NGO.objects.values_list("status_changed_by", flat=True)) == {user.pk}


def test_command_refuses_unknown_or_unauthorised_users(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_ngos", str(DATA / "regional.csv"), "--as", "nobody@example.test")
    user = MembershipFactory(role="admin").user
    with pytest.raises(CommandError, match="may not import NGOs"):
        call_command("import_ngos", str(DATA / "regional.csv"), "--as", user.email)
    assert NGO.objects.count() == 1  # the membership's own NGO


def test_command_refuses_an_unreadable_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ngos", str(tmp_path / "missing.csv"))
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)))
    with pytest.raises(CommandError, match="not a CSV text file"):
        call_command("import_ngos", str(garbage))


def test_command_writes_in_batches_and_stops_at_a_failing_one(db, monkeypatch):
    from ngos.management.commands import import_ngos

    monkeypatch.setattr(import_ngos, "BATCH_SIZE", 2)
    slugs = iter(["bir", "iki", "iki", "dort"])
    monkeypatch.setattr(import_service, "ngo_unique_slug", lambda name: next(slugs))
    with pytest.raises(CommandError, match=r"Batch 2 \(rows 4–4\) failed"):
        call_command(
            "import_ngos", str(DATA / "regional.csv"), stdout=io.StringIO(), stderr=io.StringIO()
        )
    # The first batch (rows 2 and 3) was committed; the second rolled back.
    assert set(NGO.objects.values_list("slug", flat=True)) == {"bir", "iki"}


def test_a_large_import_runs_on_the_worker_and_tells_the_coordinator(
    client, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.NGO_IMPORT_ROWS_IN_REQUEST = 1
    response = upload(client, DATA / "regional.csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = confirm(client, response)
    assert any("being imported in the background" in m for m in messages_of(page))
    assert not NGO.objects.exists()  # nothing in the request itself
    assert len(callbacks) == 1
    callbacks[0]()  # the task (eager without a broker)
    created = NGO.objects.count()
    assert created == 3  # every row of the file, for a national coordinator
    [note] = Notification.objects.filter(user=coordinator, kind="import")
    # In the coordinator's language (Turkish), whatever the language of the request.
    assert f"regional.csv içe aktarımı tamamlandı: {created} STK oluşturuldu" in note.message
    assert SESSION_PREFIX + response.context["key"] not in client.session


def test_a_background_import_stopped_by_a_conflict_saves_nothing_and_says_so(
    client, coordinator, monkeypatch
):
    from ngos.tasks import import_ngos

    response = upload(client, DATA / "regional.csv")
    rows = client.session[SESSION_PREFIX + response.context["key"]]["rows"]
    monkeypatch.setattr(import_service, "ngo_unique_slug", lambda name: "ayni-slug")
    import_ngos(rows=rows, user_id=coordinator.pk, file_name="x.csv")
    assert not NGO.objects.exists()
    [note] = Notification.objects.filter(user=coordinator, kind="import")
    assert "hiçbir şey kaydedilmedi" in note.message
