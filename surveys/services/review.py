"""The municipal review of expectations: status changes, answers, notes, assignment, referral,
bulk actions, and the NGO's confirmation or dispute of a completed case.

Every action locks the case row, compares the review version the user loaded (optimistic
concurrency: a difference raises ReviewConflict and writes nothing), adds one ReviewEntry (the
history is only ever added to), and notifies the NGO's administrators in-app and by email after
the transaction commits, as their preferences allow.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from municipalities.models import Municipality, MunicipalStaff
from ngos.models import Membership
from portal.access import roles_of
from portal.attachments import attachments_store
from portal.mail import mail_batch
from portal.notifications import Message, notify
from surveys.models import TRANSITIONS, Expectation, ExpectationStatus, ReviewEntry
from surveys.services.answer_templates import answer_template_fill
from surveys.services.conversation import case_files_check

Status = ExpectationStatus
Kind = ReviewEntry.Kind


class ReviewConflict(ValidationError):
    """Someone changed the case since this user loaded it."""

    def __init__(self, current: Expectation):
        self.current = current
        super().__init__(
            _(
                "Someone else changed this case in the meantime: it is now “%(status)s”. "
                "Nothing was saved; what you typed is still in the form. Check the current "
                "state and try again."
            )
            % {"status": current.get_status_display()},
            code="conflict",
        )


def _case_for_staff(expectation_id, user, expected_version) -> Expectation:
    """Lock the case; it must be addressed to one of the user's municipalities."""
    case = (
        Expectation.objects.cases()
        .select_for_update(of=("self",))
        .select_related("submission__ngo", "municipality")
        .filter(pk=expectation_id, municipality__in=roles_of(user).municipality_ids)
        .first()
    )
    if case is None:
        raise ValidationError(_("This case is not in your municipality's inbox."), code="scope")
    if expected_version is not None and case.review_version != int(expected_version):
        raise ReviewConflict(case)
    return case


def _entry(case, user, kind, **fields) -> ReviewEntry:
    return ReviewEntry.objects.create(
        expectation=case, kind=kind, actor=user, municipality=case.municipality, **fields
    )


def _bump(case, *fields):
    case.review_version += 1
    case.save(update_fields=["review_version", "updated_at", *fields])


def _ngo_admins(case):
    return [
        m.user
        for m in Membership.objects.filter(
            ngo_id=case.submission.ngo_id, role=Membership.Role.ADMIN
        ).select_related("user")
    ]


def _case_url(base_url, case):
    return base_url.rstrip("/") + reverse("surveys:my_expectation", kwargs={"pk": case.pk})


def _tell_ngo(case, *, kind, preference, base_url, text, detail=""):
    """Notify the NGO's administrators; ``text`` and ``detail`` are format strings translated in
    each recipient's language (they may use %(title)s, %(ngo)s, %(municipality)s, %(status)s).
    The line names the NGO and the case: an administrator of several NGOs knows which."""

    def build(user):
        values = {
            "ngo": case.submission.ngo.name,
            "title": case.title,
            "municipality": case.municipality.name,
            "status": case.get_status_display(),
        }
        line = _(text) % values
        url = _case_url(base_url, case)
        body = "\n\n".join(
            part for part in [line, _(detail) % values if detail else "", url] if part
        )
        return Message(text=line, url=url, subject=line, body=body)

    notify(users=_ngo_admins(case), kind=kind, preference=preference, build=build)


def target_date_in_past(target_date) -> bool:
    """A plan's target date before today (Türkiye time): refused, a plan looks ahead."""
    return target_date is not None and target_date < timezone.localdate()


def past_target_date_message() -> str:
    return _("The target date cannot be in the past: give today or a later day.")


def allowed_statuses(case) -> list[str]:
    """The statuses a case may move to from where it is (referral has its own action)."""
    return sorted(TRANSITIONS.get(case.status, set()) - {Status.REFERRED})


