"""Regional programmes: the public list and page, the calendar file, the coordinators' top
expectations panel, creating and editing programmes with speakers and agenda, and the minutes."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.services.programmes import seed_events
from events.models import AgendaItem, Event, Registration, Speaker
from municipalities.models import Municipality, Province, SubRegion
from ngos.models import NGO
from reports.services import facts
from surveys.models import Category, Submission
from tests.events.factories import (
    AgendaItemFactory,
    EventFactory,
    RegistrationFactory,
    SpeakerFactory,
)
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

TURKIYE = zoneinfo.ZoneInfo("Europe/Istanbul")


def erzurum_kars():
    return SubRegion.objects.get(code="14")


def orta_karadeniz():
    return SubRegion.objects.get(code="12")


def samsun_event(**fields):
    return EventFactory(
        subregion=orta_karadeniz(), host_province=Province.objects.get(plate=55), **fields
    )


@pytest.fixture
def regional():
    """The coordinator of sub-region 14 (Erzurum-Kars)."""
    user = UserFactory(email="bolge@example.test", full_name="Mehmet Şahin")
    CoordinatorAssignmentFactory(user=user, subregion=erzurum_kars())
    return user


@pytest.fixture
def other_regional():
    """The coordinator of sub-region 12 (Orta Karadeniz)."""
    user = UserFactory(email="karadeniz@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=orta_karadeniz())
    return user


@pytest.fixture
def ngo_member():
    return MembershipFactory(user=UserFactory(email="uye@example.test")).user


def days_from_now(days, hour=10):
    """A Türkiye-time moment ``days`` from today at ``hour`` o'clock."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=TURKIYE)


def typed(moment):
    """A moment as a datetime-local input sends it (Türkiye time)."""
    return moment.astimezone(TURKIYE).strftime("%Y-%m-%dT%H:%M")


# --- Public list ------------------------------------------------------------------------------


def titles_on(response):
    return [event.title for event in response.context["page"].object_list]


def test_list_shows_upcoming_by_default_and_past_on_its_tab(client):
    EventFactory(title="Yaklaşan program", starts_at=days_from_now(20))
    EventFactory(title="Geçmiş program", starts_at=days_from_now(-20))

    upcoming = client.get(en("events:list"))
    past = client.get(en("events:list"), {"when": "past"})

    assert titles_on(upcoming) == ["Yaklaşan program"]
    assert titles_on(past) == ["Geçmiş program"]
    assert 'aria-current="page">Past</a>' in past.content.decode()


def test_list_orders_upcoming_soonest_first_and_past_latest_first(client):
    for days, title in [(40, "Sonra"), (10, "Önce"), (-40, "Eski"), (-10, "Yeni")]:
        EventFactory(title=title, starts_at=days_from_now(days))

    assert titles_on(client.get(en("events:list"))) == ["Önce", "Sonra"]
    assert titles_on(client.get(en("events:list"), {"when": "past"})) == ["Yeni", "Eski"]


def test_list_filters_by_subregion_and_host_province(client):
    EventFactory(title="Erzurum programı")
    samsun_event(title="Samsun programı")

    by_subregion = client.get(en("events:list"), {"subregion": orta_karadeniz().pk})
    by_province = client.get(en("events:list"), {"province": 25})

    assert titles_on(by_subregion) == ["Samsun programı"]
    assert titles_on(by_province) == ["Erzurum programı"]


def test_list_shows_time_venue_seats_and_cancelled_state(client):
    EventFactory(
        title="Dolmak üzere",
        starts_at=days_from_now(30, hour=10),
        venue="Kültür Merkezi",
        capacity=40,
        seats_taken=38,
    )
    EventFactory(title="İptal edilen", starts_at=days_from_now(35), state=Event.State.CANCELLED)

    html = client.get(en("events:list")).content.decode()

    dolmak, iptal = html.split("Dolmak üzere")[1].split("İptal edilen")
    assert "10:00" in dolmak and "16:00" in dolmak and "Türkiye time" in dolmak
    assert "Kültür Merkezi" in dolmak and "Erzurum" in dolmak
    assert "2 of 40 seats" in dolmak
    assert "Cancelled" in iptal and "Cancelled" not in dolmak


