"""The lifecycle of a cooperation protocol between a municipality and NGOs.

draft (the municipality's staff write it: scope, dates, parties, each side's commitments)
→ proposed (a manager of the municipality proposes it; every party's administrators are told)
→ each NGO party's administrator accepts it for the organisation → active when the last party
has accepted → expired (``protocols_expire``, after the end date) or terminated (a manager,
with a reason).

Two ways back to draft, both clearing every acceptance so that the changed text is accepted
again: the municipality withdraws the proposal to change it, or an NGO party declines it with a
reason (a protocol needs every party, so one refusal sends the text back to the table; the
reason goes to the municipality in the notification and the e-mail).

Every write locks the protocol row and compares the ``version`` the user loaded (optimistic
concurrency: a difference raises ``ProtocolConflict`` and writes nothing), then raises the
version. Notifications go in-app and by e-mail to the people concerned (after the transaction
commits, through the outbox): protocol matters are agreements between organisations, so their
e-mails are sent like invitations, whatever the expectation-related e-mail preferences say.
Every state is recorded on the rows themselves (who accepted and when, who terminated, why),
and every step (proposal, withdrawal, each acceptance, coming into force, a refusal,
termination, expiry) is written to the audit log too, append only: a protocol binds public
bodies and associations, and who agreed to what and when must stay provable after the rows
change again.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cooperation.models import (
    PROTOCOL_HAZARD_FIELDS,
    PROTOCOL_PHASE_FIELDS,
    PROTOCOL_TRANSITIONS,
    MunicipalCommitment,
    NGOCommitment,
    Protocol,
    ProtocolParty,
    ProtocolStatus,
)
from municipalities.models import MunicipalStaff
from ngos.models import NGO, Membership
from portal.access import roles_of
from portal.attachments import attachment_store
from portal.audit import audit, describe
from portal.mail import mail_batch
from portal.models import AuditEntry, Notification
from portal.notifications import send_emails
from surveys.models import Expectation, ExpectationStatus

Status = ProtocolStatus

# The fields of the protocol form that ``protocol_update`` writes.
EDITABLE_FIELDS = [
    "title",
    "subject",
    "service_group",
    "starts_on",
    "ends_on",
]

# A protocol may grow out of an expectation the municipality has agreed to.
STARTABLE_CASE_STATUSES = {
    ExpectationStatus.ACCEPTED,
    ExpectationStatus.PLANNED,
    ExpectationStatus.IN_PROGRESS,
}


class ProtocolConflict(ValidationError):
    """Someone changed the protocol since this user loaded it."""

    def __init__(self, current: Protocol):
        self.current = current
        super().__init__(
            _(
                "Someone else changed this protocol in the meantime: it is now “%(status)s”. "
                "Nothing was saved; what you typed is still in the form. Check the current "
                "protocol and try again."
            )
            % {"status": current.get_status_display()},
            code="conflict",
        )


# --- helpers -----------------------------------------------------------------------------------


def _locked(protocol_id, expected_version) -> Protocol:
    """The protocol, locked for the transaction; a stale ``expected_version`` is a conflict."""
    protocol = (
        Protocol.objects.select_for_update(of=("self",))
        .select_related("municipality")
        .filter(pk=protocol_id)
        .first()
    )
    if protocol is None:
        raise ValidationError(_("This protocol does not exist any more."), code="scope")
    if expected_version is not None and protocol.version != int(expected_version):
        raise ProtocolConflict(protocol)
    return protocol


def _require_status(protocol, *statuses, message=None):
    if protocol.status not in statuses:
        raise ValidationError(
            message
            or _("This cannot be done while the protocol is “%(status)s”.")
            % {"status": protocol.get_status_display()},
            code="status",
        )


def _move(protocol, to_status):
    """Check the transition against PROTOCOL_TRANSITIONS and set the new status."""
    if to_status not in PROTOCOL_TRANSITIONS.get(protocol.status, set()):
        raise ValidationError(
            _("A protocol cannot go from “%(old)s” to “%(new)s”.")
            % {"old": protocol.get_status_display(), "new": Status(to_status).label},
            code="transition",
        )
    protocol.status = to_status


def _save(protocol, *fields):
    """Save the fields and raise the version (every write goes through here; the row is
    locked, so the increment cannot race)."""
    protocol.version += 1
    protocol.save(update_fields=["version", "updated_at", *fields])


def _touch(protocol):
    """A change to the protocol's parts (parties, commitments) is a change to the protocol."""
    _save(protocol)


