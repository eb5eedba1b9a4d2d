"""Registering an NGO, editing its profile, and asking to join an NGO."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from municipalities.models import District, Municipality, SubRegion
from ngos.forms.profile import ImportRowForm
from ngos.models import NGO, ActivityField, JoinRequest, Membership
from ngos.services import onboarding
from ngos.services.onboarding import join_request_create, join_request_decide
from portal.models import OutgoingMail
from tests.factories import (
    CoordinatorAssignmentFactory,
    JoinRequestFactory,
    MembershipFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def ngo_data(**overrides):
    """A valid registration of an Erzurum association, as the browser posts it."""
    data = {
        "name": "Işık Gönüllüleri Derneği",
        "legal_form": "dernek",
        "registry_number": "25-042-017",
        "founding_year": "2012",
        "province": "25",
        "district": str(District.objects.get(province=25, name="Yakutiye").pk),
        "municipality": "",
        "activity_fields": [str(ActivityField.objects.get(code="afet-acil-durum").pk)],
        "members_count": "40",
        "volunteers_count": "120",
        "description": "Deprem ve sel bölgelerinde gönüllü destek.",
        "website": "",
        "email": "iletisim@isik.example",
        "phone": "0442 111 22 33",
        "address": "",
        "afad_group": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def user(client):
    person = UserFactory(full_name="Ayşe Işık", preferred_language="en")
    client.force_login(person)
    return person


@pytest.fixture
def admin_of():
    """An administrator (a new user) of the given NGO."""

    def make(ngo, **kwargs):
        return MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN, **kwargs).user

    return make


# Registering an NGO


def test_register_page_shows_the_form_in_fieldsets(client, user):
    html = client.get(en("ngos:register")).content.decode()
    for legend in ["Identity", "Place", "Activity", "Contacts", "Disaster accreditation"]:
        assert f">{legend}</legend>" in html
    assert 'name="refresh"' in html
    assert "Update the district and municipality lists" in html
    assert f'data-hx-get="{reverse("municipalities:place_options")}"' in html


def test_register_creates_pending_ngo_with_its_admin(client, user):
    response = client.post(en("ngos:register"), ngo_data())

    ngo = NGO.objects.get()
    assert response.status_code == 302
    assert response["Location"] == en("ngos:detail", "isik-gonulluleri-dernegi")
    assert ngo.slug == "isik-gonulluleri-dernegi"
    assert ngo.status == NGO.Status.PENDING
    assert ngo.registry_number == "25-042-017"
    assert list(ngo.activity_fields.values_list("code", flat=True)) == ["afet-acil-durum"]
    assert Membership.objects.get(ngo=ngo).user == user
    assert Membership.objects.get(ngo=ngo).role == Membership.Role.ADMIN
    assert ngo.municipality.name == "Yakutiye Belediyesi"
    [message] = texts(response)
    assert "coordinator of Erzurum-Kars will verify it" in message


def test_register_central_district_defaults_to_the_provincial_municipality(client, user):
    kars_centre = District.objects.get(province=36, is_central=True)
    client.post(
        en("ngos:register"),
        ngo_data(province="36", district=str(kars_centre.pk), registry_number="36-1"),
    )

    assert NGO.objects.get().municipality.name == "Kars Belediyesi"


def test_register_keeps_a_chosen_municipality(client, user):
    metropolitan = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    client.post(en("ngos:register"), ngo_data(municipality=str(metropolitan.pk)))

    assert NGO.objects.get().municipality == metropolitan


def test_register_emails_coordinators_of_the_subregion_only(
    client, user, mailoutbox, django_capture_on_commit_callbacks
):
    erzurum_kars = SubRegion.objects.get(code="14")
    regional = CoordinatorAssignmentFactory(
        subregion=erzurum_kars, user=UserFactory(preferred_language="en")
    ).user
    national = CoordinatorAssignmentFactory(
        subregion=None, user=UserFactory(preferred_language="tr")
    ).user
    both = CoordinatorAssignmentFactory(subregion=erzurum_kars).user
    CoordinatorAssignmentFactory(subregion=None, user=both)
    istanbul_coordinator = CoordinatorAssignmentFactory(
        subregion=SubRegion.objects.get(provinces=34)
    ).user

    with django_capture_on_commit_callbacks(execute=True):
        client.post(en("ngos:register"), ngo_data())

    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(by_address) == sorted([regional.email, national.email, both.email])
    assert istanbul_coordinator.email not in by_address
    english = by_address[regional.email]
    assert "New NGO awaiting verification: Işık Gönüllüleri Derneği" in english.subject
    assert "http://testserver/en/ngos/isik-gonulluleri-dernegi/" in english.body
    assert "Ayşe Işık" in english.body
    # The Turkish coordinator's link is in Turkish (no language prefix).
    assert "http://testserver/ngos/isik-gonulluleri-dernegi/" in by_address[national.email].body


def test_register_mail_failure_keeps_the_ngo_and_the_mail(
    client, user, mail_server_down, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorAssignmentFactory(subregion=None).user
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("ngos:register"), ngo_data())

    assert response.status_code == 302
    assert NGO.objects.filter(slug="isik-gonulluleri-dernegi").exists()
    [row] = OutgoingMail.objects.all()
    assert (row.to, row.status) == ([coordinator.email], "failed")


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"district": lambda: District.objects.get(province=34, name="Kadıköy").pk},
            "district",
            # The choices follow the province, so another province's district is not one of them.
            "Select a valid choice.",
        ),
        (
            {"municipality": lambda: Municipality.objects.get(name="Kars Belediyesi").pk},
            "municipality",
            "Select a valid choice.",
        ),
        (
            {"registry_number": ""},
            "registry_number",
            "Associations and foundations have a registry number",
        ),
    ],
    ids=["missing-name", "district-elsewhere", "municipality-elsewhere", "no-registry-number"],
)
def test_register_invalid_shows_errors_and_keeps_typed_values(
    client, user, overrides, field, error
):
    overrides = {k: str(v()) if callable(v) else v for k, v in overrides.items()}
    response = client.post(en("ngos:register"), ngo_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    assert error in html
    assert "Please correct the errors below" in html
    assert 'value="0442 111 22 33"' in html
    assert 'value="iletisim@isik.example"' in html
    assert "Deprem ve sel bölgelerinde gönüllü destek." in html
    assert not NGO.objects.exists()


def test_register_duplicate_registry_number_suggests_joining_the_verified_ngo(client, user):
    existing = NGOFactory(name="Işık Derneği", registry_number="25-042-017")

    response = client.post(en("ngos:register"), ngo_data(registry_number=" 25-042- 017"))

    html = response.content.decode()
    assert "already registered" in " ".join(response.context["form"].errors["registry_number"])
    assert f'href="{en("ngos:join_request", existing.slug)}"' in html
    assert "ask to join it" in html
    assert NGO.objects.count() == 1


def test_register_duplicate_number_of_a_pending_ngo_does_not_reveal_it(client, user):
    NGOFactory(
        name="Gizli Bekleyen Derneği", registry_number="25-042-017", status=NGO.Status.PENDING
    )

    html = client.post(en("ngos:register"), ngo_data()).content.decode()

    assert "already registered" in html
    assert "awaits verification" in html
    assert "Gizli Bekleyen" not in html
    assert "/join/" not in html


def test_register_refresh_saves_nothing_and_narrows_district_choices(client, user):
    response = client.post(en("ngos:register"), ngo_data(province="36", district="", refresh="1"))

    form = response.context["form"]
    assert not NGO.objects.exists()
    assert not form.is_bound
    assert not form.errors
    assert "Please correct the errors" not in response.content.decode()
    districts = set(form.fields["district"].queryset.values_list("name", flat=True))
    assert "Sarıkamış" in districts
    assert "Yakutiye" not in districts
    assert {m.province_id for m in form.fields["municipality"].queryset} == {36}
    assert 'value="Işık Gönüllüleri Derneği"' in response.content.decode()


def test_register_anonymous_is_sent_to_login(client):
    url = en("ngos:register")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{en('account_login')}?next={url}"
    assert client.post(url, ngo_data())["Location"].startswith(en("account_login"))
    assert not NGO.objects.exists()


# Editing the profile


def test_edit_by_admin_saves_the_profile(client, admin_of):
    ngo = NGOFactory(registry_number="25-1")
    client.force_login(admin_of(ngo))

    page = client.get(en("ngos:edit", ngo.slug))
    assert f'value="{ngo.name}"' in page.content.decode()
    response = client.post(
        en("ngos:edit", ngo.slug),
        ngo_data(name=ngo.name, registry_number="25-1", phone="0442 999 88 77"),
    )

    ngo.refresh_from_db()
    assert response["Location"] == en("ngos:detail", ngo.slug)
    assert ngo.phone == "0442 999 88 77"
    assert ngo.municipality.name == "Yakutiye Belediyesi"
    assert ngo.status == NGO.Status.VERIFIED
    assert "has been saved" in texts(response)[0]


def test_edit_refresh_saves_nothing(client, admin_of):
    ngo = NGOFactory(registry_number="25-1", phone="0442 000 00 00")
    client.force_login(admin_of(ngo))

    response = client.post(
        en("ngos:edit", ngo.slug),
        ngo_data(name=ngo.name, province="36", district="", phone="1", refresh="1"),
    )

    ngo.refresh_from_db()
    assert ngo.phone == "0442 000 00 00"
    assert ngo.province_id == 25
    assert "Sarıkamış" in response.content.decode()


def test_edit_of_rejected_ngo_keeps_it_rejected_and_shows_the_reason(client, admin_of):
    ngo = NGOFactory(
        registry_number="25-1", status=NGO.Status.REJECTED, status_reason="DERBİS kaydı bulunamadı."
    )
    client.force_login(admin_of(ngo))

    html = client.get(en("ngos:edit", ngo.slug)).content.decode()
    assert "was rejected" in html
    assert "DERBİS kaydı bulunamadı." in html
    client.post(en("ngos:edit", ngo.slug), ngo_data(name=ngo.name, registry_number="25-1"))

    ngo.refresh_from_db()
    assert ngo.status == NGO.Status.REJECTED
    assert ngo.phone == "0442 111 22 33"


@pytest.mark.parametrize("who", ["member", "other_admin", "stranger"])
def test_edit_by_non_admin_is_404(client, admin_of, who):
    ngo = NGOFactory(phone="0442 000 00 00")
    if who == "member":
        person = MembershipFactory(ngo=ngo, role=Membership.Role.MEMBER).user
    elif who == "other_admin":
        person = admin_of(NGOFactory())
    else:
        person = UserFactory()
    client.force_login(person)

    assert client.get(en("ngos:edit", ngo.slug)).status_code == 404
    response = client.post(en("ngos:edit", ngo.slug), ngo_data(name=ngo.name, phone="1"))
    assert response.status_code == 404
    ngo.refresh_from_db()
    assert ngo.phone == "0442 000 00 00"


# Asking to join


def test_join_request_is_created_and_the_admins_are_emailed(
    client, user, admin_of, mailoutbox, django_capture_on_commit_callbacks
):
    ngo = NGOFactory()
    first_admin = admin_of(ngo, user=UserFactory(preferred_language="en"))
    second_admin = admin_of(ngo)
    MembershipFactory(ngo=ngo, role=Membership.Role.MEMBER)

    page = client.get(en("ngos:join_request", ngo.slug))
    assert "Send my request" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("ngos:join_request", ngo.slug), {"message": "  Gönüllü koordinatörüyüm.  "}
        )

    request = JoinRequest.objects.get()
    assert (request.user, request.ngo, request.status) == (user, ngo, JoinRequest.Status.PENDING)
    assert request.message == "Gönüllü koordinatörüyüm."
    assert response["Location"] == en("ngos:detail", ngo.slug)
    assert "has been sent to the administrators" in texts(response)[0]
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [first_admin.email, second_admin.email]
    )
    english = next(mail for mail in mailoutbox if mail.to == [first_admin.email])
    assert f"Ayşe Işık asks to join {ngo.name}" in english.subject
    assert "Gönüllü koordinatörüyüm." in english.body
    assert f"http://testserver{en('ngos:join_requests', ngo.slug)}" in english.body


def test_join_request_duplicate_pending_is_refused(client, user):
    ngo = NGOFactory()
    JoinRequestFactory(user=user, ngo=ngo)

    html = client.get(en("ngos:join_request", ngo.slug)).content.decode()
    assert "Request sent" in html
    assert "Withdraw my request" in html
    response = client.post(en("ngos:join_request", ngo.slug), {"message": ""})

    assert "have already asked to join" in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_join_request_lost_race_on_the_unique_constraint_is_a_message(user, monkeypatch):
    ngo = NGOFactory()

    def racing_create(**kwargs):
        raise IntegrityError("join_request_one_pending_per_user_ngo")

    monkeypatch.setattr(JoinRequest.objects, "create", racing_create)
    with pytest.raises(onboarding.ValidationError, match="already asked to join"):
        join_request_create(user=user, ngo=ngo, message="")


def test_join_request_by_a_member_is_refused(client, user):
    ngo = NGOFactory()
    MembershipFactory(user=user, ngo=ngo)

    html = client.get(en("ngos:join_request", ngo.slug)).content.decode()
    assert "You are already a member" in html
    response = client.post(en("ngos:join_request", ngo.slug), {"message": ""})

    assert "You are already a member" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_join_request_to_a_pending_ngo_is_404(client, user):
    ngo = NGOFactory(status=NGO.Status.PENDING)

    assert client.get(en("ngos:join_request", ngo.slug)).status_code == 404
    assert client.post(en("ngos:join_request", ngo.slug), {"message": ""}).status_code == 404
    assert not JoinRequest.objects.exists()


def test_join_request_anonymous_is_sent_to_login(client):
    ngo = NGOFactory()
    url = en("ngos:join_request", ngo.slug)

    assert client.get(url)["Location"] == f"{en('account_login')}?next={url}"


def test_join_page_lists_the_users_other_pending_requests(client, user):
    elsewhere = JoinRequestFactory(user=user, ngo=NGOFactory(name="Kars Kar Dostları Derneği"))
    JoinRequestFactory(ngo=elsewhere.ngo)  # someone else's
    ngo = NGOFactory()

    html = client.get(en("ngos:join_request", ngo.slug)).content.decode()

    assert "Your requests to other organisations" in html
    assert "Kars Kar Dostları Derneği" in html
    assert en("ngos:join_request_withdraw", elsewhere.ngo.slug) in html


def test_withdraw_own_pending_request(client, user):
    pending = JoinRequestFactory(user=user)
    other = JoinRequestFactory(ngo=pending.ngo)

    response = client.post(en("ngos:join_request_withdraw", pending.ngo.slug))

    pending.refresh_from_db()
    other.refresh_from_db()
    assert pending.status == JoinRequest.Status.WITHDRAWN
    assert pending.decided_at is not None
    assert other.status == JoinRequest.Status.PENDING
    assert response["Location"] == en("ngos:join_request", pending.ngo.slug)
    assert "was withdrawn" in texts(response)[0]
    # A new request may follow a withdrawn one.
    client.post(en("ngos:join_request", pending.ngo.slug), {"message": ""})
    assert JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).count() == 1


def test_withdraw_without_a_pending_request_is_404(client, user):
    ngo = NGOFactory()
    JoinRequestFactory(ngo=ngo)  # someone else's

    assert client.post(en("ngos:join_request_withdraw", ngo.slug)).status_code == 404


def test_withdraw_and_decide_refuse_get(client, user):
    pending = JoinRequestFactory(user=user)

    withdraw = client.get(en("ngos:join_request_withdraw", pending.ngo.slug))
    decide = client.get(en("ngos:join_request_decide", pending.ngo.slug, pending.pk))

    assert (withdraw.status_code, decide.status_code) == (405, 405)
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.PENDING


# Deciding on requests


def test_join_requests_list_shows_pending_and_decided_to_admins(client, admin_of):
    ngo = NGOFactory()
    admin = admin_of(ngo)
    JoinRequestFactory(ngo=ngo, user=UserFactory(full_name="Bekleyen Kişi"), message="Merhaba")
    JoinRequestFactory(
        ngo=ngo, user=UserFactory(full_name="Reddedilen Kişi"), status="refused", decided_by=admin
    )
    JoinRequestFactory(user=UserFactory(full_name="Başka Dernekçi"))
    client.force_login(admin)

    response = client.get(en("ngos:join_requests", ngo.slug))

    html = response.content.decode()
    assert [r.user.full_name for r in response.context["pending_requests"]] == ["Bekleyen Kişi"]
    assert "Merhaba" in html
    assert "Reddedilen Kişi" in html
    assert "Refused" in html
    assert "Başka Dernekçi" not in html


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, None])
def test_join_requests_list_is_404_for_non_admins(client, role):
    ngo = NGOFactory()
    person = UserFactory()
    if role:
        MembershipFactory(ngo=ngo, user=person, role=role)
    client.force_login(person)

    assert client.get(en("ngos:join_requests", ngo.slug)).status_code == 404


def test_approve_creates_membership_and_emails_the_requester(
    client, admin_of, mailoutbox, django_capture_on_commit_callbacks
):
    ngo = NGOFactory()
    admin = admin_of(ngo)
    requester = UserFactory(full_name="Mehmet Öz", preferred_language="en")
    pending = JoinRequestFactory(ngo=ngo, user=requester)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("ngos:join_request_decide", ngo.slug, pending.pk), {"action": "approve"}
        )

    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.APPROVED
    assert pending.decided_by == admin
    assert pending.decided_at is not None
    membership = Membership.objects.get(ngo=ngo, user=requester)
    assert membership.role == Membership.Role.MEMBER
    assert response["Location"] == en("ngos:join_requests", ngo.slug)
    assert "Mehmet Öz is now a member" in texts(response)[0]
    [mail] = mailoutbox
    assert mail.to == [requester.email]
    assert f"You are now a member of {ngo.name}" in mail.subject
    assert "has been approved" in mail.body


def test_refuse_creates_no_membership_and_tells_the_requester(
    client, admin_of, mailoutbox, django_capture_on_commit_callbacks
):
    ngo = NGOFactory()
    client.force_login(admin_of(ngo))
    pending = JoinRequestFactory(ngo=ngo, user=UserFactory(preferred_language="en"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("ngos:join_request_decide", ngo.slug, pending.pk), {"action": "refuse"}
        )

    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.REFUSED
    assert not Membership.objects.filter(ngo=ngo, user=pending.user).exists()
    assert "was refused" in texts(response)[0]
    [mail] = mailoutbox
    assert mail.to == [pending.user.email]
    assert "was refused" in mail.subject


def test_approve_when_already_a_member_keeps_the_membership(admin_of):
    ngo = NGOFactory()
    pending = JoinRequestFactory(ngo=ngo)
    existing = MembershipFactory(ngo=ngo, user=pending.user, role=Membership.Role.ADMIN)

    join_request_decide(join_request_id=pending.pk, approve=True, by=admin_of(ngo))

    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.APPROVED
    assert list(Membership.objects.filter(ngo=ngo, user=pending.user)) == [existing]
    existing.refresh_from_db()
    assert existing.role == Membership.Role.ADMIN


def test_deciding_twice_says_already_decided(client, admin_of, mailoutbox):
    ngo = NGOFactory()
    client.force_login(admin_of(ngo))
    pending = JoinRequestFactory(ngo=ngo)
    url = en("ngos:join_request_decide", ngo.slug, pending.pk)

    client.post(url, {"action": "approve"})
    response = client.post(url, {"action": "refuse"})

    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.APPROVED
    assert "already been decided" in texts(response)[-1]
    assert Membership.objects.filter(ngo=ngo, user=pending.user).exists()


def test_deciding_a_withdrawn_request_is_refused(admin_of):
    pending = JoinRequestFactory(status=JoinRequest.Status.WITHDRAWN)

    with pytest.raises(onboarding.ValidationError, match="already been decided"):
        join_request_decide(join_request_id=pending.pk, approve=True, by=admin_of(pending.ngo))
    assert not Membership.objects.filter(user=pending.user).exists()


def test_another_ngos_admin_deciding_is_404(client, admin_of):
    ngo = NGOFactory()
    pending = JoinRequestFactory(ngo=ngo)
    other = NGOFactory()
    client.force_login(admin_of(other))

    via_target = client.post(
        en("ngos:join_request_decide", ngo.slug, pending.pk), {"action": "approve"}
    )
    via_own = client.post(
        en("ngos:join_request_decide", other.slug, pending.pk), {"action": "approve"}
    )

    assert (via_target.status_code, via_own.status_code) == (404, 404)
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=pending.user).exists()


def test_decide_with_an_unknown_action_changes_nothing(client, admin_of):
    ngo = NGOFactory()
    client.force_login(admin_of(ngo))
    pending = JoinRequestFactory(ngo=ngo)

    response = client.post(en("ngos:join_request_decide", ngo.slug, pending.pk), {"action": "x"})

    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.PENDING
    assert "Choose whether to approve or refuse" in texts(response)[0]


def test_decide_with_htmx_returns_the_refreshed_list(client, admin_of):
    ngo = NGOFactory()
    client.force_login(admin_of(ngo))
    pending = JoinRequestFactory(ngo=ngo, user=UserFactory(full_name="Zeynep Kaya"))

    response = client.post(
        en("ngos:join_request_decide", ngo.slug, pending.pk),
        {"action": "approve"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="requests"')
    assert "<html" not in html
    assert "Zeynep Kaya is now a member" in html
    assert "No request is waiting for a decision." in html
    assert not texts(response)


@pytest.mark.parametrize("size", [1, 5])
def test_join_requests_list_query_count(client, admin_of, size):
    ngo = NGOFactory()
    admin = admin_of(ngo)
    for _ in range(size):
        JoinRequestFactory(ngo=ngo)
        JoinRequestFactory(ngo=ngo, status=JoinRequest.Status.APPROVED, decided_by=admin)
    client.force_login(admin)
    url = en("ngos:join_requests", ngo.slug)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert len(response.context["pending_requests"]) == size
    assert len(queries) == 9  # + the nav's unread notification count


# The founding year (issue 17): never in the future


@time_machine.travel(datetime.datetime(2026, 12, 31, 22, 30, tzinfo=datetime.UTC))
def test_register_refuses_a_founding_year_in_the_future(client, user):
    """It is already 2027 in Türkiye (01:30 on 1 January), so 2027 is this year, 2028 not."""
    client.force_login(user)  # the fixture's session was opened before the travel
    response = client.post(en("ngos:register"), ngo_data(founding_year="2028"))

    assert not NGO.objects.exists()
    assert "The founding year cannot be in the future (it is 2027 now)." in (
        response.content.decode()
    )
    assert 'max="2027"' in response.content.decode()
    client.post(en("ngos:register"), ngo_data(founding_year="2027"))
    assert NGO.objects.get().founding_year == 2027


def test_edit_refuses_a_founding_year_in_the_future(client, admin_of):
    ngo = NGOFactory(registry_number="25-1", founding_year=1990)
    client.force_login(admin_of(ngo))
    next_year = timezone.localdate().year + 1

    response = client.post(
        en("ngos:edit", ngo.slug),
        ngo_data(name=ngo.name, registry_number="25-1", founding_year=str(next_year)),
    )

    ngo.refresh_from_db()
    assert ngo.founding_year == 1990
    assert "cannot be in the future" in response.content.decode()


def test_imported_row_with_a_future_founding_year_is_an_error():
    form = ImportRowForm(
        data=ngo_data(founding_year=str(timezone.localdate().year + 1), registry_number="")
    )

    assert not form.is_valid()
    assert "cannot be in the future" in str(form.errors["founding_year"])


def test_the_update_lists_button_is_hidden_when_javascript_runs(client, user):
    """The button is for browsers without JavaScript: with it, htmx updates the lists. A script
    file in <head> (no inline script: the CSP) marks <html> with "js", and the style sheet hides
    "no-js-only" under it."""
    html = client.get(en("ngos:register")).content.decode()
    button = html.index('name="refresh"')
    assert html.rindex('<div class="mb-3 no-js-only">', 0, button) > html.rindex(
        "<fieldset", 0, button
    )

    head = html[: html.index("</head>")]
    assert '<script src="/static/js/enabled.js"></script>' in head  # not deferred: no flash
    assert "<script>" not in html
    static = settings.BASE_DIR / "static"
    script = (static / "js" / "enabled.js").read_text()
    assert 'document.documentElement.classList.add("js");' in script
    css = (static / "css" / "portal.css").read_text()
    assert ".js .no-js-only { display: none !important; }" in css