@transaction.atomic
def expectation_change_status(
    *,
    expectation_id,
    expected_version,
    user,
    to_status,
    text="",
    target_date=None,
    base_url="",
) -> Expectation:
    """Move a case to another status. Declining needs a reason, completing a closing note,
    planning a target date from today on; only the transitions in TRANSITIONS are allowed.
    Side effects: one history entry; the NGO's administrators are notified (completion by its
    own preference)."""
    case = _case_for_staff(expectation_id, user, expected_version)
    text = (text or "").strip()
    if to_status == Status.REFERRED:
        raise ValidationError(_("Use “Refer” to send a case to another municipality."))
    if to_status not in TRANSITIONS.get(case.status, set()):
        raise ValidationError(
            _("A case cannot go from “%(old)s” to “%(new)s”.")
            % {"old": case.get_status_display(), "new": Status(to_status).label}
            if to_status in Status.values
            else _("Unknown status."),
            code="transition",
        )
    if to_status == Status.DECLINED and not text:
        raise ValidationError(_("Give the reason for declining; the NGO will read it."))
    if to_status == Status.COMPLETED and not text:
        raise ValidationError(_("Write a closing note saying what was done."))
    if to_status == Status.PLANNED and not target_date:
        raise ValidationError(_("Give the target date of the plan."))
    if to_status == Status.PLANNED and target_date_in_past(target_date):
        raise ValidationError(past_target_date_message(), code="past_target_date")
    old = case.status
    case.status = to_status
    case.status_changed_at = timezone.now()
    case.ngo_confirmed_at = None
    if to_status == Status.PLANNED:
        case.target_date = target_date
    _entry(case, user, Kind.STATUS, from_status=old, to_status=to_status, text=text)
    _bump(case, "status", "status_changed_at", "ngo_confirmed_at", "target_date")
    if to_status == Status.COMPLETED:
        _tell_ngo(
            case,
            kind="case_completed",
            preference="completions",
            base_url=base_url,
            text=gettext_noop("%(municipality)s completed the expectation “%(title)s” of %(ngo)s."),
            detail=gettext_noop(
                "Please confirm it, or dispute it with a comment if it is not done."
            ),
        )
    else:
        _tell_ngo(
            case,
            kind="case_status",
            preference="status_changes",
            base_url=base_url,
            text=gettext_noop(
                "The expectation “%(title)s” of %(ngo)s is now “%(status)s” (%(municipality)s)."
            ),
        )
    return case


@transaction.atomic
def expectation_answer(
    *,
    expectation_id,
    expected_version,
    user,
    text,
    base_url="",
    fill_placeholders=False,
    files=(),
) -> ReviewEntry:
    """A public answer to the NGO; ``fill_placeholders``: ``text`` is an answer template's,
    whose {ngo}, {title} and {municipality} are filled in for this case (the inbox's bulk
    answer); ``files``: checked files to attach (within the case's total). The first answer sets
    the case's first-answer time (for the responsiveness reports). Side effects: one history
    entry and its attachments; the NGO is notified."""
    case = _case_for_staff(expectation_id, user, expected_version)
    if fill_placeholders:
        text = answer_template_fill(text or "", case)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the answer first."))
    files = list(files)
    case_files_check(case.pk, files)
    entry = _entry(case, user, Kind.ANSWER, text=text)
    entry.files = attachments_store(owner=entry, files=files, user=user)
    if case.first_answered_at is None:
        case.first_answered_at = entry.created_at
    _bump(case, "first_answered_at")
    _tell_ngo(
        case,
        kind="case_answer",
        preference="answers",
        base_url=base_url,
        text=gettext_noop("%(municipality)s answered the expectation “%(title)s” of %(ngo)s."),
        detail=text.replace("%", "%%"),
    )
    return entry


@transaction.atomic
def expectation_add_note(*, expectation_id, user, text) -> ReviewEntry:
    """An internal note, visible only inside the municipality. Needs no version check: it
    changes nothing of the case."""
    case = _case_for_staff(expectation_id, user, None)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note first."))
    return _entry(case, user, Kind.NOTE, text=text)


@transaction.atomic
def expectation_assign(
    *, expectation_id, expected_version, user, assignee, base_url=""
) -> Expectation:
    """Assign the case to a colleague of its municipality (or to nobody). Side effects: one
    history entry; the assignee gets an in-app notification."""
    case = _case_for_staff(expectation_id, user, expected_version)
    if (
        assignee is not None
        and not MunicipalStaff.objects.filter(
            user=assignee, municipality=case.municipality
        ).exists()
    ):
        raise ValidationError(_("Only colleagues of this municipality can be assigned."))
    case.assigned_to = assignee
    _entry(case, user, Kind.ASSIGNMENT, assigned_to=assignee)
    _bump(case, "assigned_to")
    if assignee is not None and assignee != user:
        url = base_url.rstrip("/") + reverse("surveys:case", kwargs={"pk": case.pk})
        notify(
            users=[assignee],
            kind="case_assigned",
            preference=None,
            build=lambda u: Message(
                text=_("%(user)s assigned you the case “%(title)s” of %(ngo)s.")
                % {"user": user, "title": case.title, "ngo": case.submission.ngo.name},
                url=url,
            ),
        )
    return case


def referral_targets(case):
    """The municipalities a case may be referred to: the others of the same province."""
    return (
        Municipality.objects.filter(province=case.municipality.province_id)
        .exclude(pk=case.municipality_id)
        .order_by("kind", "name_sort")
    )