def _require_staff(protocol, user):
    if protocol.municipality_id not in roles_of(user).municipality_ids:
        raise ValidationError(
            _("Only the staff of %(municipality)s can change this protocol.")
            % {"municipality": protocol.municipality.name},
            code="permission",
        )


def _require_manager(protocol, user):
    if protocol.municipality_id not in roles_of(user).municipality_manager_ids:
        raise ValidationError(
            _("Only a manager of %(municipality)s can do this.")
            % {"municipality": protocol.municipality.name},
            code="permission",
        )


def _audit(protocol, user, step, **details):
    """One line of the audit log for a step of the protocol's lifecycle."""
    audit(
        AuditEntry.Action.PROTOCOL,
        actor=user,
        target=protocol,
        details={"step": step, "status": protocol.status, "version": protocol.version, **details},
    )


def protocol_url(base_url, protocol) -> str:
    return base_url.rstrip("/") + reverse("cooperation:protocol_detail", kwargs={"pk": protocol.pk})


def _party_admins(protocol, *, exclude_ngo=None):
    memberships = Membership.objects.filter(
        ngo__in=ProtocolParty.objects.filter(protocol=protocol).values("ngo_id"),
        role=Membership.Role.ADMIN,
    ).select_related("user")
    if exclude_ngo is not None:
        memberships = memberships.exclude(ngo=exclude_ngo)
    return list({m.user_id: m.user for m in memberships}.values())


def _municipal_side(protocol):
    """The municipality's managers and the staff member who wrote the protocol."""
    users = {
        s.user_id: s.user
        for s in MunicipalStaff.objects.filter(
            municipality=protocol.municipality_id, role=MunicipalStaff.Role.MANAGER
        ).select_related("user")
    }
    if protocol.created_by_id and protocol.created_by_id not in users:
        creator = protocol.created_by
        if (
            creator.is_active
            and MunicipalStaff.objects.filter(
                user=creator, municipality=protocol.municipality_id
            ).exists()
        ):
            users[creator.pk] = creator
    return list(users.values())


def _tell(users, *, kind, protocol, base_url, text, detail="", values=None, exclude=None):
    """An in-app notification and an e-mail for each user, in the user's language. ``text`` and
    ``detail`` are format strings translated per recipient; they may use %(title)s,
    %(municipality)s, %(date)s (the end date) and the keys of ``values``."""
    url = protocol_url(base_url, protocol)
    recipients = {u.pk: u for u in users if u is not None and u != exclude and u.is_active}
    notes, emails = [], []
    for user in recipients.values():
        with translation.override(user.preferred_language):
            known = {
                "title": protocol.title,
                "municipality": protocol.municipality.name,
                "date": protocol.ends_on.strftime("%d.%m.%Y") if protocol.ends_on else "",
                **(values or {}),
            }
            line = _(text) % known
            body = "\n\n".join(p for p in [line, _(detail) % known if detail else "", url] if p)
        notes.append(Notification(user=user, kind=kind, message=line[:300], url=url[:300]))
        if user.email:
            emails.append((line, body, user.email))
    Notification.objects.bulk_create(notes)
    if emails:
        transaction.on_commit(lambda: send_emails(emails))
    return len(notes)


def protocol_counts(user) -> dict:
    """How many protocols the user can see, in all and by status (one query; the dashboard)."""
    return Protocol.objects.visible_to(user).aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values},
    )


