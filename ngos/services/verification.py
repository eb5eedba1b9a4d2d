"""Verification of NGOs by coordinators: status changes, the mail that tells the NGO, and the
duplicate hints shown beside a pending registration."""

import difflib
import functools
import logging
import operator
from dataclasses import dataclass
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ngos.models import NGO, Membership, VerificationStatus
from ngos.services.identity import identity_change_close_for_rejected
from portal.audit import audit

logger = logging.getLogger(__name__)

Status = VerificationStatus


class StatusAction(models.TextChoices):
    VERIFY = "verify", _("Verify")
    REJECT = "reject", _("Reject")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    REOPEN = "reopen", _("Reopen")


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    needs_reason: bool = False


TRANSITIONS = {
    StatusAction.VERIFY: Transition(frozenset({Status.PENDING, Status.REJECTED}), Status.VERIFIED),
    StatusAction.REJECT: Transition(
        frozenset({Status.PENDING, Status.SUSPENDED}), Status.REJECTED, needs_reason=True
    ),
    StatusAction.SUSPEND: Transition(
        frozenset({Status.VERIFIED}), Status.SUSPENDED, needs_reason=True
    ),
    StatusAction.REINSTATE: Transition(frozenset({Status.SUSPENDED}), Status.VERIFIED),
    StatusAction.REOPEN: Transition(frozenset({Status.REJECTED}), Status.PENDING),
}

REASON_ACTIONS = {action for action, transition in TRANSITIONS.items() if transition.needs_reason}


def allowed_actions(status: str) -> list[str]:
    """The actions a coordinator may take on an NGO in this status, in display order."""
    return [action for action, transition in TRANSITIONS.items() if status in transition.sources]


