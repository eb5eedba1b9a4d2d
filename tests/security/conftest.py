"""One small world for the permission matrix: every role of the portal, and the objects each
URL pattern points at, all belonging to one NGO, one municipality and one sub-region (14,
Erzurum-Kars), with "other" roles attached to another NGO, municipality or sub-region."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, JoinRequest, Membership, NGOIdentityChange
from portal.models import Notification
from surveys.models import AnswerTemplate, Category, Submission
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    InvitationFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    NGOIdentityChangeFactory,
    UserFactory,
)
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

ROLES = (
    "anonymous",
    "ngo_member",
    "ngo_admin",
    "other_ngo_member",
    "municipal_staff",
    "other_municipal_staff",
    "regional_coordinator",
    "other_coordinator",
    "national_coordinator",
    "site_admin",
)


@dataclass
class World:
    """The objects of the matrix and one user per role (``None`` for anonymous)."""

    users: dict = field(default_factory=dict)
    subregion: SubRegion = None
    other_subregion: SubRegion = None
    province: Province = None
    municipality: Municipality = None
    other_municipality: Municipality = None
    ngo: NGO = None
    other_ngo: NGO = None
    pending_ngo: NGO = None
    capability: object = None
    join_request: JoinRequest = None
    admin_membership: Membership = None
    member_membership: Membership = None
    ngo_invitation: object = None
    municipal_invitation: object = None
    manager_staff: MunicipalStaff = None
    campaign: object = None
    submission: Submission = None
    case: object = None
    answer_template: AnswerTemplate = None
    event: object = None
    registration: object = None
    # --- issue 18: a held programme the NGO member attended (their certificate) ---
    held_event: object = None
    attendance: object = None
    notification: Notification = None
    identity_change: NGOIdentityChange = None
    # The conversation on the case, a message with a file (issue 18).
    case_message: object = None
    case_attachment: object = None
    # A case the municipality wrote on and referred to Yakutiye (its list of referred cases).
    referred_case: object = None
    ngo_document: object = None
    # Cooperation protocols of the municipality with the NGO as party (issue 16).
    draft_protocol: object = None
    proposed_protocol: object = None
    active_protocol: object = None
    # --- activations (issue 16) ---
    activation: object = None
    need: object = None
    call: object = None
    item: object = None
    offer: object = None
    # The session cookie of each signed-in role, made once with the world (see ``as_role``).
    sessions: dict = field(default_factory=dict)


def as_role(client, world, role):
    """Send the client's next requests as ``role``: with the session made for it when the world
    was built (a log-in per request would cost more than most requests; a request that changes
    or ends its session does so in the savepoint it runs in)."""
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]


def _sessions(world):
    sessions = {}
    for role, user in world.users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _user(email, **kwargs):
    return UserFactory(email=email, full_name=email.split("@")[0].title(), **kwargs)


def build_world() -> World:
    """Create the world (about 60 queries on SQLite)."""
    w = World()
    w.subregion = SubRegion.objects.get(code="14")  # Erzurum-Kars
    w.province = Province.objects.get(plate=25)  # Erzurum
    istanbul = Province.objects.get(plate=34)
    w.other_subregion = istanbul.subregion
    w.municipality = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    # Another municipality of the same sub-region: scoping must be by municipality, not area.
    w.other_municipality = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)

    w.ngo = NGOFactory(name="Palandöken Dayanışma Derneği", province=w.province)
    w.other_ngo = NGOFactory(name="Boğaziçi Gönüllüleri Derneği", province=istanbul)
    w.pending_ngo = NGOFactory(
        name="Aras Afet Gönüllüleri Derneği", province=w.province, status=NGO.Status.PENDING
    )

    users = {"anonymous": None}
    users["ngo_member"] = _user("uye.palandoken@matrix.test")
    users["ngo_admin"] = _user("admin@matrix.test")
    users["other_ngo_member"] = _user("uye.bogazici@matrix.test")
    users["municipal_staff"] = _user("staff@matrix.test")
    users["other_municipal_staff"] = _user("other-staff@matrix.test")
    users["regional_coordinator"] = _user("regional@matrix.test")
    users["other_coordinator"] = _user("other-regional@matrix.test")
    users["national_coordinator"] = _user("national@matrix.test")
    users["site_admin"] = _user("siteadmin@matrix.test", is_staff=True, is_superuser=True)
    w.users = users

    w.member_membership = MembershipFactory(user=users["ngo_member"], ngo=w.ngo)
    w.admin_membership = MembershipFactory(
        user=users["ngo_admin"], ngo=w.ngo, role=Membership.Role.ADMIN
    )
    MembershipFactory(user=users["other_ngo_member"], ngo=w.other_ngo)
    MembershipFactory(
        user=_user("pending-admin@matrix.test"), ngo=w.pending_ngo, role=Membership.Role.ADMIN
    )
    w.manager_staff = MunicipalStaffFactory(
        user=users["municipal_staff"],
        municipality=w.municipality,
        role=MunicipalStaff.Role.MANAGER,
    )
    MunicipalStaffFactory(
        user=users["other_municipal_staff"],
        municipality=w.other_municipality,
        role=MunicipalStaff.Role.MANAGER,
    )
    CoordinatorAssignmentFactory(user=users["regional_coordinator"], subregion=w.subregion)
    CoordinatorAssignmentFactory(user=users["other_coordinator"], subregion=w.other_subregion)
    CoordinatorAssignmentFactory(user=users["national_coordinator"], subregion=None)

    w.capability = CapabilityFactory(ngo=w.ngo)
    # The member of the other NGO has asked to join this one (withdrawn by them, decided by
    # the NGO's administrators).
    w.join_request = JoinRequest.objects.create(
        user=users["other_ngo_member"], ngo=w.ngo, message="Katılmak istiyorum."
    )
    w.ngo_invitation = InvitationFactory(
        ngo=w.ngo, email="invitee@matrix.test", invited_by=users["ngo_admin"]
    )
    w.municipal_invitation = InvitationFactory(
        ngo=None,
        municipality=w.municipality,
        role=MunicipalStaff.Role.STAFF,
        email="colleague@matrix.test",
        invited_by=users["municipal_staff"],
    )

    w.campaign = CampaignFactory(code="k2025", title="2025 Beş Beklenti Anketi")
    w.submission = SubmissionFactory(
        campaign=w.campaign,
        ngo=w.ngo,
        status=Submission.Status.SUBMITTED,
        receipt_number="M-000001",
        submitted_at=timezone.now() - datetime.timedelta(days=2),
    )
    categories = list(Category.objects.filter(is_active=True).order_by("order")[:5])
    items = [
        ExpectationFactory(
            submission=w.submission, rank=rank, category=category, municipality=w.municipality
        )
        for rank, category in enumerate(categories, start=1)
    ]
    w.case = items[0]
    w.referred_case = items[4]
    w.answer_template = AnswerTemplate.objects.create(
        municipality=w.municipality,
        title="Teşekkür",
        body="Talebiniz değerlendirmeye alınmıştır.",
        created_by=users["municipal_staff"],
    )

    w.event = EventFactory(title="Erzurum Bölge Programı", subregion=w.subregion)
    w.registration = RegistrationFactory(event=w.event, user=users["ngo_member"], ngo=w.ngo)
    w.event.seats_taken = 1
    w.event.save(update_fields=["seats_taken"])
    # --- issue 18: a held programme the NGO member attended (their certificate) ---
    held_start = timezone.now() - datetime.timedelta(days=20)
    w.held_event = EventFactory(
        title="Kars Bölge Programı",
        subregion=w.subregion,
        starts_at=held_start,
        ends_at=held_start + datetime.timedelta(hours=6),
        registration_deadline=held_start - datetime.timedelta(days=1),
        state="held",
        seats_taken=1,
    )
    w.attendance = RegistrationFactory(
        event=w.held_event,
        user=users["ngo_member"],
        ngo=w.ngo,
        status="attended",
        checked_in_at=held_start,
    )

    # The NGO's administrator has asked to rename it: a change awaiting the coordinators.
    w.identity_change = NGOIdentityChangeFactory(
        ngo=w.ngo, name="Palandöken Yardımlaşma Derneği", requested_by=users["ngo_admin"]
    )

    w.notification = Notification.objects.create(
        user=users["ngo_member"], kind="answer", message="Belediye yanıt verdi.", url="/"
    )

    # --- the conversation on the case and its files (issue 18) ---
    _conversation(w)
    # --- cooperation protocols (issue 16) ---
    _protocols(w)
    return w


def _conversation(w):
    """The municipality wrote to the NGO about the case, with a PDF; the NGO answered."""
    from portal.attachments import attachment_check
    from surveys.services.conversation import case_message_post
    from tests.attachment_files import PDF, upload

    w.case_message = case_message_post(
        expectation_id=w.case.pk,
        user=w.users["municipal_staff"],
        side="municipality",
        text="Matris yazışması: saha planı ekte.",
        files=[attachment_check(upload("saha-plani.pdf", PDF))],
    )
    w.case_attachment = w.case_message.files[0]
    # The NGO's certificate (issue 18): its administrators and coordinators only.
    from ngos.services.documents import ngo_documents_add

    w.ngo_document = ngo_documents_add(
        ngo_id=w.ngo.pk,
        user=w.users["ngo_admin"],
        files=[attachment_check(upload("faaliyet-belgesi.pdf", PDF))],
    )[0]
    case_message_post(
        expectation_id=w.case.pk, user=w.users["ngo_member"], side="ngo", text="Teşekkürler."
    )
    # The municipality wrote on another case, then referred it to Yakutiye.
    from surveys.services.review import expectation_refer, referral_targets

    case_message_post(
        expectation_id=w.referred_case.pk,
        user=w.users["municipal_staff"],
        side="municipality",
        text="Matris devir öncesi yazışma.",
    )
    expectation_refer(
        expectation_id=w.referred_case.pk,
        expected_version=None,
        user=w.users["municipal_staff"],
        to_municipality=referral_targets(w.referred_case).get(name="Yakutiye Belediyesi"),
        text="Matris devir gerekçesi.",
    )


def _protocols(w):
    """A draft, a proposed and an active protocol of the municipality, each with the NGO as a
    party that commits something; the active one grew out of the case and has its document."""
    from tests.factories import NGOCommitmentFactory, ProtocolFactory, ProtocolPartyFactory

    protocols = {}
    for name, traits in [
        ("draft", {}),
        ("proposed", {"proposed": True}),
        ("active", {"active": True, "expectation": w.case}),
    ]:
        protocol = ProtocolFactory(
            municipality=w.municipality,
            title=f"Matris protokolü ({name})",
            created_by=w.users["municipal_staff"],
            **traits,
        )
        NGOCommitmentFactory(party=ProtocolPartyFactory(protocol=protocol, ngo=w.ngo))
        protocols[name] = protocol
    from portal.attachments import attachment_check, attachment_store
    from tests.attachment_files import upload

    attachment_store(
        owner=protocols["active"],
        checked=attachment_check(upload("imza.pdf", b"%PDF-1.4 matris")),
        user=w.users["municipal_staff"],
    )
    w.draft_protocol = protocols["draft"]
    w.proposed_protocol = protocols["proposed"]
    w.active_protocol = protocols["active"]
    _build_activations(w)
    return w


def _build_activations(w):
    """Activations (issue 16): an open real flood of the municipality in its province, with a
    need, a call to the NGO (answered, with an on-site contact that is personal data) and a
    pending offer from the other NGO."""
    from tests.factories import (
        ActivationFactory,
        CallFactory,
        NeedFactory,
        OfferFactory,
        ResponseFactory,
        ResponseItemFactory,
    )

    w.activation = ActivationFactory(
        municipality=w.municipality, hazard="flood", title="Palandöken sel baskını"
    )
    w.need = NeedFactory(activation=w.activation, kind="shelter", quantity=30, unit="tents")
    sent = timezone.now() - datetime.timedelta(minutes=20)
    w.call = CallFactory(
        activation=w.activation,
        ngo=w.ngo,
        sent_at=sent,
        state="responded",
        responded_at=sent + datetime.timedelta(minutes=5),
    )
    response = ResponseFactory(call=w.call, contact_name="Sahadaki Kişi Hüsnü")
    w.item = ResponseItemFactory(response=response, need=w.need, pledged=10)
    w.offer = OfferFactory(activation=w.activation, ngo=w.other_ngo)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per test module inside a transaction that is rolled back at the
    end of the module; each test runs in a savepoint within it (pytest-django's ``db``).
    Uploaded files (a protocol's document) go to a temporary directory."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        world = build_world()
        world.sessions = _sessions(world)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db):
    """The matrix world (shared by the module's tests; each test's changes are rolled back)."""
    return _module_world