def _validate_content(*, municipality, hazards, phases, districts, starts_on, ends_on):
    """The rules of a protocol's content that the database cannot check across rows."""
    errors = {}
    if not hazards:
        errors["hazards"] = _("Choose at least one hazard.")
    if not phases:
        errors["phases"] = _("Choose at least one phase.")
    outside = [d.name for d in districts if d.province_id != municipality.province_id]
    if outside:
        errors["districts"] = _("These districts are not in %(province)s: %(names)s.") % {
            "province": municipality.province.name,
            "names": ", ".join(outside),
        }
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)


def startable_expectation(user, expectation_id) -> Expectation | None:
    """The case of the user's municipality that a protocol may start from (accepted, planned
    or in progress), or None."""
    return (
        Expectation.objects.in_inbox_of(user)
        .filter(pk=expectation_id, status__in=STARTABLE_CASE_STATUSES)
        .select_related("submission__ngo", "municipality", "category")
        .first()
    )


def initial_from_expectation(case) -> dict:
    """What a new protocol's form starts with when it grows out of the case."""
    hazard = case.hazard or (case.category.hazard if case.category else "")
    parts = [case.description.strip(), case.offer.strip()]
    return {
        "municipality": case.municipality,
        "title": case.title[:200],
        "subject": "\n\n".join(part for part in parts if part) or case.title,
        "hazards": [hazard] if hazard else [],
        "expectation": case.pk,
    }


