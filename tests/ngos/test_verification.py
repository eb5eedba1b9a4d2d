import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import SubRegion
from ngos.models import NGO, Membership
from ngos.services.verification import ngo_set_status, ngo_similar_names
from portal.models import OutgoingMail
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import people_in_mixed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def en(name, *args, **kwargs):
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


QUEUE = "/en/ngos/verification/"


def detail_url(ngo):
    return en("ngos:verification_detail", slug=ngo.slug)


def decide_url(ngo):
    return en("ngos:verification_decide", slug=ngo.slug)


def names_on(response):
    return [ngo.name for ngo in response.context["page"].object_list]


@pytest.fixture
def erzurum_kars():
    return SubRegion.objects.get(code="14")


@pytest.fixture
def regional(erzurum_kars):
    return CoordinatorAssignmentFactory(subregion=erzurum_kars).user


@pytest.fixture
def national():
    return CoordinatorAssignmentFactory(subregion=None).user


@pytest.fixture
def pending():
    """A pending Erzurum NGO with two administrators (one reading English) and a member."""
    ngo = NGOFactory(name="Erzurum Bekleyen Derneği", status=NGO.Status.PENDING)
    MembershipFactory(
        ngo=ngo, role="admin", user=UserFactory(email="yonetici@stk.test", full_name="Ali Veli")
    )
    MembershipFactory(
        ngo=ngo,
        role="admin",
        user=UserFactory(email="admin-en@stk.test", full_name="Jane Doe", preferred_language="en"),
    )
    MembershipFactory(ngo=ngo, user=UserFactory(email="uye@stk.test"))
    return ngo


# --- The queue ---------------------------------------------------------------------------------


def test_queue_of_a_regional_coordinator_shows_only_their_subregion(client, regional, pending):
    NGOFactory(name="İstanbul Bekleyen Derneği", province_id=34, status="pending")
    NGOFactory(name="Kars Bekleyen Derneği", province_id=36, status="pending")
    client.force_login(regional)
    response = client.get(QUEUE)
    assert names_on(response) == ["Erzurum Bekleyen Derneği", "Kars Bekleyen Derneği"]
    assert "İstanbul Bekleyen Derneği" not in response.content.decode()
    subregions = list(response.context["filter"].form.fields["subregion"].queryset)
    assert [s.code for s in subregions] == ["14"]
    provinces = response.context["filter"].form.fields["province"].queryset
    assert set(provinces.values_list("plate", flat=True)) == {4, 24, 25, 36, 75, 76}


def test_queue_of_a_national_coordinator_shows_every_subregion(client, national, pending):
    NGOFactory(name="İstanbul Bekleyen Derneği", province_id=34, status="pending")
    client.force_login(national)
    assert names_on(client.get(QUEUE)) == ["Erzurum Bekleyen Derneği", "İstanbul Bekleyen Derneği"]


def test_queue_shows_pending_by_default_oldest_first_with_counts(client, regional, pending):
    newer = NGOFactory(name="Aaa Yeni Derneği", status="pending")
    NGOFactory(name="Doğrulanmış Derneği")
    NGOFactory(name="Reddedilmiş Derneği", status="rejected", status_reason="Eksik")
    NGOFactory(name="İstanbul Doğrulanmış", province_id=34)  # outside the scope
    client.force_login(regional)
    response = client.get(QUEUE)
    assert names_on(response) == ["Erzurum Bekleyen Derneği", newer.name]
    tabs = {tab["label"]: (tab["count"], tab["active"]) for tab in response.context["tabs"]}
    assert tabs == {
        "Pending verification": (2, True),
        "Change of identity to verify": (0, False),
        "Verified": (1, False),
        "Rejected": (1, False),
        "Suspended": (0, False),
    }
    assert "status=verified" in response.content.decode()
    response = client.get(QUEUE, {"status": "rejected"})
    assert names_on(response) == ["Reddedilmiş Derneği"]


def test_queue_search_and_counts_follow_the_filters(client, regional, pending):
    NGOFactory(name="Şenkaya Doğrulanmış Derneği")
    client.force_login(regional)
    response = client.get(QUEUE, {"q": "SENKAYA", "status": "verified"})
    assert names_on(response) == ["Şenkaya Doğrulanmış Derneği"]
    counts = [tab["count"] for tab in response.context["tabs"]]
    assert counts == [0, 0, 1, 0, 0]
    assert "q=SENKAYA&amp;status=pending" in response.content.decode()


