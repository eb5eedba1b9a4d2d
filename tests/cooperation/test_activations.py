"""Activations end to end through the pages: opening one with its needs, calling NGOs from the
proposal, the NGO's answer, the coordination board, states on the ground, closing with the
after-action summary and its exports."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cooperation.models import Activation, ActivationLogEntry, Call, Delivery, Need, Response
from cooperation.services import maps, sms
from cooperation.services.activations import activation_figures
from municipalities.models import District, Municipality, Province
from portal import charts
from portal.models import Notification
from tests.factories import (
    ActivationFactory,
    CallFactory,
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NeedFactory,
    NGOFactory,
    ResponseFactory,
    ResponseItemFactory,
)
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()


def erzurum_bb():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


@pytest.fixture
def manager():
    return MunicipalStaffFactory(municipality=erzurum_bb(), role="manager").user


def opening_data(**overrides):
    data = {
        "municipality": erzurum_bb().pk,
        "hazard": "flood",
        "title": "Oltu çayı taşkını",
        "description": "Çay taştı, iki mahalle su altında.",
        "provinces": [25],
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "severity": 2,
        "needs-TOTAL_FORMS": 3,
        "needs-INITIAL_FORMS": 0,
        "needs-MIN_NUM_FORMS": 1,
        "needs-MAX_NUM_FORMS": 1000,
        "needs-0-kind": "shelter",
        "needs-0-quantity": 40,
        "needs-0-unit": "tents",
        "needs-0-place": "Oltu, Cumhuriyet Mahallesi",
        "needs-0-priority": 1,
        "needs-1-kind": "food_water",
        "needs-1-quantity": 500,
        "needs-1-unit": "meals_per_day",
        "needs-1-priority": 3,
        "needs-2-priority": 3,
    }
    data.update(overrides)
    return data


# --- opening ---------------------------------------------------------------------------------


def test_manager_opens_an_activation_with_its_needs(client, manager):
    client.force_login(manager)

    response = client.post(reverse("cooperation:activation_create"), opening_data())

    activation = Activation.objects.get()
    assert response.url == reverse("cooperation:propose", kwargs={"pk": activation.pk})
    assert activation.municipality == erzurum_bb() and activation.opened_by == manager
    assert activation.hazard == "flood" and activation.severity == 2
    assert not activation.is_exercise and activation.is_open
    assert list(activation.provinces.values_list("plate", flat=True)) == [25]
    assert sorted(activation.needs.values_list("kind", "quantity")) == [
        ("food_water", 500),
        ("shelter", 40),
    ]
    assert list(activation.log.values_list("verb", flat=True)) == [
        "opened",
        "need_added",
        "need_added",
    ]


def test_opening_with_errors_keeps_what_was_typed_and_explains(client, manager):
    client.force_login(manager)
    data = opening_data(**{"title": "", "needs-0-quantity": 0, "districts": [999999]})

    response = client.post(reverse("cooperation:activation_create"), data)

    assert response.status_code == 200 and not Activation.objects.exists()
    html = response.content.decode()
    assert "Oltu, Cumhuriyet Mahallesi" in html  # the need typed stays
    assert "Çay taştı" in html
    assert response.context["form"].errors["title"]
    assert response.context["needs"].forms[0].errors["quantity"]


def test_opening_needs_at_least_one_need(client, manager):
    client.force_login(manager)
    data = opening_data(**{"needs-0-kind": "", "needs-0-quantity": "", "needs-0-unit": ""})
    data.update({"needs-1-kind": "", "needs-1-quantity": "", "needs-1-unit": ""})
    data["needs-0-priority"] = data["needs-1-priority"] = 3

    response = client.post(reverse("cooperation:activation_create"), data)

    assert not Activation.objects.exists()
    # The first row must be filled in (min_num=1): its fields say what is missing.
    assert response.context["needs"].forms[0].errors["kind"]


def test_municipality_must_be_among_the_affected_provinces(client, manager):
    client.force_login(manager)

    response = client.post(reverse("cooperation:activation_create"), opening_data(provinces=[36]))

    assert not Activation.objects.exists()
    assert response.context["form"].errors["provinces"] == [
        "Etkilenen iller belediyenin kendi ilini içermelidir."
    ]


def test_regional_coordinator_opens_only_for_their_area(client):
    kars = Province.objects.get(plate=36)
    coordinator = CoordinatorAssignmentFactory(subregion=kars.subregion).user
    client.force_login(coordinator)
    data = opening_data(municipality="", provinces=[36], is_exercise="on")

    client.post(reverse("cooperation:activation_create"), data)
    refused = client.post(
        reverse("cooperation:activation_create"), opening_data(municipality="", provinces=[34])
    )

    activation = Activation.objects.get()
    assert activation.municipality is None and activation.is_exercise
    assert refused.status_code == 200 and refused.context["form"].errors["provinces"]


def test_staff_who_are_not_managers_may_not_open(client):
    staff = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff").user
    client.force_login(staff)

    assert client.get(reverse("cooperation:activation_create")).status_code == 403


# --- calling and delivering ------------------------------------------------------------------


@pytest.fixture
def flood(manager):
    activation = ActivationFactory(hazard="flood", title="Oltu taşkını")
    NeedFactory(activation=activation, kind="shelter", quantity=40, unit="tents")
    return activation


def ngo_with_people(name, *, phone="0532 111 22 33", kind="shelter", plate=25):
    ngo = NGOFactory(name=name, phone=phone, province=Province.objects.get(plate=plate))
    admin = MembershipFactory(ngo=ngo, role="admin").user
    member = MembershipFactory(ngo=ngo, role="member").user
    CapabilityFactory(ngo=ngo, kind=kind, hazard="any", quantity=30, unit="tents")
    return ngo, admin, member


def test_officer_calls_ngos_and_each_person_gets_it_in_app_by_email_and_sms(
    client, manager, flood, django_capture_on_commit_callbacks
):
    first, admin, member = ngo_with_people("Oltu Dayanışma Derneği")
    second, *_ = ngo_with_people("Aziziye Yardımlaşma Derneği", phone="0442 222 33 44")
    client.force_login(manager)

    page = client.get(reverse("cooperation:propose", kwargs={"pk": flood.pk}))
    assert {c.ngo for c in page.context["proposal"].candidates} == {first, second}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cooperation:propose", kwargs={"pk": flood.pk}),
            {"ngos": [first.pk, second.pk], "message": "Oltu spor salonunda toplanın."},
        )

    assert response.url == reverse("cooperation:board", kwargs={"pk": flood.pk})
    assert set(flood.calls.values_list("ngo__name", flat=True)) == {first.name, second.name}
    deliveries = Delivery.objects.filter(call__ngo=first)
    # Two people × (in-app + e-mail), and one SMS to the NGO's mobile number.
    assert sorted(deliveries.values_list("channel", flat=True)) == sorted(
        ["in_app", "in_app", "email", "email", "sms"]
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    # The second NGO has a landline: no SMS row for it.
    assert not Delivery.objects.filter(call__ngo=second, channel="sms").exists()
    notes = Notification.objects.filter(user__in=[admin, member])
    assert notes.count() == 2 and all("Oltu taşkını" in n.message for n in notes)
    assert all(n.url.endswith("/respond/") for n in notes)
    assert {m.to[0] for m in mail.outbox} >= {admin.email, member.email}
    assert "Oltu spor salonunda toplanın." in mail.outbox[0].body
    assert sms.outbox == [("+905321112233", sms.outbox[0][1])]
    assert "Oltu taşkını" in sms.outbox[0][1]
    assert flood.log.filter(verb="called").count() == 2


def test_the_proposal_shows_each_ngo_with_why_it_is_proposed(client, manager, flood):
    from tests.factories import ProtocolFactory, ProtocolPartyFactory

    oltu = District.objects.get(province=25, name="Oltu")
    near, *_ = ngo_with_people("<b>Oltu</b> Derneği")
    near.district, near.volunteers_count = oltu, 1
    near.save()
    partner = NGOFactory(name="Protokollü Dernek", province=Province.objects.get(plate=6))
    protocol = ProtocolFactory(active=True, hazard_flood=True, title="Taşkın protokolü")
    ProtocolPartyFactory(protocol=protocol, ngo=partner)
    client.force_login(manager)

    page = client.get(reverse("cooperation:propose", kwargs={"pk": flood.pk}))
    html = page.content.decode()

    # The partner first, ticked, with its protocol; the other one not ticked, with its district,
    # volunteers and what it declared; names escaped.
    cards = re.findall(r'<li class="card mb-2">(.*?)</div></li>', html, re.S)
    assert len(cards) == 2
    assert f'value="{partner.pk}" id="ngo-{partner.pk}" checked>' in cards[0]
    assert "Protokol tarafı</span> Taşkın protokolü ·" in cards[0]
    assert f'id="ngo-{near.pk}">' in cards[1] and "checked" not in cards[1]
    assert "&lt;b&gt;Oltu&lt;/b&gt; Derneği</label>" in cards[1]
    assert "Oltu, Erzurum" in cards[1] and "· 1 gönüllü" in cards[1]
    assert "<li>Barınma" in cards[1]


def test_a_called_ngo_is_not_proposed_or_called_twice(client, manager, flood):
    ngo, *_ = ngo_with_people("Oltu Dayanışma Derneği")
    CallFactory(activation=flood, ngo=ngo)
    client.force_login(manager)

    page = client.get(reverse("cooperation:propose", kwargs={"pk": flood.pk}))
    response = client.post(
        reverse("cooperation:propose", kwargs={"pk": flood.pk}), {"ngos": [ngo.pk]}
    )

    assert page.context["proposal"].candidates == []
    assert response.status_code == 200 and flood.calls.count() == 1


# --- the NGO's answer ------------------------------------------------------------------------


@pytest.fixture
def called(flood):
    ngo, admin, member = ngo_with_people("Oltu Dayanışma Derneği")
    call = CallFactory(
        activation=flood, ngo=ngo, sent_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    return call, admin, member


def answer_data(need, **overrides):
    data = {
        "version": 0,
        "availability": "partly",
        "people": 6,
        "vehicles": 1,
        "eta": (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "Ali Demir",
        "contact_phone": "0532 000 11 22",
        f"need_{need.pk}": 25,
    }
    data.update(overrides)
    return data


def test_called_ngo_answers_and_the_board_shows_it(client, manager, called):
    call, admin, _member = called
    need = call.activation.needs.get()
    client.force_login(admin)

    response = client.post(
        reverse("cooperation:respond", kwargs={"pk": call.activation_id, "call": call.pk}),
        answer_data(need),
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == "responded" and call.responded_at is not None
    answer = Response.objects.get(call=call)
    assert (answer.availability, answer.people, answer.version) == ("partly", 6, 1)
    assert list(answer.items.values_list("need_id", "pledged")) == [(need.pk, 25)]
    client.force_login(manager)
    board = client.get(reverse("cooperation:board", kwargs={"pk": call.activation_id}))
    html = board.content.decode()
    assert "Oltu Dayanışma Derneği" in html and "Kısmen katılabilir" in html and "Ali Demir" in html
    shelter = board.context["board"].needs[0]
    assert (shelter.quantity, shelter.pledged_total, shelter.arrived_total) == (40, 25, 0)
    assert 'hx-trigger="every 15s"' in html


def test_the_ngo_changes_its_answer_and_a_stale_form_is_refused(client, called):
    call, admin, member = called
    need = call.activation.needs.get()
    url = reverse("cooperation:respond", kwargs={"pk": call.activation_id, "call": call.pk})
    client.force_login(admin)
    client.post(url, answer_data(need))

    client.force_login(member)
    stale = client.post(url, answer_data(need, availability="available", people=20))
    fresh = client.post(url, answer_data(need, version=1, availability="not_available"))

    assert stale.status_code == 200
    assert "değiştirdi" in str(stale.context["form"].non_field_errors())
    assert "Ali Demir" in stale.content.decode()  # what was typed stays in the form
    assert fresh.status_code == 302
    answer = Response.objects.get(call=call)
    assert (answer.availability, answer.people, answer.version) == ("not_available", 0, 2)
    assert not answer.items.exists()
    assert list(
        call.activation.log.filter(verb__startswith="res").values_list("verb", flat=True)
    ) == ["responded", "response_changed"]


def test_an_answer_saying_nothing_is_sent_is_refused(client, called):
    call, admin, _member = called
    need = call.activation.needs.get()
    client.force_login(admin)
    data = answer_data(need, availability="available", people=0, vehicles=0)
    data[f"need_{need.pk}"] = 0

    response = client.post(
        reverse("cooperation:respond", kwargs={"pk": call.activation_id, "call": call.pk}), data
    )

    assert response.status_code == 200 and not Response.objects.exists()


def test_a_called_ngo_sees_its_call_not_the_board(client, called):
    call, _admin, member = called
    client.force_login(member)

    response = client.get(reverse("cooperation:board", kwargs={"pk": call.activation_id}))

    assert "board" not in response.context
    assert [c.pk for c in response.context["calls"]] == [call.pk]
    assert "Çağrıyı yanıtla" in response.content.decode()


# --- states, closing, summary ----------------------------------------------------------------


def test_officer_moves_the_ngo_on_site_and_pledged_items_arrive(client, manager, called):
    call, *_ = called
    item = ResponseItemFactory(
        response=ResponseFactory(call=call), need=call.activation.needs.get(), pledged=25
    )
    Call.objects.filter(pk=call.pk).update(state="responded", responded_at=timezone.now())
    client.force_login(manager)
    url = reverse("cooperation:call_state", kwargs={"pk": call.activation_id, "call": call.pk})

    client.post(url, {"from_state": "responded", "to_state": "on_the_way"})
    stale = client.post(url, {"from_state": "responded", "to_state": "released"})
    client.post(url, {"from_state": "on_the_way", "to_state": "on_site"})

    call.refresh_from_db()
    item.refresh_from_db()
    assert call.state == "on_site" and item.arrived == 25
    assert any("başka biri “Yolda” olarak değiştirdi" in m for m in messages_of(stale))
    assert call.activation.log.filter(verb="state_changed").count() == 2


def test_closing_writes_the_after_action_summary_and_exports_it(client, manager, flood):
    start = timezone.now() - datetime.timedelta(hours=3)
    need = flood.needs.get()
    delays = [10, 30, 50]
    for n, minutes in enumerate(delays):
        call = CallFactory(
            activation=flood,
            ngo=NGOFactory(name=f"Yardım Derneği {n}"),
            sent_at=start,
            responded_at=start + datetime.timedelta(minutes=minutes),
            state="on_site",
        )
        ResponseItemFactory(response=ResponseFactory(call=call), need=need, pledged=15, arrived=15)
    CallFactory(activation=flood, ngo=NGOFactory(name="Sessiz Dernek"), sent_at=start)
    client.force_login(manager)

    client.post(reverse("cooperation:activation_close", kwargs={"pk": flood.pk}))

    flood.refresh_from_db()
    assert flood.status == "closed" and flood.closed_by == manager
    text = flood.after_action_summary
    assert "Çağrılan STK: 4; yanıt veren: 3." in text
    assert "ilk yanıta kadar geçen süre: 0 sa 10 dk" in text
    assert "Medyan yanıt süresi: 0 sa 30 dk" in text
    assert "Karşılanan ihtiyaçlar: 1 ihtiyaçtan 1." in text
    assert "- Yardım Derneği 0: 8 kişi, 1 araç (Barınma 15/15)" in text
    csv_response = client.get(reverse("cooperation:summary_csv", kwargs={"pk": flood.pk}))
    rows = list(
        csv.reader(
            io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert ["Medyan yanıt süresi", "0 sa 30 dk"] in rows
    assert any(row[:1] == ["Sessiz Dernek"] for row in rows)
    xlsx = client.get(reverse("cooperation:summary_xlsx", kwargs={"pk": flood.pk}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Karşılanan ihtiyaçlar", "1/1"] in [row[:2] for row in values]
    printed = client.get(reverse("cooperation:summary", kwargs={"pk": flood.pk}))
    assert "Yardım Derneği 2" in printed.content.decode()
    # Once closed, nothing changes any more.
    again = client.post(
        reverse("cooperation:need_edit", kwargs={"pk": flood.pk, "need": need.pk}),
        {"kind": "shelter", "quantity": 99, "unit": "tents", "priority": 1, "version": 1},
    )
    assert again.status_code == 200 and Need.objects.get(pk=need.pk).quantity == 40


def test_two_officers_editing_the_same_need_one_is_told_of_the_conflict(client, manager, flood):
    need = flood.needs.get()
    colleague = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff").user
    url = reverse("cooperation:need_edit", kwargs={"pk": flood.pk, "need": need.pk})
    base = {"kind": "shelter", "unit": "tents", "priority": 2, "version": need.version}
    client.force_login(manager)
    client.post(url, {**base, "quantity": 60})
    client.force_login(colleague)

    conflict = client.post(url, {**base, "quantity": 80, "place": "Oltu merkez"})

    need.refresh_from_db()
    assert need.quantity == 60 and need.version == 2
    assert conflict.status_code == 200
    html = conflict.content.decode()
    assert "Oltu merkez" in html and "60" in html


# --- exercises and statistics ----------------------------------------------------------------


def test_exercises_are_kept_out_of_statistics_and_the_public_page(client):
    real = ActivationFactory(title="Gerçek taşkın", hazard="flood")
    drill = ActivationFactory(title="Deprem tatbikatı", is_exercise=True)
    CallFactory(activation=real)
    CallFactory(activation=drill)
    CallFactory(activation=drill)

    figures = activation_figures()
    page = client.get(reverse("cooperation:public_list"))

    assert (figures["activations"], figures["calls"]) == (1, 1)
    html = page.content.decode()
    assert "Gerçek taşkın" in html and "Deprem tatbikatı" not in html
    assert (
        client.get(reverse("cooperation:public_detail", kwargs={"pk": drill.pk})).status_code == 404
    )


# --- query counts ----------------------------------------------------------------------------


def _board_with(size):
    activation = ActivationFactory()
    needs = [NeedFactory(activation=activation, kind=k) for k in ("shelter", "first_aid")]
    for n in range(size):
        call = CallFactory(activation=activation, ngo=NGOFactory(name=f"Dernek {n}"))
        response = ResponseFactory(call=call)
        for need in needs:
            ResponseItemFactory(response=response, need=need)
        Delivery.objects.create(
            call=call, recipient=MembershipFactory(ngo=call.ngo).user, channel="email"
        )
        ActivationLogEntry.objects.create(activation=activation, verb="called")
    return activation


@pytest.mark.parametrize("size", [1, 12])
def test_board_query_count_does_not_grow_with_calls(client, manager, size):
    activation = _board_with(size)
    client.force_login(manager)
    url = reverse("cooperation:board", kwargs={"pk": activation.pk})

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert len(response.context["board"].calls) == size
    # session, user, roles (3), the board (9), the map (3), unread notifications
    assert len(queries) == 18


def _fill_of(html, plate):
    match = re.search(rf'<path d="[^"]*" fill="([^"]+)"[^>]*data-plate="{plate}"', html)
    assert match, f"no province {plate} on the map"
    return match.group(1)


def test_the_board_maps_the_affected_area_and_where_the_called_ngos_come_from(
    client, manager, flood
):
    flood.provinces.set([25])
    flood.districts.set([District.objects.get(province=25, name="Oltu")])
    kars, _admin, _member = ngo_with_people("Kars Arama Kurtarma", plate=36)
    erzurum, _admin, _member = ngo_with_people("Palandöken Yardım", plate=25)
    for ngo in (kars, erzurum):
        CallFactory(activation=flood, ngo=ngo)
    client.force_login(manager)
    url = reverse("cooperation:board", kwargs={"pk": flood.pk})

    page = client.get(url).content.decode()

    assert _fill_of(page, 25) == maps.AFFECTED
    assert _fill_of(page, 36) == maps.HELPING
    assert _fill_of(page, 24) == charts.OUT_OF_SCOPE  # Erzincan, a neighbour in the frame
    # Provinces wholly outside the frame are left out (a lighter page on a phone).
    assert 'data-plate="22"' not in page  # Edirne
    rows = client.get(url).context["map"].rows
    assert [(r.name, r.affected, r.districts, r.called) for r in rows] == [
        ("Erzurum", True, ["Oltu"], 1),
        ("Kars", False, [], 1),
    ]
    # The board's 15-second refresh does not draw the map again.
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert 'id="board"' in fragment.content.decode()
    assert "data-plate" not in fragment.content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_activation_list_query_count_does_not_grow(client, manager, size):
    for n in range(size):
        ActivationFactory(title=f"Etkinleştirme {n}")
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cooperation:activations"))

    assert len(response.context["activations"]) == size
    # session, user, roles (3), can open, the page's count and rows (2), provinces, the figures (2)
    assert len(queries) == 11


def test_the_list_counts_real_disasters_only_and_shows_fifty_a_page(client, manager):
    real = ActivationFactory(title="Gerçek taşkın", hazard="flood")
    CallFactory(activation=real)
    helped = CallFactory(activation=real)
    ResponseFactory(call=helped, availability="partly")
    for n in range(50):
        ActivationFactory(
            title=f"Tatbikat {n:02d}",
            is_exercise=True,
            status="closed",
            closed_at=timezone.now(),
            started_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
    client.force_login(CoordinatorAssignmentFactory(subregion=None).user)

    first = client.get(reverse("cooperation:activations"))
    second = client.get(reverse("cooperation:activations"), {"page": 2})

    assert first.context["figures"]["activations"] == 1
    assert (first.context["figures"]["calls"], first.context["figures"]["helped"]) == (2, 1)
    assert len(first.context["activations"]) == 50
    assert first.context["activations"][0] == real  # open ones first
    assert [a.title for a in second.context["activations"]] == ["Tatbikat 49"]  # the oldest
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_public_list_query_count_does_not_grow(client, size):
    for n in range(size):
        NeedFactory(activation=ActivationFactory(title=f"Taşkın {n}"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cooperation:public_list"))

    assert len(response.context["activations"]) == size
    assert len(queries) == 3