@transaction.atomic
def expectation_refer(
    *, expectation_id, expected_version, user, to_municipality, text, base_url=""
) -> Expectation:
    """Send the case to another municipality of the same province (district ↔ metropolitan,
    provincial ↔ town, …) with a reason. It leaves this inbox with its history, arrives in the
    other as "referred", unassigned. Side effects: one history entry; the NGO is told; the staff
    of the receiving municipality get an in-app notification."""
    case = _case_for_staff(expectation_id, user, expected_version)
    text = (text or "").strip()
    if Status.REFERRED not in TRANSITIONS.get(case.status, set()):
        raise ValidationError(
            _("A case that is “%(status)s” cannot be referred.")
            % {"status": case.get_status_display()}
        )
    if not text:
        raise ValidationError(_("Give the reason for the referral."))
    if to_municipality is None or not referral_targets(case).filter(pk=to_municipality.pk).exists():
        raise ValidationError(_("Choose another municipality of the same province."))
    old_status = case.status
    _entry(
        case,
        user,
        Kind.REFERRAL,
        from_status=old_status,
        to_status=Status.REFERRED,
        to_municipality=to_municipality,
        text=text,
    )
    case.municipality = to_municipality
    case.status = Status.REFERRED
    case.status_changed_at = timezone.now()
    case.assigned_to = None
    _bump(case, "municipality", "status", "status_changed_at", "assigned_to")
    _tell_ngo(
        case,
        kind="case_referred",
        preference="referrals",
        base_url=base_url,
        text=gettext_noop(
            "The expectation “%(title)s” of %(ngo)s was referred to %(municipality)s."
        ),
        detail=text.replace("%", "%%"),
    )
    staff = [
        s.user
        for s in MunicipalStaff.objects.filter(municipality=to_municipality).select_related("user")
    ]
    url = base_url.rstrip("/") + reverse("surveys:case", kwargs={"pk": case.pk})
    notify(
        users=staff,
        kind="case_referred_in",
        preference=None,
        build=lambda u: Message(
            text=_("A case of %(ngo)s was referred to your municipality: “%(title)s”.")
            % {"title": case.title, "ngo": case.submission.ngo.name},
            url=url,
        ),
    )
    return case


def _case_for_ngo(expectation_id, user) -> Expectation:
    case = (
        Expectation.objects.cases()
        .of_user_ngos(user)
        .select_for_update(of=("self",))
        .select_related("submission__ngo", "municipality")
        .filter(pk=expectation_id)
        .first()
    )
    if case is None:
        raise ValidationError(_("This expectation is not one of your NGO's."), code="scope")
    if case.status != Status.COMPLETED:
        raise ValidationError(_("Only a completed case can be confirmed or disputed."))
    return case


@transaction.atomic
def expectation_ngo_confirm(*, expectation_id, user) -> Expectation:
    """The NGO confirms that a completed case is done. Side effect: one history entry."""
    case = _case_for_ngo(expectation_id, user)
    if case.ngo_confirmed_at is not None:
        raise ValidationError(_("Your NGO has already confirmed this case."))
    case.ngo_confirmed_at = timezone.now()
    _entry(case, user, Kind.CONFIRMATION)
    _bump(case, "ngo_confirmed_at")
    return case


@transaction.atomic
def expectation_ngo_dispute(*, expectation_id, user, text, base_url="") -> Expectation:
    """The NGO disputes a completed case: it reopens as under review with the comment in the
    history; the municipality's staff (or the assignee) get an in-app notification."""
    case = _case_for_ngo(expectation_id, user)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Say what is not done; the municipality will read it."))
    _entry(
        case,
        user,
        Kind.DISPUTE,
        from_status=Status.COMPLETED,
        to_status=Status.UNDER_REVIEW,
        text=text,
    )
    case.status = Status.UNDER_REVIEW
    case.status_changed_at = timezone.now()
    case.ngo_confirmed_at = None
    _bump(case, "status", "status_changed_at", "ngo_confirmed_at")
    recipients = (
        [case.assigned_to]
        if case.assigned_to_id
        else [
            s.user
            for s in MunicipalStaff.objects.filter(
                municipality=case.municipality_id
            ).select_related("user")
        ]
    )
    url = base_url.rstrip("/") + reverse("surveys:case", kwargs={"pk": case.pk})
    notify(
        users=recipients,
        kind="case_disputed",
        preference=None,
        build=lambda u: Message(
            text=_("%(ngo)s disputed the completion of the case “%(title)s”.")
            % {"title": case.title, "ngo": case.submission.ngo.name},
            url=url,
        ),
    )
    return case


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def expectations_bulk(*, expectation_ids, user, action, base_url="", **arguments) -> BulkResult:
    """Apply one action (``status``, ``assign`` or ``answer``) to each selected case, each in
    its own transaction so that one refusal does not undo the others; each case gets its own
    history entry. Returns which succeeded and why the others were refused."""
    actions = {
        "status": expectation_change_status,
        "assign": expectation_assign,
        "answer": expectation_answer,
    }
    if action not in actions:
        raise ValidationError(_("Unknown bulk action."))
    result = BulkResult()
    # The NGOs' e-mails of every case go out as one batch (one task) at the end.
    with mail_batch():
        for expectation_id in expectation_ids:
            try:
                actions[action](
                    expectation_id=expectation_id,
                    expected_version=None,
                    user=user,
                    base_url=base_url,
                    **arguments,
                )
                result.done.append(expectation_id)
            except ValidationError as error:
                result.failed[expectation_id] = " ".join(error.messages)
    return result