@transaction.atomic
def ngo_set_status(*, ngo_id, action, reason, expected_status, by, base_url) -> NGO:
    """Verify, reject, suspend, reinstate or reopen an NGO.

    Refuses (ValidationError) when the NGO's status is no longer ``expected_status`` (someone
    else decided meanwhile), when the transition is not allowed, or when a rejection or
    suspension has no reason. Side effects: updates the NGO's status, reason (cleared unless
    rejected or suspended), status_changed_at/by; on a rejection, rejects the NGO's open change
    of identity with the same reason; after commit, emails each of the NGO's administrators in
    their preferred language with a link built on ``base_url``.
    """
    # Lock the row: two coordinators deciding at once must not both succeed.
    ngo = NGO.objects.select_for_update().get(pk=ngo_id)
    if ngo.status != expected_status:
        raise ValidationError(
            gettext(
                "The status of this NGO changed to “%(status)s” while you were looking at it. "
                "Nothing was saved; please check the NGO again before deciding."
            )
            % {"status": ngo.get_status_display()},
            code="conflict",
        )
    transition = TRANSITIONS.get(action)
    if transition is None or ngo.status not in transition.sources:
        raise ValidationError(
            gettext("This action is not possible for an NGO whose status is “%(status)s”.")
            % {"status": ngo.get_status_display()},
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError(
            gettext("Please give a reason: it is shown to the NGO."), code="reason_required"
        )
    ngo.status = transition.target
    ngo.status_reason = reason if transition.needs_reason else ""
    ngo.status_changed_at = timezone.now()
    ngo.status_changed_by = by
    ngo.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
    audit("verification", actor=by, target=ngo, details={"action": action, "status": ngo.status})
    if ngo.status == Status.REJECTED:
        # A suspended NGO may have a change of identity open: with the registration rejected,
        # no identity is vouched for any more, and the NGO edits it directly again.
        identity_change_close_for_rejected(ngo=ngo, reason=reason, by=by)
    transaction.on_commit(
        functools.partial(_mail_admins, ngo_id=ngo.pk, action=action, base_url=base_url)
    )
    return ngo


def _mail_admins(*, ngo_id, action, base_url):
    """Tell each administrator of the NGO about its new status, in their own language (one batch
    of the outbox, sent with retries: see portal/mail.py)."""
    ngo = NGO.objects.get(pk=ngo_id)
    admins = (
        Membership.objects.filter(ngo=ngo, role=Membership.Role.ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    messages = []
    for membership in admins:
        user = membership.user
        with translation.override(user.preferred_language):
            context = {
                "ngo": ngo,
                "action": action,
                "recipient": user,
                "url": urljoin(base_url, reverse("ngos:detail", kwargs={"slug": ngo.slug})),
            }
            subject = gettext("%(ngo)s: verification status “%(status)s”") % {
                "ngo": ngo.name,
                "status": ngo.get_status_display(),
            }
            body = render_to_string("emails/ngo_status_changed.txt", context)
        messages.append(EmailMessage(subject, body, None, [user.email]))
    if messages:
        get_connection().send_messages(messages)


# Words that say what kind of organisation it is rather than which one (as search keys).
COMMON_WORDS = frozenset(
    {
        "dernegi",
        "dernek",
        "vakfi",
        "vakif",
        "dayanisma",
        "yardimlasma",
        "kultur",
        "ve",
        "sosyal",
        "genclik",
        "spor",
        "kulubu",
        "turkiye",
        "il",
        "ilce",
        "sube",
        "subesi",
        "baskanligi",
    }
)
SIMILARITY_THRESHOLD = 0.75
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class DuplicateHint:
    ngo: NGO
    ratio: float
    exact: bool

    @property
    def percent(self):
        return round(self.ratio * 100)


def _core_words(name_search: str, place_words: frozenset) -> list[str]:
    """The significant words of a name: without the common words, and without the place's own
    name unless nothing else is left ("Erzurum Dadaşlar Derneği" → ["dadaslar"])."""
    words = [word for word in name_search.split() if word not in COMMON_WORDS]
    without_place = [word for word in words if word not in place_words]
    return without_place or words


def ngo_similar_names(*, ngo, among) -> list[DuplicateHint]:
    """NGOs in ``among`` of the same province whose name looks like this NGO's, best first.

    One query: up to 200 same-province candidates sharing a significant word, ranked in Python
    by difflib's ratio on the names without their common words; an identical core name always
    counts, whatever the ratio.
    """
    place_words = frozenset(ngo.province.name_search.split())
    core = _core_words(ngo.name_search, place_words)
    searched = [word for word in core if len(word) >= 3] or core
    if not searched:
        return []
    shares_a_word = functools.reduce(
        operator.or_, (Q(name_search__contains=word) for word in searched)
    )
    candidates = (
        among.filter(shares_a_word, province_id=ngo.province_id)
        .exclude(pk=ngo.pk)
        .order_by("name_sort", "pk")[:MAX_CANDIDATES]
    )
    core_text = " ".join(core)
    hints = []
    for other in candidates:
        other_core = " ".join(_core_words(other.name_search, place_words))
        ratio = difflib.SequenceMatcher(None, core_text, other_core).ratio()
        exact = other_core == core_text
        if exact or ratio >= SIMILARITY_THRESHOLD:
            hints.append(DuplicateHint(ngo=other, ratio=ratio, exact=exact))
    hints.sort(key=lambda hint: (not hint.exact, -hint.ratio, hint.ngo.name_sort))
    return hints


@dataclass(frozen=True)
class SharedContact:
    ngo: NGO
    same_email: bool
    same_phone: bool


def ngo_shared_contacts(*, ngo, among) -> list[SharedContact]:
    """Other NGOs in ``among`` that give the same email address or phone number."""
    email = ngo.email.strip()
    phone = ngo.phone.strip()
    conditions = []
    if email:
        conditions.append(Q(email__iexact=email))
    if phone:
        conditions.append(Q(phone=phone))
    if not conditions:
        return []
    others = (
        among.filter(functools.reduce(operator.or_, conditions))
        .exclude(pk=ngo.pk)
        .order_by("name_sort", "pk")[:MAX_CANDIDATES]
    )
    return [
        SharedContact(
            ngo=other,
            same_email=bool(email) and other.email.strip().lower() == email.lower(),
            same_phone=bool(phone) and other.phone.strip() == phone,
        )
        for other in others
    ]
