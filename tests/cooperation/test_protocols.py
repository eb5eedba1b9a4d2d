"""Cooperation protocols (issue 16): the lifecycle with its refusals, notifications, the version
check, and the pages that drive it."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperation.models import NGOCommitment, Protocol, ProtocolParty
from cooperation.services import protocols as services
from cooperation.services.protocols import ProtocolConflict
from municipalities.models import District, Municipality, MunicipalStaff, Province
from ngos.models import NGO, Membership
from portal.models import AuditEntry, Notification
from surveys.models import Expectation
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalCommitmentFactory,
    MunicipalStaffFactory,
    NGOCommitmentFactory,
    NGOFactory,
    ProtocolFactory,
    ProtocolPartyFactory,
    UserFactory,
)
from tests.helpers import en, messages_of
from tests.security.pages import submitted_case

# Services raise their messages in the active language: the tests read them in English.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "https://portal.example.test/"


def erzurum():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


@pytest.fixture
def people(mail_queue):
    """A manager and a staff member of Erzurum BB; two NGOs with an administrator each (and a
    member of the first); the draft protocol with both NGOs as parties, each committing."""
    manager = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER).user
    staff = MunicipalStaffFactory().user
    ngo_a = NGOFactory(name="Palandöken Arama Kurtarma Derneği")
    ngo_b = NGOFactory(name="Oltu Dayanışma Derneği")
    admin_a = MembershipFactory(ngo=ngo_a, role=Membership.Role.ADMIN).user
    admin_b = MembershipFactory(ngo=ngo_b, role=Membership.Role.ADMIN).user
    member_a = MembershipFactory(ngo=ngo_a).user
    protocol = ProtocolFactory(
        created_by=staff,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    for ngo in (ngo_a, ngo_b):
        NGOCommitmentFactory(party=ProtocolPartyFactory(protocol=protocol, ngo=ngo))
    return {
        "manager": manager,
        "staff": staff,
        "ngo_a": ngo_a,
        "ngo_b": ngo_b,
        "admin_a": admin_a,
        "admin_b": admin_b,
        "member_a": member_a,
        "protocol": protocol,
    }


def propose(p):
    protocol = p["protocol"]
    protocol.refresh_from_db()
    return services.protocol_propose(
        protocol_id=protocol.pk, expected_version=protocol.version, user=p["manager"], base_url=BASE
    )


def accept(p, admin, ngo):
    protocol = Protocol.objects.get(pk=p["protocol"].pk)
    return services.protocol_accept(
        protocol_id=protocol.pk,
        expected_version=protocol.version,
        user=admin,
        ngo=ngo,
        base_url=BASE,
    )


def notified(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("message", flat=True))


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


# --- the lifecycle ------------------------------------------------------------------------------


def test_proposing_notifies_every_party_admin_in_app_and_by_mail(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        protocol = propose(people)
    assert protocol.status == "proposed" and protocol.proposed_at is not None
    assert protocol.version == 2  # raised by the proposal
    for admin in (people["admin_a"], people["admin_b"]):
        [message] = notified(admin, "protocol_proposed")
        assert protocol.title in message and "Erzurum" in message
        [email] = mails_to(admin)
        assert f"/cooperation/protocols/{protocol.pk}/" in email.body
    # Plain members and the municipality's side are not asked to accept.
    assert notified(people["member_a"], "protocol_proposed") == []
    assert notified(people["manager"], "protocol_proposed") == []


def test_only_a_manager_may_propose_and_only_a_complete_draft(people):
    protocol = people["protocol"]
    with pytest.raises(ValidationError, match="manager"):
        services.protocol_propose(
            protocol_id=protocol.pk, expected_version=None, user=people["staff"]
        )
    NGOCommitment.objects.filter(party__ngo=people["ngo_b"]).delete()
    Protocol.objects.filter(pk=protocol.pk).update(ends_on=None)
    with pytest.raises(ValidationError) as refused:
        services.protocol_propose(
            protocol_id=protocol.pk, expected_version=None, user=people["manager"]
        )
    text = " ".join(refused.value.messages)
    assert "Oltu Dayanışma Derneği" in text
    assert Protocol.objects.get(pk=protocol.pk).status == "draft"


def test_a_protocol_without_parties_cannot_be_proposed(people):
    ProtocolParty.objects.filter(protocol=people["protocol"]).delete()
    with pytest.raises(ValidationError) as refused:
        propose(people)
    assert "Add at least one NGO party." in refused.value.messages


def test_it_becomes_active_when_the_last_party_accepts(people, django_capture_on_commit_callbacks):
    propose(people)
    first = accept(people, people["admin_a"], people["ngo_a"])
    assert first.status == "proposed"
    party_a = ProtocolParty.objects.get(protocol=first, ngo=people["ngo_a"])
    assert party_a.accepted_by == people["admin_a"] and party_a.accepted_at is not None
    # The municipality's manager and the author hear of each acceptance.
    assert notified(people["manager"], "protocol_accepted")
    assert notified(people["staff"], "protocol_accepted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        active = accept(people, people["admin_b"], people["ngo_b"])
    assert active.status == "active" and active.activated_at is not None
    for user in (people["manager"], people["admin_a"], people["admin_b"]):
        assert notified(user, "protocol_active")
        assert mails_to(user)


def _steps(protocol):
    return [
        (entry.actor, entry.details["step"], entry.details.get("ngo"))
        for entry in AuditEntry.objects.filter(
            action=AuditEntry.Action.PROTOCOL,
            target__startswith=f"cooperation.Protocol #{protocol.pk}:",
        ).order_by("pk")
    ]


def test_every_step_of_the_lifecycle_is_in_the_audit_log(people):
    p = people
    protocol = p["protocol"]
    propose(p)
    declined = Protocol.objects.get(pk=protocol.pk)
    services.protocol_decline(
        protocol_id=protocol.pk,
        expected_version=declined.version,
        user=p["admin_b"],
        ngo=p["ngo_b"],
        reason="Kapasitemiz yetersiz.",
    )
    propose(p)
    accept(p, p["admin_a"], p["ngo_a"])
    accept(p, p["admin_b"], p["ngo_b"])
    active = Protocol.objects.get(pk=protocol.pk)
    services.protocol_terminate(
        protocol_id=protocol.pk, expected_version=active.version, user=p["manager"], reason="Son."
    )

    assert _steps(protocol) == [
        (p["manager"], "proposed", None),
        (p["admin_b"], "declined", p["ngo_b"].pk),
        (p["manager"], "proposed", None),
        (p["admin_a"], "accepted", p["ngo_a"].pk),
        (p["admin_b"], "accepted", p["ngo_b"].pk),
        (None, "in_force", None),
        (p["manager"], "terminated", None),
    ]
    declined_entry = AuditEntry.objects.get(details__step="declined")
    assert declined_entry.details["reason"] == "Kapasitemiz yetersiz."
    # A refused step writes nothing: the audit line is in the step's transaction.
    with pytest.raises(ValidationError):
        services.protocol_propose(protocol_id=protocol.pk, expected_version=None, user=p["manager"])
    assert len(_steps(protocol)) == 7


def test_a_party_cannot_accept_twice_nor_for_an_ngo_it_does_not_administer(people):
    propose(people)
    accept(people, people["admin_a"], people["ngo_a"])
    with pytest.raises(ValidationError, match="already accepted"):
        accept(people, people["admin_a"], people["ngo_a"])
    with pytest.raises(ValidationError, match="administrator"):
        accept(people, people["member_a"], people["ngo_a"])
    with pytest.raises(ValidationError, match="administrator"):
        accept(people, people["admin_a"], people["ngo_b"])
    outsider = NGOFactory()
    admin = MembershipFactory(ngo=outsider, role=Membership.Role.ADMIN).user
    with pytest.raises(ValidationError, match="not a party"):
        accept(people, admin, outsider)


def test_a_draft_cannot_be_accepted(people):
    with pytest.raises(ValidationError, match="Only a proposed protocol"):
        accept(people, people["admin_a"], people["ngo_a"])


def test_declining_sends_it_back_to_draft_with_the_reason(
    people, django_capture_on_commit_callbacks
):
    propose(people)
    accept(people, people["admin_a"], people["ngo_a"])
    protocol = Protocol.objects.get(pk=people["protocol"].pk)
    with pytest.raises(ValidationError):
        services.protocol_decline(
            protocol_id=protocol.pk,
            expected_version=protocol.version,
            user=people["admin_b"],
            ngo=people["ngo_b"],
            reason="  ",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.protocol_decline(
            protocol_id=protocol.pk,
            expected_version=protocol.version,
            user=people["admin_b"],
            ngo=people["ngo_b"],
            reason="Ekip sayımız bu yıl yetersiz.",
            base_url=BASE,
        )
    protocol.refresh_from_db()
    assert protocol.status == "draft" and protocol.proposed_at is None
    # Every acceptance given so far is cleared: the changed text is accepted again.
    assert not ProtocolParty.objects.filter(protocol=protocol, accepted_at__isnull=False).exists()
    [message] = notified(people["manager"], "protocol_declined")
    assert "Oltu Dayanışma Derneği" in message
    [email] = mails_to(people["manager"])
    assert "Ekip sayımız bu yıl yetersiz." in email.body
    # The other party hears of it too; the declining NGO does not notify itself.
    assert notified(people["admin_a"], "protocol_declined")
    assert notified(people["admin_b"], "protocol_declined") == []


def test_withdrawing_a_proposal_clears_the_acceptances(people):
    propose(people)
    accept(people, people["admin_a"], people["ngo_a"])
    protocol = Protocol.objects.get(pk=people["protocol"].pk)
    services.protocol_withdraw(
        protocol_id=protocol.pk, expected_version=protocol.version, user=people["manager"]
    )
    protocol.refresh_from_db()
    assert protocol.status == "draft"
    assert not ProtocolParty.objects.filter(protocol=protocol, accepted_at__isnull=False).exists()
    assert notified(people["admin_a"], "protocol_withdrawn")


def test_terminating_needs_a_manager_and_a_reason_and_tells_the_parties(people):
    propose(people)
    accept(people, people["admin_a"], people["ngo_a"])
    accept(people, people["admin_b"], people["ngo_b"])
    protocol = Protocol.objects.get(pk=people["protocol"].pk)
    with pytest.raises(ValidationError, match="manager"):
        services.protocol_terminate(
            protocol_id=protocol.pk, expected_version=None, user=people["staff"], reason="x"
        )
    with pytest.raises(ValidationError):
        services.protocol_terminate(
            protocol_id=protocol.pk, expected_version=None, user=people["manager"], reason=""
        )
    services.protocol_terminate(
        protocol_id=protocol.pk,
        expected_version=protocol.version,
        user=people["manager"],
        reason="Belediye meclisi kararıyla sona erdi.",
    )
    protocol.refresh_from_db()
    assert protocol.status == "terminated"
    assert protocol.terminated_by == people["manager"] and protocol.ended_at is not None
    assert protocol.termination_reason == "Belediye meclisi kararıyla sona erdi."
    assert notified(people["admin_a"], "protocol_terminated")
    assert notified(people["manager"], "protocol_terminated") == []  # the one who did it
    # Nothing follows termination.
    with pytest.raises(ValidationError):
        services.protocol_propose(
            protocol_id=protocol.pk, expected_version=None, user=people["manager"]
        )


def test_a_stale_version_is_refused_and_nothing_is_written(people):
    protocol = people["protocol"]
    stale = protocol.version
    services.protocol_party_add(
        protocol_id=protocol.pk, expected_version=stale, user=people["staff"], ngo=NGOFactory()
    )
    with pytest.raises(ProtocolConflict) as conflict:
        services.protocol_update(
            protocol_id=protocol.pk,
            expected_version=stale,
            user=people["staff"],
            title="Eski sürümden değişiklik",
            subject="x",
            hazards=["flood"],
            phases=["response"],
        )
    assert conflict.value.current.version == stale + 1
    assert Protocol.objects.get(pk=protocol.pk).title == protocol.title


def test_commitments_link_to_the_party_ngos_own_capabilities(people):
    protocol = people["protocol"]
    party = ProtocolParty.objects.get(protocol=protocol, ngo=people["ngo_a"])
    own = CapabilityFactory(ngo=people["ngo_a"], kind="shelter", unit="tents", quantity=40)
    other = CapabilityFactory(ngo=people["ngo_b"], kind="first_aid")
    with pytest.raises(ValidationError):
        services.protocol_commitment_add(
            protocol_id=protocol.pk,
            expected_version=None,
            user=people["staff"],
            party_id=party.pk,
            capability=other,
        )
    commitment = services.protocol_commitment_add(
        protocol_id=protocol.pk,
        expected_version=None,
        user=people["staff"],
        party_id=party.pk,
        capability=own,
        quantity=20,
    )
    assert (commitment.kind, commitment.unit, commitment.capability) == ("shelter", "tents", own)


def test_districts_outside_the_municipalitys_province_are_refused(people):
    kars_district = District.objects.filter(province=36).first()
    with pytest.raises(ValidationError) as refused:
        services.protocol_update(
            protocol_id=people["protocol"].pk,
            expected_version=None,
            user=people["staff"],
            title="t",
            subject="s",
            hazards=["earthquake"],
            phases=["response"],
            districts=[kars_district],
        )
    assert "districts" in refused.value.error_dict


def test_counts_by_status_for_the_dashboard(people):
    ProtocolFactory(active=True)
    counts = services.protocol_counts(people["staff"])
    assert counts["total"] == 2 and counts["draft"] == 1 and counts["active"] == 1


# --- pages -------------------------------------------------------------------------------------


def test_create_from_an_accepted_case_prefills_and_adds_the_ngo(people, client):
    case = submitted_case(ngo=people["ngo_a"], hazard="flood", title="Sel tahliye planı")
    Expectation.objects.filter(pk=case.pk).update(status="accepted")
    client.force_login(people["staff"])
    url = reverse("cooperation:protocol_create") + f"?expectation={case.pk}"
    page = client.get(url).content.decode()
    assert 'value="Sel tahliye planı"' in page
    assert re.search(r'<input[^>]*value="flood"[^>]*checked', page)
    response = client.post(
        reverse("cooperation:protocol_create"),
        {
            "municipality": erzurum().pk,
            "title": "Sel tahliye planı",
            "subject": "Tahliye",
            "hazards": ["flood"],
            "phases": ["response"],
            "expectation": case.pk,
        },
    )
    protocol = Protocol.objects.get(title="Sel tahliye planı")
    assert response.url == reverse("cooperation:protocol_detail", args=[protocol.pk])
    assert protocol.expectation == case and protocol.created_by == people["staff"]
    assert list(protocol.parties.values_list("ngo", flat=True)) == [people["ngo_a"].pk]
    # The case page links to it; the protocol page links back to the case.
    case_page = client.get(reverse("surveys:case", args=[case.pk])).content.decode()
    assert reverse("cooperation:protocol_detail", args=[protocol.pk]) in case_page
    detail = client.get(reverse("cooperation:protocol_detail", args=[protocol.pk])).content
    assert reverse("surveys:case", args=[case.pk]) in detail.decode()


def test_the_ngo_sees_the_protocol_on_its_case_once_proposed(people, client):
    case = submitted_case(ngo=people["ngo_a"])
    protocol = people["protocol"]
    Protocol.objects.filter(pk=protocol.pk).update(expectation=case)
    client.force_login(people["member_a"])
    link = reverse("cooperation:protocol_detail", args=[protocol.pk])
    assert (
        link not in client.get(reverse("surveys:my_expectation", args=[case.pk])).content.decode()
    )
    propose(people)
    page = client.get(reverse("surveys:my_expectation", args=[case.pk])).content.decode()
    assert link in page
    detail = client.get(link).content.decode()
    assert reverse("surveys:my_expectation", args=[case.pk]) in detail


def test_a_case_not_yet_accepted_cannot_start_a_protocol(people, client):
    case = submitted_case(ngo=people["ngo_a"])  # new
    client.force_login(people["staff"])
    response = client.get(reverse("cooperation:protocol_create") + f"?expectation={case.pk}")
    assert response.status_code == 404
    assert (
        "Start a protocol"
        not in client.get(reverse("surveys:case", args=[case.pk])).content.decode()
    )


def _content_data(protocol, **changes):
    data = {
        "municipality": protocol.municipality_id,
        "title": protocol.title,
        "subject": protocol.subject,
        "hazards": protocol.hazards,
        "phases": protocol.phases,
        "starts_on": "2025-06-01",
        "ends_on": "2026-05-31",
        "municipal_commitments": "Depo alanı\nEğitim salonu",
        "version": protocol.version,
    }
    data.update(changes)
    return data


def test_a_stale_edit_is_reported_and_keeps_what_was_typed(people, client):
    protocol = people["protocol"]
    stale = _content_data(protocol, title="Benim başlığım")
    # A colleague saves first.
    services.protocol_update(
        protocol_id=protocol.pk,
        expected_version=protocol.version,
        user=people["manager"],
        title="Meslektaşın başlığı",
        subject="s",
        hazards=["earthquake"],
        phases=["preparedness"],
    )
    client.force_login(people["staff"])
    response = client.post(en("cooperation:protocol_edit", protocol.pk), stale)
    page = response.content.decode()
    assert "Someone else changed this protocol first" in page
    assert 'value="Benim başlığım"' in page
    assert Protocol.objects.get(pk=protocol.pk).title == "Meslektaşın başlığı"
    # Sending the form again (now holding the current version) saves it.
    current = Protocol.objects.get(pk=protocol.pk)
    response = client.post(
        reverse("cooperation:protocol_edit", args=[protocol.pk]),
        _content_data(current, title="Benim başlığım"),
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.title == "Benim başlığım"
    assert list(current.municipal_commitments.values_list("text", flat=True)) == [
        "Depo alanı",
        "Eğitim salonu",
    ]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("imza.docx", b"%PDF-1.4 ...", "PDF"),
        ("imza.pdf", b"PK\x03\x04 not a pdf", "not a PDF"),
    ],
)
def test_the_signed_document_must_be_a_pdf(
    people, client, name, content, error, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    protocol = people["protocol"]
    client.force_login(people["staff"])
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        en("cooperation:protocol_edit", protocol.pk),
        {**_content_data(protocol, title="Yeni başlık"), "document": upload},
    )
    page = response.content.decode()
    assert error in page
    assert 'value="Yeni başlık"' in page
    assert Protocol.objects.get(pk=protocol.pk).document is None


def test_a_too_large_document_is_refused_with_the_limit(people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PROTOCOL_DOCUMENT_MAX_BYTES = 1000
    protocol = people["protocol"]
    client.force_login(people["staff"])
    upload = SimpleUploadedFile("imza.pdf", b"%PDF-" + b"0" * 2000)
    response = client.post(
        reverse("cooperation:protocol_edit", args=[protocol.pk]),
        {**_content_data(protocol), "document": upload},
    )
    assert "1000" in response.content.decode() or "1.000" in response.content.decode()


def test_a_pdf_is_stored_and_served_only_to_those_who_see_the_protocol(
    people, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    protocol = people["protocol"]
    client.force_login(people["staff"])
    upload = SimpleUploadedFile("imza.pdf", b"%PDF-1.7 signed")
    response = client.post(
        reverse("cooperation:protocol_edit", args=[protocol.pk]),
        {**_content_data(protocol), "document": upload},
    )
    assert response.status_code == 302
    document = Protocol.objects.get(pk=protocol.pk).document
    assert (document.name, document.media_type) == ("imza.pdf", "application/pdf")
    # The address of earlier links leads to the attachment, served at /attachments/….
    url = reverse("cooperation:protocol_document", args=[protocol.pk])
    assert client.get(url)["Location"] == document.get_absolute_url()
    download = client.get(document.get_absolute_url())
    assert b"".join(download.streaming_content) == b"%PDF-1.7 signed"
    assert download["Content-Type"] == "application/pdf"
    # The party NGO does not see a draft, so not its document either.
    client.force_login(people["admin_a"])
    assert client.get(url).status_code == 404
    assert client.get(document.get_absolute_url()).status_code == 404
    # Replacing the document deletes the old one (its row now, its file after the commit).
    client.force_login(people["staff"])
    client.post(
        reverse("cooperation:protocol_edit", args=[protocol.pk]),
        {
            **_content_data(Protocol.objects.get(pk=protocol.pk)),
            "document": SimpleUploadedFile("yeni.pdf", b"%PDF-1.7 new"),
        },
    )
    assert [a.name for a in Protocol.objects.get(pk=protocol.pk).attachments.all()] == ["yeni.pdf"]


def test_the_whole_lifecycle_through_the_pages(people, client):
    protocol = people["protocol"]
    detail = reverse("cooperation:protocol_detail", args=[protocol.pk])
    client.force_login(people["manager"])
    response = client.post(
        reverse("cooperation:protocol_propose", args=[protocol.pk]), {"version": protocol.version}
    )
    assert response.url == detail
    client.force_login(people["admin_a"])
    page = client.get(detail).content.decode()
    assert reverse("cooperation:protocol_accept", args=[protocol.pk]) in page
    protocol.refresh_from_db()
    client.post(
        reverse("cooperation:protocol_accept", args=[protocol.pk]),
        {"version": protocol.version, "ngo": people["ngo_a"].pk},
    )
    client.force_login(people["admin_b"])
    protocol.refresh_from_db()
    # Declining without a reason keeps the page with the error.
    response = client.post(
        reverse("cooperation:protocol_decline", args=[protocol.pk]),
        {"version": protocol.version, "ngo": people["ngo_b"].pk, "reason": ""},
    )
    assert "reason" in response.context["decision_form"].errors
    response = client.post(
        reverse("cooperation:protocol_accept", args=[protocol.pk]),
        {"version": protocol.version, "ngo": people["ngo_b"].pk},
    )
    assert response.url == detail
    protocol.refresh_from_db()
    assert protocol.status == "active"
    client.force_login(people["manager"])
    response = client.post(
        reverse("cooperation:protocol_terminate", args=[protocol.pk]),
        {"version": protocol.version, "reason": "Süre doldu."},
    )
    protocol.refresh_from_db()
    assert protocol.status == "terminated"
    assert "Süre doldu." in client.get(detail).content.decode()


def test_a_stale_accept_shows_the_current_protocol(people, client):
    propose(people)
    protocol = Protocol.objects.get(pk=people["protocol"].pk)
    stale = protocol.version
    accept(people, people["admin_a"], people["ngo_a"])
    client.force_login(people["admin_b"])
    response = client.post(
        reverse("cooperation:protocol_accept", args=[protocol.pk]),
        {"version": stale, "ngo": people["ngo_b"].pk},
    )
    assert response.context["conflict"] is not None
    assert Protocol.objects.get(pk=protocol.pk).status == "proposed"


def test_a_party_admin_declining_is_sent_to_the_list(people, client):
    propose(people)
    protocol = Protocol.objects.get(pk=people["protocol"].pk)
    client.force_login(people["admin_b"])
    response = client.post(
        reverse("cooperation:protocol_decline", args=[protocol.pk]),
        {"version": protocol.version, "ngo": people["ngo_b"].pk, "reason": "Uygun değil."},
    )
    assert response.url == reverse("cooperation:protocol_list")
    assert messages_of(response)


def test_staff_add_parties_by_searching_verified_ngos(people, client):
    protocol = people["protocol"]
    target = NGOFactory(name="Işıklı Gönüllüler Derneği")
    NGOFactory(name="Işıklı Askıda Derneği", status=NGO.Status.PENDING)
    client.force_login(people["staff"])
    detail = reverse("cooperation:protocol_detail", args=[protocol.pk])
    page = client.get(detail, {"ngo_q": "isikli"}).content.decode()
    assert "Işıklı Gönüllüler Derneği" in page
    assert "Işıklı Askıda Derneği" not in page
    protocol.refresh_from_db()
    client.post(
        reverse("cooperation:protocol_party_add", args=[protocol.pk]),
        {"version": protocol.version, "ngo": target.pk},
    )
    assert ProtocolParty.objects.filter(protocol=protocol, ngo=target).exists()


# --- lists -------------------------------------------------------------------------------------


def _protocols(count):
    province = Province.objects.get(plate=25)
    for index in range(count):
        protocol = ProtocolFactory(active=True, title=f"Protokol {index}")
        MunicipalCommitmentFactory(protocol=protocol)
        for _n in range(2):
            ProtocolPartyFactory(protocol=protocol, ngo=NGOFactory(province=province))


def _list_queries(client, user, count):
    _protocols(count)
    client.force_login(user)
    url = reverse("cooperation:protocol_list")
    client.get(url)  # warm up the session and the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"status": "active", "province": "25"})
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_the_protocol_list_runs_a_fixed_number_of_queries(client, count):
    user = CoordinatorAssignmentFactory(subregion=None).user
    queries, page = _list_queries(client, user, count)
    assert f"Protokol {count - 1}" in page
    assert queries == 12


def test_the_lists_show_only_visible_protocols_and_filter_by_status(people, client):
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    ProtocolFactory(municipality=kars, active=True, title="Kars protokolü")
    client.force_login(people["staff"])
    page = client.get(reverse("cooperation:protocol_list")).content.decode()
    assert people["protocol"].title in page and "Kars protokolü" not in page
    page = client.get(reverse("cooperation:protocol_list"), {"status": "active"}).content.decode()
    assert people["protocol"].title not in page
    # The NGO's list shows its protocols once proposed.
    client.force_login(people["member_a"])
    url = reverse("cooperation:ngo_protocols", args=[people["ngo_a"].slug])
    assert people["protocol"].title not in client.get(url).content.decode()
    propose(people)
    assert people["protocol"].title in client.get(url).content.decode()
    # Another NGO's list is not there for it.
    assert (
        client.get(reverse("cooperation:ngo_protocols", args=[people["ngo_b"].slug])).status_code
        == 404
    )


def test_the_coordinators_list_filters_by_sub_region_and_searches_turkish_names(client):
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    istanbul = Municipality.objects.get(province=34, kind=Municipality.Kind.METROPOLITAN)
    ProtocolFactory(municipality=kars, active=True, title="Kars protokolü")
    ProtocolFactory(municipality=istanbul, active=True, title="İstanbul protokolü")
    client.force_login(UserFactory(is_staff=True))
    url = reverse("cooperation:protocol_list")
    subregion = Province.objects.get(plate=36).subregion_id
    page = client.get(url, {"subregion": subregion}).content.decode()
    assert "Kars protokolü" in page and "İstanbul protokolü" not in page
    page = client.get(url, {"q": "ISTANBUL"}).content.decode()
    assert "İstanbul protokolü" in page and "Kars protokolü" not in page