def test_list_invalid_filters_show_errors_not_a_crash(client):
    EventFactory()

    response = client.get(
        en("events:list"), {"subregion": "abc", "province": "999", "when": "tomorrow", "page": "x"}
    )

    assert response.status_code == 200
    assert titles_on(response) == []
    assert {"subregion", "province", "when"} <= set(response.context["filter"].errors)
    assert "Some filter values were not valid" in response.content.decode()


def test_list_htmx_request_gets_only_the_results(client):
    EventFactory(title="Erzurum programı")

    response = client.get(en("events:list"), {"province": 25}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "Erzurum programı" in html and "<html" not in html


@pytest.mark.parametrize("size", [1, 5])
def test_list_query_count_does_not_grow_with_programmes(client, size):
    for _ in range(size):
        EventFactory(host_municipality=Municipality.objects.get(province=25, kind="metropolitan"))
    url = en("events:list")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert len(titles_on(response)) == size
    assert len(queries) == 4  # the two filter choice lists, the count, the page


# --- Programme page and calendar -------------------------------------------------------------


@pytest.fixture
def erzurum_programme(demo):
    seed_events()
    return Event.objects.get(slug="erzurum-bb")


def test_erzurum_programme_page_shows_all_five_speakers(client, erzurum_programme):
    response = client.get(en("events:detail", "erzurum-bb"))

    html = response.content.decode()
    assert erzurum_programme.title in html
    assert "İbrahim Erkal Dadaş Kültür ve Sanat Merkezi" in html
    assert "12 May 2025" in html and "10:00" in html and "16:00" in html
    assert "Erzurum Büyükşehir Belediyesi" in html and "Erzurum-Kars" in html
    for name, position in [
        ("Mehmet Yeloğlu", "Genel Başkan, Türkiye Belediye Başkanları Birliği"),
        ("Zafer Aynalı", "Genel Sekreter, Erzurum Büyükşehir Belediyesi"),
        ("Murat Güven", "Sivil Toplumla İlişkiler Müdürü"),
        ("Hüseyin Bozhalil", "Erzurum İl Temsilcisi, Türkiye Belediye Başkanları Birliği"),
        ("Sermet Başaran", "Proje Koordinatörü"),
    ]:
        assert name in html
        assert position in html
    assert "Beş beklenti çalıştayı" in html
    assert "This programme has been held." in html
    assert "Erzurum Dadaşlar Dayanışma Derneği" in html  # minutes: organisations present


def test_demo_programmes_are_seeded_once_with_real_seat_counts(erzurum_programme):
    seed_events()  # idempotent

    assert erzurum_programme.state == Event.State.HELD
    assert erzurum_programme.speakers.count() == 5
    assert erzurum_programme.campaign.code == "2025"
    attended = erzurum_programme.registrations.filter(status=Registration.Status.ATTENDED)
    assert attended.count() == erzurum_programme.seats_taken >= 5
    assert {"ngo@demo.test", "municipality@demo.test"} <= {r.user.email for r in attended}
    upcoming = Event.objects.upcoming().exclude(subregion__code="14")
    assert upcoming.values("subregion").distinct().count() >= 2
    full = upcoming.get(capacity=40)
    assert full.seats_taken == 38 == full.registrations.filter(status="registered").count()


def test_detail_shows_remaining_seats_deadline_and_campaign(client):
    campaign = CampaignFactory(code="k-detail", title="2025 Beş Beklenti Anketi")
    event = EventFactory(capacity=120, seats_taken=20, campaign=campaign)

    html = client.get(en("events:detail", event.slug)).content.decode()

    assert "100 of 120 seats" in html
    assert "Registration deadline" in html
    assert en("surveys:campaign_detail", "k-detail") in html
    assert en("events:ics", event.slug) in html


def test_detail_of_a_cancelled_programme_says_so(client):
    event = EventFactory(state=Event.State.CANCELLED)

    html = client.get(en("events:detail", event.slug)).content.decode()

    assert "This programme has been cancelled." in html


def test_detail_of_an_unknown_programme_is_404(client):
    assert client.get(en("events:detail", "yok-boyle-bir-program")).status_code == 404


def test_calendar_file_has_utc_times_escaped_text_and_crlf(client):
    start = datetime.datetime(2025, 5, 12, 10, 0, tzinfo=TURKIYE)
    event = EventFactory(
        title="Belediyeler, STK'lar; ve iş birliği",
        slug="erzurum-ics",
        starts_at=start,
        ends_at=start.replace(hour=16),
        registration_deadline=start - datetime.timedelta(days=2),
    )

    response = client.get(en("events:ics", event.slug))

    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="erzurum-ics.ics"'
    assert "DTSTART:20250512T070000Z\r\n" in body
    assert "DTEND:20250512T130000Z\r\n" in body
    assert "SUMMARY:Belediyeler\\, STK'lar\\; ve iş birliği\r\n" in body
    assert "\n" not in body.replace("\r\n", "")
    assert body.endswith("END:VCALENDAR\r\n")


def submit(ngo, campaign, categories_by_rank):
    """A submitted answer of the NGO ranking the given categories 1, 2, …"""
    submission = SubmissionFactory(
        ngo=ngo,
        campaign=campaign,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        receipt_number=f"R-{ngo.pk}-{campaign.pk}",
    )
    for rank, category in enumerate(categories_by_rank, start=1):
        ExpectationFactory(submission=submission, rank=rank, category=category)
    return submission


@pytest.fixture
def ranked_campaign():
    """Three verified Erzurum-Kars NGOs ranking categories c1…c6, plus answers that must not
    count: an NGO of another sub-region, an unverified NGO, a draft and another campaign."""
    c = list(Category.objects.filter(is_active=True).order_by("code")[:6])
    campaign = CampaignFactory(code="k-borda")
    kars = Province.objects.get(plate=36)
    submit(NGOFactory(), campaign, [c[0], c[1], c[2], c[3], c[4]])
    submit(NGOFactory(province=kars), campaign, [c[1], c[0], c[2], c[4], c[3]])
    submit(NGOFactory(), campaign, [c[1], c[3], c[0], c[5], c[2]])
    # Not counted:
    submit(NGOFactory(province=Province.objects.get(plate=34)), campaign, [c[5]] * 1)
    submit(NGOFactory(status=NGO.Status.PENDING), campaign, [c[5]])
    draft = SubmissionFactory(ngo=NGOFactory(), campaign=campaign)
    ExpectationFactory(submission=draft, rank=1, category=c[5])
    submit(NGOFactory(), CampaignFactory(code="k-other"), [c[5]])
    return campaign, c


def test_coordinator_sees_top_expectations_with_borda_scores(client, regional, ranked_campaign):
    campaign, c = ranked_campaign
    event = EventFactory(campaign=campaign)
    client.force_login(regional)

    response = client.get(en("events:detail", event.slug))

    panel = response.context["expectations"]
    rows = [(row["code"], row["score"], row["mentions"]) for row in panel]
    # c1: 5+4+3, c2: 4+5+5, c3: 3+3+1, c4: 2+1+4, c5: 1+2; c6 (2) is sixth; ties by code.
    assert rows == [
        (c[1].code, 14, 3),
        (c[0].code, 12, 3),
        (c[2].code, 7, 3),
        (c[3].code, 7, 3),
        (c[4].code, 3, 2),
    ]
    html = response.content.decode()
    assert "Top expectations of Erzurum-Kars" in html
    assert c[1].name_en in html
    assert en("events:edit", event.slug) in html
    assert en("events:minutes", event.slug) in html


@pytest.mark.parametrize("who", ["anonymous", "ngo_member", "other_regional"])
def test_others_do_not_see_top_expectations_or_management_links(
    client, request, who, ranked_campaign
):
    campaign, c = ranked_campaign
    event = EventFactory(campaign=campaign)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(en("events:detail", event.slug))

    html = response.content.decode()
    assert response.context["expectations"] is None
    assert "Top expectations of" not in html
    assert c[1].name_en not in html
    assert en("events:edit", event.slug) not in html


@pytest.mark.parametrize("size", [1, 5])
def test_detail_query_count_does_not_grow_with_agenda(
    client, regional, ranked_campaign, size, settings
):
    campaign, _ = ranked_campaign
    # As with a worker: the reports' copy of the cases is current (reports/services/facts.py).
    settings.REPORT_FACTS_MAX_AGE = 3600
    facts.rebuild_all()
    event = EventFactory(
        campaign=campaign,
        host_municipality=Municipality.objects.get(province=25, kind="metropolitan"),
    )
    for n in range(size):
        speaker = SpeakerFactory(event=event)
        AgendaItemFactory(event=event, speakers=[speaker], starts_at=datetime.time(10 + n, 0))
    client.force_login(regional)
    url = en("events:detail", event.slug)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert len(response.context["event"].agenda.all()) == size
    # Session, user and three role queries; the unread-notification count of the menu; the
    # programme, its agenda, the agenda's speakers and the speakers; the top expectations (the
    # reports' copy of the cases checked, the Borda points, the categories' names); and the two
    # queries of the registration panel.
    assert len(queries) == 15


# --- Creating and editing --------------------------------------------------------------------


def programme_data(**overrides):
    """What the programme form posts: a programme in Erzurum in 40 days with two speakers and
    two agenda items."""
    start = days_from_now(40)
    data = {
        "title": "Işık Çayı Buluşması",
        "subregion": erzurum_kars().pk,
        "host_province": 25,
        "host_municipality": Municipality.objects.get(province=25, kind="metropolitan").pk,
        "venue": "Dadaş Kültür Merkezi",
        "address": "Yakutiye, Erzurum",
        "starts_at": typed(start),
        "ends_at": typed(start + datetime.timedelta(hours=6)),
        "description": "Belediyeler ve STK'lar bir araya geliyor.",
        "capacity": "150",
        "registration_deadline": typed(start - datetime.timedelta(days=3)),
        "campaign": "",
        "state": "planned",
        "speakers-TOTAL_FORMS": "3",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
        "speakers-0-name": "Zafer Aynalı",
        "speakers-0-position": "Genel Sekreter",
        "speakers-0-organisation": "Erzurum Büyükşehir Belediyesi",
        "speakers-0-order": "1",
        "speakers-1-name": "Sermet Başaran",
        "speakers-1-position": "Proje Koordinatörü",
        "speakers-1-organisation": "",
        "speakers-1-order": "2",
        "speakers-2-order": "0",  # an empty extra row, as a browser sends it
        "agenda-TOTAL_FORMS": "3",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
        "agenda-0-starts_at": "10:00",
        "agenda-0-title": "Açılış",
        "agenda-0-order": "1",
        "agenda-1-starts_at": "13:30",
        "agenda-1-title": "Beş beklenti çalıştayı",
        "agenda-1-order": "2",
        "agenda-2-order": "0",
    }
    data.update(overrides)
    return data


def test_regional_coordinator_creates_a_programme_in_their_subregion(client, regional):
    client.force_login(regional)

    response = client.post(en("events:create"), programme_data())

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == en("events:detail", "isik-cayi-bulusmasi")
    assert event.slug == "isik-cayi-bulusmasi"
    assert event.subregion == erzurum_kars()
    assert event.host_municipality.name == "Erzurum Büyükşehir Belediyesi"
    assert event.created_by == regional
    assert event.starts_at.astimezone(TURKIYE).hour == 10
    assert event.starts_at == days_from_now(40)
    assert event.capacity == 150 and event.seats_taken == 0
    assert [(s.name, s.position, s.order) for s in event.speakers.all()] == [
        ("Zafer Aynalı", "Genel Sekreter", 1),
        ("Sermet Başaran", "Proje Koordinatörü", 2),
    ]
    assert [(i.starts_at, i.title) for i in event.agenda.all()] == [
        (datetime.time(10, 0), "Açılış"),
        (datetime.time(13, 30), "Beş beklenti çalıştayı"),
    ]


def test_creating_a_programme_with_a_taken_title_numbers_the_slug(client, regional):
    EventFactory(title="Işık Çayı Buluşması", slug="isik-cayi-bulusmasi")
    client.force_login(regional)

    client.post(en("events:create"), programme_data())
    client.post(en("events:create"), programme_data())

    assert set(Event.objects.values_list("slug", flat=True)) == {
        "isik-cayi-bulusmasi",
        "isik-cayi-bulusmasi-2",
        "isik-cayi-bulusmasi-3",
    }


def test_regional_coordinator_cannot_pick_another_subregion(client, regional):
    client.force_login(regional)

    response = client.get(en("events:create"))
    assert list(response.context["form"].fields["subregion"].queryset) == [erzurum_kars()]

    response = client.post(
        en("events:create"),
        programme_data(subregion=orta_karadeniz().pk, host_province=55, host_municipality=""),
    )

    assert response.status_code == 200
    assert "subregion" in response.context["form"].errors
    assert not Event.objects.exists()


def test_national_coordinator_may_choose_any_subregion(client):
    national = UserFactory()
    CoordinatorAssignmentFactory(user=national, subregion=None)
    client.force_login(national)

    client.post(
        en("events:create"),
        programme_data(subregion=orta_karadeniz().pk, host_province=55, host_municipality=""),
    )

    assert Event.objects.get().subregion == orta_karadeniz()


def invalid_changes(case):
    """Form values that break one rule (built at run time: they depend on today)."""
    kars = Municipality.objects.get(province=36, kind="provincial")
    return {
        "ends_before_start": {"ends_at": typed(days_from_now(40, hour=9))},
        "deadline_after_end": {"registration_deadline": typed(days_from_now(41))},
        "province_outside_subregion": {"host_province": 55, "host_municipality": ""},
        "municipality_outside_province": {"host_municipality": kars.pk},
    }[case]


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("ends_before_start", "ends_at", "The programme must end after it starts."),
        (
            "deadline_after_end",
            "registration_deadline",
            "Registration must close before the programme ends.",
        ),
        (
            "province_outside_subregion",
            "host_province",
            "The host province must be in the chosen sub-region.",
        ),
        ("municipality_outside_province", "host_municipality", "Select a valid choice."),
    ],
)
def test_invalid_programme_is_shown_again_with_errors_and_typed_values(
    client, case, field, message
):
    # A national coordinator may choose every province, so the cross-field rule is reached.
    national = UserFactory()
    CoordinatorAssignmentFactory(user=national, subregion=None)
    client.force_login(national)
    data = programme_data(**invalid_changes(case))

    response = client.post(en("events:create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in html
    assert 'value="Işık Çayı Buluşması"' in html
    assert f'value="{data["starts_at"]}"' in html
    assert 'value="Zafer Aynalı"' in html
    assert not Event.objects.exists()


def test_regional_coordinator_cannot_choose_a_province_of_another_subregion(client, regional):
    client.force_login(regional)

    response = client.post(
        en("events:create"), programme_data(host_province=55, host_municipality="")
    )

    assert "host_province" in response.context["form"].errors
    assert not Event.objects.exists()


def test_capacity_cannot_shrink_below_seats_taken(client, regional):
    event = EventFactory(capacity=50, seats_taken=30)
    client.force_login(regional)
    data = edit_data(event, capacity="20", title="Yeni başlık")

    response = client.post(en("events:edit", event.slug), data)

    html = response.content.decode()
    assert "capacity" in response.context["form"].errors
    assert "30 seats are already taken" in html
    assert 'value="20"' in html and 'value="Yeni başlık"' in html
    event.refresh_from_db()
    assert (event.capacity, event.title) == (50, event.title)


def edit_data(event, **overrides):
    """The edit form as shown for the programme (its speakers and agenda included)."""
    speakers = list(event.speakers.all())
    agenda = list(event.agenda.all())
    data = programme_data(
        title=event.title,
        subregion=event.subregion_id,
        host_province=event.host_province_id,
        host_municipality=event.host_municipality_id or "",
        venue=event.venue,
        starts_at=typed(event.starts_at),
        ends_at=typed(event.ends_at),
        registration_deadline=typed(event.registration_deadline),
        capacity=str(event.capacity),
        state=event.state,
    )
    data = {k: v for k, v in data.items() if not k.startswith(("speakers-", "agenda-"))}
    data.update(
        {
            "speakers-TOTAL_FORMS": str(len(speakers)),
            "speakers-INITIAL_FORMS": str(len(speakers)),
            "speakers-MIN_NUM_FORMS": "0",
            "speakers-MAX_NUM_FORMS": "1000",
            "agenda-TOTAL_FORMS": str(len(agenda)),
            "agenda-INITIAL_FORMS": str(len(agenda)),
            "agenda-MIN_NUM_FORMS": "0",
            "agenda-MAX_NUM_FORMS": "1000",
        }
    )
    for n, speaker in enumerate(speakers):
        data.update(
            {
                f"speakers-{n}-id": speaker.pk,
                f"speakers-{n}-event": event.pk,
                f"speakers-{n}-name": speaker.name,
                f"speakers-{n}-position": speaker.position,
                f"speakers-{n}-organisation": speaker.organisation,
                f"speakers-{n}-order": speaker.order,
            }
        )
    for n, item in enumerate(agenda):
        data.update(
            {
                f"agenda-{n}-id": item.pk,
                f"agenda-{n}-event": event.pk,
                f"agenda-{n}-starts_at": item.starts_at.strftime("%H:%M"),
                f"agenda-{n}-title": item.title,
                f"agenda-{n}-order": item.order,
            }
        )
    data.update(overrides)
    return data


def test_coordinator_assigns_speakers_and_cancels_a_programme(client, regional):
    event = EventFactory()
    speaker = SpeakerFactory(event=event, name="Murat Güven")
    SpeakerFactory(event=samsun_event(), name="Başka programın konuşmacısı")
    item = AgendaItemFactory(event=event, title="Açılış")
    client.force_login(regional)

    form = client.get(en("events:edit", event.slug)).context["agenda"].forms[0]
    assert list(form.fields["speakers"].queryset) == [speaker]
    response = client.post(
        en("events:edit", event.slug),
        edit_data(event, state="cancelled", **{"agenda-0-speakers": [speaker.pk]}),
    )

    assert response["Location"] == en("events:detail", event.slug)
    event.refresh_from_db()
    assert event.state == Event.State.CANCELLED
    assert list(item.speakers.all()) == [speaker]
    html = client.get(en("events:detail", event.slug)).content.decode()
    assert "This programme has been cancelled." in html


def test_removing_a_speaker_removes_them_from_the_agenda(client, regional):
    event = EventFactory()
    speaker = SpeakerFactory(event=event)
    AgendaItemFactory(event=event, speakers=[speaker])
    client.force_login(regional)

    client.post(
        en("events:edit", event.slug),
        edit_data(event, **{"speakers-0-DELETE": "on", "agenda-0-speakers": [speaker.pk]}),
    )

    assert not Speaker.objects.filter(pk=speaker.pk).exists()
    assert AgendaItem.objects.get(event=event).speakers.count() == 0


def test_editing_a_programme_of_another_subregion_is_404(client, regional):
    event = samsun_event()
    client.force_login(regional)

    assert client.get(en("events:edit", event.slug)).status_code == 404
    assert client.post(en("events:edit", event.slug), edit_data(event)).status_code == 404
    assert client.get(en("events:minutes", event.slug)).status_code == 404
    event.refresh_from_db()
    assert event.state == Event.State.PLANNED


@pytest.mark.parametrize("name", ["events:create", "events:edit", "events:minutes"])
def test_ngo_members_and_municipal_staff_are_refused(client, ngo_member, name):
    event = EventFactory()
    args = [] if name == "events:create" else [event.slug]
    staff = MunicipalStaffFactory().user

    for user in (ngo_member, staff):
        client.force_login(user)
        response = client.get(en(name, *args))
        assert response.status_code == 403
        # Nothing of the form or the programme is shown (a random user name may contain any
        # word, so the check names the form's fields and the programme's title).
        html = response.content.decode()
        assert 'id="id_title"' not in html and 'id="id_capacity"' not in html
        assert event.title not in html
    assert client.post(en(name, *args), programme_data()).status_code == 403
    assert Event.objects.count() == 1


@pytest.mark.parametrize("name", ["events:create", "events:edit", "events:minutes"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    event = EventFactory()
    args = [] if name == "events:create" else [event.slug]

    response = client.get(en(name, *args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_host_municipality_options_follow_the_chosen_province(client, regional, ngo_member):
    client.force_login(regional)

    response = client.get(en("events:place_options"), {"host_province": 36})
    junk = client.get(en("events:place_options"), {"host_province": "x"})

    html = response.content.decode()
    assert "Kars Belediyesi" in html and "Erzurum Büyükşehir Belediyesi" not in html
    assert "<html" not in html
    assert junk.content.decode().count("<option") == 1
    form = client.get(en("events:create")).content.decode()
    assert f'data-hx-get="{en("events:place_options")}"' in form
    client.force_login(ngo_member)
    assert client.get(en("events:place_options"), {"host_province": 36}).status_code == 403


def test_site_administrator_may_edit_any_programme(client):
    admin = UserFactory(is_staff=True)
    event = samsun_event()
    client.force_login(admin)

    client.post(en("events:edit", event.slug), edit_data(event, venue="Yeni salon"))

    event.refresh_from_db()
    assert event.venue == "Yeni salon"


# --- Minutes ---------------------------------------------------------------------------------


@pytest.fixture
def held_yesterday():
    """A programme that took place yesterday, with three people checked in and one no-show."""
    event = EventFactory(
        starts_at=days_from_now(-1),
        ends_at=days_from_now(-1, hour=16),
        registration_deadline=days_from_now(-3),
        seats_taken=4,
    )
    dadaslar = NGOFactory(name="Dadaşlar Derneği")
    for ngo in (dadaslar, dadaslar, NGOFactory(name="Çınar Vakfı")):
        RegistrationFactory(event=event, ngo=ngo, status=Registration.Status.ATTENDED)
    RegistrationFactory(
        event=event,
        ngo=None,
        municipality=Municipality.objects.get(province=25, kind="metropolitan"),
        status=Registration.Status.ATTENDED,
    )
    RegistrationFactory(event=event, ngo=NGOFactory(name="Gelmeyen Derneği"))
    return event


def test_minutes_are_prefilled_from_attended_registrations(client, regional, held_yesterday):
    client.force_login(regional)

    response = client.get(en("events:minutes", held_yesterday.slug))

    form = response.context["form"]
    assert form.initial["minutes_attendees"] == 4
    assert form.initial["minutes_organisations"].splitlines() == [
        "Çınar Vakfı",
        "Dadaşlar Derneği",
        "Erzurum Büyükşehir Belediyesi",
    ]
    html = response.content.decode()
    assert "The check-in counted 4 attendees." in html
    assert "Gelmeyen Derneği" not in html


def test_saving_the_minutes_marks_the_programme_held(client, regional, held_yesterday):
    client.force_login(regional)

    response = client.post(
        en("events:minutes", held_yesterday.slug),
        {
            "minutes_summary": "Beş beklenti çalıştayı yapıldı.",
            "minutes_attendees": "4",
            "minutes_organisations": "Çınar Vakfı\nDadaşlar Derneği",
            # The decisions' formset (tests/events/test_decisions.py), left empty.
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )

    assert response["Location"] == en("events:detail", held_yesterday.slug)
    held_yesterday.refresh_from_db()
    assert held_yesterday.state == Event.State.HELD
    assert held_yesterday.minutes_summary == "Beş beklenti çalıştayı yapıldı."
    assert held_yesterday.minutes_attendees == 4
    html = client.get(en("events:detail", held_yesterday.slug)).content.decode()
    assert "4 people attended." in html and "Çınar Vakfı" in html


def test_minutes_cannot_be_recorded_before_the_programme(client, regional):
    event = EventFactory()
    client.force_login(regional)

    response = client.post(
        en("events:minutes", event.slug),
        {"minutes_summary": "Erken", "minutes_attendees": "3", "minutes_organisations": ""},
    )

    assert "Minutes can be recorded once the programme has started." in response.content.decode()
    assert "Erken</textarea>" in response.content.decode()
    event.refresh_from_db()
    assert event.state == Event.State.PLANNED and event.minutes_summary == ""