@transaction.atomic
def protocol_create(
    *,
    user,
    municipality,
    title,
    subject,
    hazards,
    phases,
    districts=(),
    service_group=None,
    starts_on=None,
    ends_on=None,
    document=None,
    municipal_commitments=(),
    expectation=None,
) -> Protocol:
    """A draft protocol of one of the user's municipalities. From a case (``expectation``), the
    case's NGO becomes its first party. Side effects: inserts the protocol, its districts, the
    municipality's commitments and (from a case) a party."""
    if municipality.pk not in roles_of(user).municipality_ids:
        raise ValidationError(_("You can only write protocols for your own municipality."))
    districts = list(districts)
    _validate_content(
        municipality=municipality,
        hazards=hazards,
        phases=phases,
        districts=districts,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if expectation is not None:
        case = startable_expectation(user, expectation.pk)
        if case is None or case.municipality_id != municipality.pk:
            raise ValidationError(
                _("A protocol can start only from an accepted case of this municipality.")
            )
    protocol = Protocol(
        municipality=municipality,
        title=title,
        subject=subject,
        service_group=service_group,
        starts_on=starts_on,
        ends_on=ends_on,
        expectation=expectation,
        created_by=user,
    )
    protocol.hazards, protocol.phases = hazards, phases
    protocol.save()
    if document:
        attachment_store(owner=protocol, checked=document, user=user)
    protocol.districts.set(districts)
    _set_municipal_commitments(protocol, municipal_commitments)
    if expectation is not None and expectation.submission.ngo.is_verified:
        ProtocolParty.objects.create(protocol=protocol, ngo=expectation.submission.ngo)
    return protocol


def _set_municipal_commitments(protocol, texts):
    MunicipalCommitment.objects.filter(protocol=protocol).delete()
    MunicipalCommitment.objects.bulk_create(
        MunicipalCommitment(protocol=protocol, text=text, order=order)
        for order, text in enumerate((t.strip() for t in texts if t.strip()), start=1)
    )


@transaction.atomic
def protocol_update(
    *,
    protocol_id,
    expected_version,
    user,
    title,
    subject,
    hazards,
    phases,
    districts=(),
    service_group=None,
    starts_on=None,
    ends_on=None,
    document=None,
    remove_document=False,
    municipal_commitments=(),
) -> Protocol:
    """Change a draft. Side effects: updates the protocol (version raised), its districts and
    the municipality's commitments; ``document`` (a checked PDF, portal.attachments) replaces
    the signed document, whose file is deleted after the transaction commits."""
    protocol = _locked(protocol_id, expected_version)
    _require_staff(protocol, user)
    _require_status(
        protocol,
        Status.DRAFT,
        message=_("Only a draft can be changed; take the proposal back to draft first."),
    )
    districts = list(districts)
    _validate_content(
        municipality=protocol.municipality,
        hazards=hazards,
        phases=phases,
        districts=districts,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    protocol.title, protocol.subject = title, subject
    protocol.hazards, protocol.phases = hazards, phases
    protocol.service_group = service_group
    protocol.starts_on, protocol.ends_on = starts_on, ends_on
    fields = [*EDITABLE_FIELDS, *PROTOCOL_HAZARD_FIELDS.values(), *PROTOCOL_PHASE_FIELDS.values()]
    _save(protocol, *fields)
    if document or remove_document:
        # The file of a replaced or removed document goes with its row, after the commit.
        protocol.attachments.all().delete()
    if document:
        attachment_store(owner=protocol, checked=document, user=user)
    protocol.districts.set(districts)
    _set_municipal_commitments(protocol, municipal_commitments)
    return protocol


@transaction.atomic
def protocol_party_add(*, protocol_id, expected_version, user, ngo) -> ProtocolParty:
    """Add a verified NGO to a draft as a party. Side effects: inserts the party; raises the
    protocol's version."""
    protocol = _locked(protocol_id, expected_version)
    _require_staff(protocol, user)
    _require_status(protocol, Status.DRAFT, message=_("Parties can be added to a draft only."))
    if ngo is None or not NGO.objects.verified().filter(pk=ngo.pk).exists():
        raise ValidationError(_("Only a verified NGO can be party to a protocol."))
    if ProtocolParty.objects.filter(protocol=protocol, ngo=ngo).exists():
        raise ValidationError(_("%(ngo)s is already a party to this protocol.") % {"ngo": ngo.name})
    party = ProtocolParty.objects.create(protocol=protocol, ngo=ngo)
    _touch(protocol)
    return party


@transaction.atomic
def protocol_party_remove(*, protocol_id, expected_version, user, party_id) -> None:
    """Remove a party (and its commitments) from a draft. Side effects: deletes them; raises
    the protocol's version."""
    protocol = _locked(protocol_id, expected_version)
    _require_staff(protocol, user)
    _require_status(protocol, Status.DRAFT, message=_("Parties can be removed from a draft only."))
    deleted, _rows = ProtocolParty.objects.filter(protocol=protocol, pk=party_id).delete()
    if not deleted:
        raise ValidationError(_("This NGO is not a party to the protocol any more."))
    _touch(protocol)


@transaction.atomic
def protocol_commitment_add(
    *,
    protocol_id,
    expected_version,
    user,
    party_id,
    capability=None,
    kind="",
    quantity=None,
    unit="",
    people=None,
    note="",
) -> NGOCommitment:
    """What one NGO party commits, linked where it can be to one of the NGO's declared
    capabilities (whose kind and unit it then takes when they are not given). Side effects:
    inserts the commitment; raises the protocol's version."""
    protocol = _locked(protocol_id, expected_version)
    _require_staff(protocol, user)
    _require_status(
        protocol, Status.DRAFT, message=_("Commitments can be changed in a draft only.")
    )
    party = ProtocolParty.objects.filter(protocol=protocol, pk=party_id).select_related("ngo")
    party = party.first()
    if party is None:
        raise ValidationError(_("This NGO is not a party to the protocol any more."))
    if capability is not None:
        if capability.ngo_id != party.ngo_id:
            raise ValidationError(
                {"capability": _("Choose one of %(ngo)s's capabilities.") % {"ngo": party.ngo}}
            )
        kind = kind or capability.kind
        if quantity is not None and not unit:
            unit = capability.unit
    if not kind:
        raise ValidationError({"kind": _("Choose a capability or say what kind of help it is.")})
    if quantity is not None and not unit:
        raise ValidationError({"unit": _("Give the unit of the quantity.")})
    commitment = NGOCommitment.objects.create(
        party=party,
        capability=capability,
        kind=kind,
        quantity=quantity,
        unit=unit,
        people=people,
        note=note,
    )
    _touch(protocol)
    return commitment


@transaction.atomic
def protocol_commitment_remove(*, protocol_id, expected_version, user, commitment_id) -> None:
    """Remove an NGO's commitment from a draft. Side effects: deletes it; raises the version."""
    protocol = _locked(protocol_id, expected_version)
    _require_staff(protocol, user)
    _require_status(
        protocol, Status.DRAFT, message=_("Commitments can be changed in a draft only.")
    )
    deleted, _rows = NGOCommitment.objects.filter(
        party__protocol=protocol, pk=commitment_id
    ).delete()
    if not deleted:
        raise ValidationError(_("This commitment was already removed."))
    _touch(protocol)


def proposal_problems(protocol, *, today=None) -> list[str]:
    """What keeps a draft from being proposed (empty when it is ready)."""
    today = today or timezone.localdate()
    problems = []
    parties = list(protocol.parties.all())
    if not parties:
        problems.append(_("Add at least one NGO party."))
    for party in parties:
        if not party.commitments.all():
            problems.append(_("Write what %(ngo)s commits to.") % {"ngo": party.ngo.name})
    if not protocol.starts_on or not protocol.ends_on:
        problems.append(_("Give the start and end dates."))
    elif protocol.ends_on < today:
        problems.append(_("The end date has passed."))
    return problems


@transaction.atomic
def protocol_propose(*, protocol_id, expected_version, user, base_url="") -> Protocol:
    """A manager proposes the draft to its NGO parties. Side effects: status proposed; every
    party's administrators are notified in-app and by e-mail."""
    protocol = _locked(protocol_id, expected_version)
    _require_manager(protocol, user)
    _require_status(protocol, Status.DRAFT)
    problems = proposal_problems(protocol)
    if problems:
        raise ValidationError(problems, code="incomplete")
    _move(protocol, Status.PROPOSED)
    protocol.proposed_at = timezone.now()
    _save(protocol, "status", "proposed_at")
    _audit(protocol, user, "proposed")
    _tell(
        _party_admins(protocol),
        kind="protocol_proposed",
        protocol=protocol,
        base_url=base_url,
        text=gettext_noop("%(municipality)s proposes the cooperation protocol “%(title)s”."),
        detail=gettext_noop(
            "Read it and accept it for your organisation, or decline it with your reason."
        ),
    )
    return protocol


def _clear_acceptances(protocol):
    ProtocolParty.objects.filter(protocol=protocol).update(accepted_at=None, accepted_by=None)


@transaction.atomic
def protocol_withdraw(*, protocol_id, expected_version, user, base_url="") -> Protocol:
    """A manager takes a proposal back to draft to change it. Side effects: status draft, the
    acceptances cleared; the parties' administrators are told."""
    protocol = _locked(protocol_id, expected_version)
    _require_manager(protocol, user)
    _move(protocol, Status.DRAFT)
    protocol.proposed_at = None
    _clear_acceptances(protocol)
    _save(protocol, "status", "proposed_at")
    _audit(protocol, user, "withdrawn")
    _tell(
        _party_admins(protocol),
        kind="protocol_withdrawn",
        protocol=protocol,
        base_url=base_url,
        text=gettext_noop(
            "%(municipality)s took the protocol “%(title)s” back to draft to change it."
        ),
        detail=gettext_noop("You will be asked to accept it again once it is proposed."),
    )
    return protocol


def _party_of(protocol, user, ngo):
    if ngo is None or ngo.pk not in roles_of(user).ngo_admin_ids:
        raise ValidationError(
            _("Only an administrator of the NGO can answer for it."), code="permission"
        )
    party = ProtocolParty.objects.filter(protocol=protocol, ngo=ngo).first()
    if party is None:
        raise ValidationError(
            _("%(ngo)s is not a party to this protocol.") % {"ngo": ngo.name}, code="permission"
        )
    return party


@transaction.atomic
def protocol_accept(*, protocol_id, expected_version, user, ngo, base_url="") -> Protocol:
    """An NGO administrator accepts the proposal for the NGO; the last acceptance puts the
    protocol in force. Side effects: the party's acceptance; the municipality's managers (and
    its author) are told; once active, every side is told."""
    protocol = _locked(protocol_id, expected_version)
    party = _party_of(protocol, user, ngo)
    _require_status(
        protocol,
        Status.PROPOSED,
        message=_("Only a proposed protocol can be accepted (it is “%(status)s”).")
        % {"status": protocol.get_status_display()},
    )
    if party.accepted_at is not None:
        raise ValidationError(_("%(ngo)s has already accepted this protocol.") % {"ngo": ngo.name})
    if protocol.ends_on < timezone.localdate():
        raise ValidationError(_("The protocol's end date has passed; it cannot be accepted."))
    now = timezone.now()
    party.accepted_at, party.accepted_by = now, user
    party.save(update_fields=["accepted_at", "accepted_by"])
    waiting = ProtocolParty.objects.filter(protocol=protocol, accepted_at__isnull=True).exists()
    if waiting:
        _save(protocol)
        _audit(protocol, user, "accepted", ngo=ngo.pk)
        _tell(
            _municipal_side(protocol),
            kind="protocol_accepted",
            protocol=protocol,
            base_url=base_url,
            text=gettext_noop("%(ngo)s accepted the protocol “%(title)s”."),
            detail=gettext_noop("It comes into force when every NGO party has accepted it."),
            values={"ngo": ngo.name},
        )
        return protocol
    _move(protocol, Status.ACTIVE)
    protocol.activated_at = now
    _save(protocol, "status", "activated_at")
    _audit(protocol, user, "accepted", ngo=ngo.pk)
    _audit(protocol, None, "in_force")
    _tell(
        [*_municipal_side(protocol), *_party_admins(protocol)],
        kind="protocol_active",
        protocol=protocol,
        base_url=base_url,
        text=gettext_noop(
            "Every party accepted the protocol “%(title)s”: it is in force until %(date)s."
        ),
    )
    return protocol


@transaction.atomic
def protocol_decline(*, protocol_id, expected_version, user, ngo, reason, base_url="") -> Protocol:
    """An NGO administrator declines the proposal for the NGO, with a reason. A protocol needs
    every party, so it goes back to draft (every acceptance cleared) for the municipality to
    change it or drop the party. Side effects: status draft; the municipality's managers (and
    its author) and the other parties' administrators are told, with the reason."""
    protocol = _locked(protocol_id, expected_version)
    _party_of(protocol, user, ngo)
    reason = (reason or "").strip()
    _require_status(
        protocol,
        Status.PROPOSED,
        message=_("Only a proposed protocol can be declined (it is “%(status)s”).")
        % {"status": protocol.get_status_display()},
    )
    if not reason:
        raise ValidationError({"reason": _("Give the reason; the municipality will read it.")})
    _move(protocol, Status.DRAFT)
    protocol.proposed_at = None
    _clear_acceptances(protocol)
    _save(protocol, "status", "proposed_at")
    _audit(protocol, user, "declined", ngo=ngo.pk, reason=reason)
    _tell(
        [*_municipal_side(protocol), *_party_admins(protocol, exclude_ngo=ngo)],
        kind="protocol_declined",
        protocol=protocol,
        base_url=base_url,
        text=gettext_noop("%(ngo)s declined the protocol “%(title)s”; it is back to draft."),
        detail=gettext_noop("Their reason: %(reason)s"),
        values={"ngo": ngo.name, "reason": reason},
    )
    return protocol


@transaction.atomic
def protocol_terminate(*, protocol_id, expected_version, user, reason, base_url="") -> Protocol:
    """A manager of the municipality ends a protocol in force before its end date, with a
    reason. Side effects: status terminated (who, when, why recorded); both sides are told."""
    protocol = _locked(protocol_id, expected_version)
    _require_manager(protocol, user)
    reason = (reason or "").strip()
    _require_status(
        protocol,
        Status.ACTIVE,
        message=_("Only a protocol in force can be terminated (it is “%(status)s”).")
        % {"status": protocol.get_status_display()},
    )
    if not reason:
        raise ValidationError({"reason": _("Give the reason for ending the protocol.")})
    _move(protocol, Status.TERMINATED)
    protocol.ended_at = timezone.now()
    protocol.termination_reason = reason
    protocol.terminated_by = user
    _save(protocol, "status", "ended_at", "termination_reason", "terminated_by")
    _audit(protocol, user, "terminated", reason=reason)
    _tell(
        [*_party_admins(protocol), *_municipal_side(protocol)],
        kind="protocol_terminated",
        protocol=protocol,
        base_url=base_url,
        text=gettext_noop("%(municipality)s terminated the protocol “%(title)s”."),
        detail=gettext_noop("The reason: %(reason)s"),
        values={"reason": reason},
        exclude=user,
    )
    return protocol


# --- periodic work ------------------------------------------------------------------------------


@transaction.atomic
def protocols_expire(*, today=None) -> int:
    """Protocols in force whose end date has passed become expired, each with a line in the
    audit log. Idempotent; three queries whatever their number. Returns how many expired."""
    today = today or timezone.localdate()
    due = list(
        Protocol.objects.active().filter(ends_on__lt=today).select_for_update().order_by("pk")
    )
    if not due:
        return 0
    now = timezone.now()
    count = Protocol.objects.filter(pk__in=[p.pk for p in due], status=Status.ACTIVE).update(
        status=Status.EXPIRED, ended_at=now, version=F("version") + 1, updated_at=now
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action=AuditEntry.Action.PROTOCOL,
            target=describe(protocol),
            details={"step": "expired", "status": Status.EXPIRED, "version": protocol.version + 1},
        )
        for protocol in due
    )
    return count


def protocols_send_expiry_reminders(*, today=None, base_url="") -> int:
    """Remind both sides of each protocol in force that ends within
    PROTOCOL_EXPIRY_REMINDER_DAYS, once (``expiry_reminder_sent_at`` is claimed with a
    conditional UPDATE, so a retried or doubled task sends nothing twice). Side effects:
    notifications and e-mails (one batch). Returns how many protocols were reminded."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.PROTOCOL_EXPIRY_REMINDER_DAYS)
    candidates = list(
        Protocol.objects.expiring(horizon)
        .filter(ends_on__gte=today, expiry_reminder_sent_at__isnull=True)
        .select_related("municipality", "created_by")
        .order_by("ends_on", "pk")
    )
    reminded = 0
    with mail_batch():
        for protocol in candidates:
            with transaction.atomic():
                claimed = Protocol.objects.filter(
                    pk=protocol.pk, status=Status.ACTIVE, expiry_reminder_sent_at__isnull=True
                ).update(expiry_reminder_sent_at=timezone.now())
                if not claimed:
                    continue
                _tell(
                    [*_municipal_side(protocol), *_party_admins(protocol)],
                    kind="protocol_expiring",
                    protocol=protocol,
                    base_url=base_url,
                    text=gettext_noop("The protocol “%(title)s” ends on %(date)s."),
                    detail=gettext_noop(
                        "If the cooperation should go on, agree on a new protocol in time."
                    ),
                )
                reminded += 1
    return reminded