def test_queue_refuses_a_province_outside_the_scope(client, regional, pending):
    client.force_login(regional)
    response = client.get(QUEUE, {"province": 34, "status": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"province", "status"}
    assert names_on(response) == []


@pytest.mark.parametrize("role", ["ngo_member", "municipal_staff", "no_role"])
def test_queue_is_forbidden_to_non_coordinators(client, pending, role):
    user = {
        "ngo_member": lambda: MembershipFactory(ngo=pending, role="admin").user,
        "municipal_staff": lambda: MunicipalStaffFactory().user,
        "no_role": UserFactory,
    }[role]()
    client.force_login(user)
    assert client.get(QUEUE).status_code == 403
    assert client.get(detail_url(pending)).status_code == 403
    response = client.post(decide_url(pending), {"action": "verify", "current_status": "pending"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_queue_sends_anonymous_users_to_log_in(client, pending):
    for url in [QUEUE, detail_url(pending)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/?next=")


def test_detail_of_another_subregions_ngo_is_404(client, erzurum_kars):
    istanbul_ngo = NGOFactory(province_id=34, status="pending")
    client.force_login(CoordinatorAssignmentFactory(subregion=erzurum_kars).user)
    assert client.get(detail_url(istanbul_ngo)).status_code == 404
    response = client.post(
        decide_url(istanbul_ngo), {"action": "verify", "current_status": "pending"}
    )
    assert response.status_code == 404
    istanbul_ngo.refresh_from_db()
    assert istanbul_ngo.status == "pending"


def test_detail_shows_the_profile_and_its_administrators(client, regional, pending):
    pending.email = "iletisim@stk.test"
    pending.registry_number = "25-000-999"
    pending.save()
    client.force_login(regional)
    html = client.get(detail_url(pending)).content.decode()
    for text in [
        "Erzurum Bekleyen Derneği",
        "25-000-999",
        "iletisim@stk.test",
        "Ali Veli",
        "yonetici@stk.test",
        "Jane Doe",
        "Verify",
        "Reject",
    ]:
        assert text in html, text
    assert "uye@stk.test" not in html  # a plain member is not an administrator
    assert 'value="suspend"' not in html  # not possible for a pending NGO


def test_detail_lists_the_administrators_in_turkish_alphabetical_order(client, regional, pending):
    Membership.objects.filter(ngo=pending).delete()
    people = people_in_mixed_order(
        lambda **kw: MembershipFactory(ngo=pending, role="admin", user=UserFactory(**kw)).user
    )
    client.force_login(regional)
    admins = client.get(detail_url(pending)).context["admins"]
    assert [membership.user for membership in admins] == people


def test_get_on_the_decide_url_is_405_and_changes_nothing(client, regional, pending):
    client.force_login(regional)
    response = client.get(decide_url(pending), {"action": "verify", "current_status": "pending"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- Decisions ---------------------------------------------------------------------------------


def decide(client, ngo, **data):
    return client.post(decide_url(ngo), data)


def test_verify_changes_the_status_and_emails_the_admins(
    client, regional, pending, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(regional)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, pending, action="verify", current_status="pending")
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    pending.refresh_from_db()
    assert pending.status == "verified"
    assert pending.status_changed_by == regional
    assert pending.status_changed_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == ["admin-en@stk.test", "yonetici@stk.test"]
    english = next(m for m in mailoutbox if m.to == ["admin-en@stk.test"])
    assert "Erzurum Bekleyen Derneği" in english.subject
    assert "have verified Erzurum Bekleyen Derneği" in english.body
    assert "http://testserver/en/ngos/erzurum-bekleyen-dernegi/" in english.body
    turkish = next(m for m in mailoutbox if m.to == ["yonetici@stk.test"])
    assert "http://testserver/ngos/erzurum-bekleyen-dernegi/" in turkish.body
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The status of Erzurum Bekleyen Derneği is now “Verified”."]


def test_reject_records_the_reason_and_mails_it(
    client, regional, pending, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(regional)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            client,
            pending,
            action="reject",
            current_status="pending",
            reason="  Dernek kaydı DERBİS'te bulunamadı.  ",
        )
    assert response["Location"] == QUEUE
    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert pending.status_reason == "Dernek kaydı DERBİS'te bulunamadı."
    english = next(m for m in mailoutbox if m.to == ["admin-en@stk.test"])
    assert "rejected the registration of Erzurum Bekleyen Derneği" in english.body
    assert "Reason: Dernek kaydı DERBİS'te bulunamadı." in english.body  # not HTML-escaped


def test_suspend_and_reinstate_a_verified_ngo(
    client, regional, pending, mailoutbox, django_capture_on_commit_callbacks
):
    NGO.objects.filter(pk=pending.pk).update(status="verified")
    client.force_login(regional)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, pending, action="suspend", current_status="verified", reason="Şikâyet var")
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == ("suspended", "Şikâyet var")
    assert len(mailoutbox) == 2
    assert all("Şikâyet var" in m.body for m in mailoutbox)
    assert client.get(en("ngos:detail", slug=pending.slug)).status_code == 200  # coordinator
    client.logout()
    assert client.get(en("ngos:detail", slug=pending.slug)).status_code == 404  # public
    client.force_login(regional)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, pending, action="reinstate", current_status="suspended")
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == ("verified", "")
    assert "suspension of Erzurum Bekleyen Derneği has been lifted" in mailoutbox[-1].body


def test_reopen_a_rejected_ngo_clears_the_reason(client, national, pending):
    NGO.objects.filter(pk=pending.pk).update(status="rejected", status_reason="Eksik belge")
    client.force_login(national)
    decide(client, pending, action="reopen", current_status="rejected")
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == ("pending", "")


def test_reject_without_a_reason_is_refused(client, regional, pending, mailoutbox):
    client.force_login(regional)
    response = decide(client, pending, action="reject", current_status="pending", reason="   ")
    assert response.status_code == 200
    assert "Please give a reason: it is shown to the NGO." in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason, pending.status_changed_by) == (
        "pending",
        "",
        None,
    )
    assert mailoutbox == []


def test_an_invalid_transition_is_refused(client, regional, pending, mailoutbox):
    client.force_login(regional)
    response = decide(client, pending, action="suspend", current_status="pending", reason="Deneme")
    html = response.content.decode()
    assert "Your decision was not saved." in html
    assert "This action is not possible for an NGO whose status is “Pending verification”." in html
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert mailoutbox == []


def test_an_unknown_action_is_refused(client, regional, pending):
    client.force_login(regional)
    response = decide(client, pending, action="delete", current_status="pending")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_stale_page_is_refused_and_the_typed_reason_kept(client, regional, pending, mailoutbox):
    # Another coordinator verified the NGO while this one was typing a rejection.
    NGO.objects.filter(pk=pending.pk).update(status="verified")
    client.force_login(regional)
    response = decide(
        client,
        pending,
        action="reject",
        current_status="pending",
        reason="Tüzük ile faaliyet alanı uyuşmuyor",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The status of this NGO changed to “Verified” while you were looking at it." in html
    assert "Tüzük ile faaliyet alanı uyuşmuyor" in html
    # The forms now carry the status as it is, so the coordinator can decide again.
    assert 'name="current_status" value="verified"' in html
    assert 'name="current_status" value="pending"' not in html
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == ("verified", "")
    assert mailoutbox == []


def test_service_refuses_a_stale_status_and_a_bad_transition(regional, pending):
    with pytest.raises(ValidationError) as stale:
        ngo_set_status(
            ngo_id=pending.pk,
            action="verify",
            reason="",
            expected_status="rejected",
            by=regional,
            base_url="http://testserver/",
        )
    assert stale.value.code == "conflict"
    with pytest.raises(ValidationError) as invalid:
        ngo_set_status(
            ngo_id=pending.pk,
            action="reinstate",
            reason="",
            expected_status="pending",
            by=regional,
            base_url="http://testserver/",
        )
    assert invalid.value.code == "invalid_transition"
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_mail_failure_does_not_lose_the_decision_nor_the_mails(
    regional, pending, mail_server_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ngo_set_status(
            ngo_id=pending.pk,
            action="verify",
            reason="",
            expected_status="pending",
            by=regional,
            base_url="http://testserver/",
        )
    pending.refresh_from_db()
    assert pending.status == "verified"
    # One batch for the two administrators, kept after the last retry to be sent again.
    rows = list(OutgoingMail.objects.all())
    assert len(rows) == 2
    assert {row.status for row in rows} == {"failed"}
    assert len({row.batch for row in rows}) == 1


# --- Duplicate hints ---------------------------------------------------------------------------


def test_duplicate_hints_show_a_similar_name_in_the_same_province(client, regional):
    existing = NGOFactory(name="Erzurum Dadaşlar Dayanışma Derneği")
    NGOFactory(name="Erzurum Dadaşlar Yardımlaşma Derneği", province_id=36)  # Kars
    NGOFactory(name="Erzurum Engelsiz Yaşam Vakfı")
    new = NGOFactory(name="Erzurum Dadaşlar Yardımlaşma Derneği", slug="yeni", status="pending")
    client.force_login(regional)
    response = client.get(detail_url(new))
    assert [hint.ngo for hint in response.context["similar"]] == [existing]
    html = response.content.decode()
    assert f'href="{existing.get_absolute_url()}"' in html
    assert "Erzurum Dadaşlar Dayanışma Derneği" in html
    assert "same name apart from common words" in html
    assert "Engelsiz" not in html


def test_duplicate_hints_rank_near_misses_by_similarity(pending):
    for name in [
        "Erzurum Dadaşlar Derneği",
        "Erzurum Dadaslar Kültür Derneği",
        "Erzurum Dadaşlar Gençlik ve Spor Kulübü",
        "Erzurum Dadaşlarımız Derneği",  # close: 80 % similar
        "Dadaşlar Futbol Derneği",  # shares the word, but not similar enough
        "Dadaşlı Kadınlar Derneği",
        "Oltu Dadaş Ocağı Derneği",
    ]:
        NGOFactory(name=name)
    ngo = NGOFactory(name="Erzurum Dadaşlar Derneği Şubesi", slug="sube", status="pending")
    hints = ngo_similar_names(ngo=ngo, among=NGO.objects.all())
    assert {hint.ngo.name for hint in hints[:3]} == {
        "Erzurum Dadaşlar Derneği",
        "Erzurum Dadaslar Kültür Derneği",
        "Erzurum Dadaşlar Gençlik ve Spor Kulübü",
    }
    assert all(hint.exact for hint in hints[:3])
    assert [(hint.ngo.name, hint.exact, hint.percent) for hint in hints[3:]] == [
        ("Erzurum Dadaşlarımız Derneği", False, 80)
    ]


def test_same_email_or_phone_is_flagged(client, regional):
    NGOFactory(name="Kars Başka Derneği", province_id=36, email="ortak@stk.test")
    NGOFactory(name="Aziziye Başka Derneği", phone="0442 123 45 67")
    new = NGOFactory(
        name="Tamamen Farklı Derneği",
        status="pending",
        email="ORTAK@stk.test",
        phone="0442 123 45 67",
    )
    client.force_login(regional)
    response = client.get(detail_url(new))
    shared = {(s.ngo.name, s.same_email, s.same_phone) for s in response.context["shared_contacts"]}
    assert shared == {("Kars Başka Derneği", True, False), ("Aziziye Başka Derneği", False, True)}
    html = response.content.decode()
    assert "same email" in html and "same phone" in html


def test_no_duplicate_hints_for_a_unique_ngo(client, regional, pending):
    client.force_login(regional)
    html = client.get(detail_url(pending)).content.decode()
    assert "No NGO with a similar name in the same province" in html


# --- Query counts ------------------------------------------------------------------------------


def queue_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, params)
    return len(queries), response.context["page"].paginator.count


def test_queue_query_count_does_not_grow_with_rows(client, regional):
    NGOFactory(name="Tekil Bekleyen", status="pending")
    for n in range(6):
        NGOFactory(name=f"Çoğul Bekleyen {n}", status="pending", province_id=[25, 36][n % 2])
    client.force_login(regional)
    small, small_rows = queue_queries(client, {"q": "tekil"})
    large, large_rows = queue_queries(client, {"q": "cogul"})
    assert (small_rows, large_rows) == (1, 6)
    # session, user, the user's three role lists, the sub-region and province choices, the
    # status counts, the count, the page and the page's open changes of identity
    assert small == large == 12  # + the nav's unread notification count


def test_detail_query_count_is_fixed(client, regional):
    small = NGOFactory(name="Küçük Derneği", status="pending", email="k@stk.test")
    large = NGOFactory(name="Büyük Derneği", status="pending", email="b@stk.test")
    for n in range(5):
        MembershipFactory(ngo=large, role="admin")
        NGOFactory(name=f"Büyük Derneği {n}", email="b@stk.test" if n % 2 else "")
    client.force_login(regional)
    counts = []
    for ngo, hints in [(small, 0), (large, 5)]:
        url = detail_url(ngo)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["similar"]) == hints
        counts.append(len(queries))
    # session, user, three role lists, the NGO, its fields, admins, similar names, same
    # contacts, its open change of identity (none)
    assert counts == [12, 12]  # + the nav's unread notification count
