"""The conversation on a case between the NGO and the municipality handling it, and the files
of a case (its messages' and its answers' attachments).

Who reads what (``CaseMessage.objects.visible_to``): the NGO's members and the staff of the
municipality that has the case read the whole thread; coordinators of its area read it without
writing; after a referral, the municipality the case left reads only what it wrote. Internal
notes are not messages: they stay in the review history, for the municipality alone.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from municipalities.models import MunicipalStaff
from ngos.models import Membership
from portal.access import roles_of
from portal.attachments import (
    attachments_of,
    attachments_size,
    attachments_store,
    check_total,
    group_by_owner,
)
from portal.notifications import Message, notify
from surveys.models import CaseMessage, Expectation, ReviewEntry

Side = CaseMessage.Side


def case_attachments_size(case_id) -> int:
    """The bytes the attachments of a case take: its messages' and its answers'."""
    messages = CaseMessage.objects.filter(expectation=case_id).values("pk")
    answers = ReviewEntry.objects.filter(expectation=case_id, kind=ReviewEntry.Kind.ANSWER)
    return attachments_size(CaseMessage, messages) + attachments_size(
        ReviewEntry, answers.values("pk")
    )


def case_files_check(case_id, files) -> None:
    """Refuse files that would take the case over ``ATTACHMENT_CASE_MAX_BYTES`` (call it with
    the case row locked, so that two uploads at once cannot both pass)."""
    if files:
        check_total(
            current=case_attachments_size(case_id),
            adding=files,
            limit=settings.ATTACHMENT_CASE_MAX_BYTES,
        )


def with_files(rows, model):
    """Set ``files`` on each row (messages or answers): its attachments, in one query."""
    rows = list(rows)
    grouped = group_by_owner(attachments_of(model, [row.pk for row in rows]).order_by("created_at"))
    for row in rows:
        row.files = grouped.get(row.pk, [])
    return rows


def case_thread(case, user):
    """The messages of the case the user may read, oldest first, each with its ``files``."""
    messages = (
        CaseMessage.objects.visible_to(user)
        .filter(expectation=case)
        .select_related("author", "municipality")
    )
    return with_files(messages, CaseMessage)


def _locked_case(expectation_id, user, side) -> Expectation:
    """Lock the case for a message of ``side``: one of the user's NGOs' cases, or a case now in
    one of the user's municipalities' inboxes."""
    roles = roles_of(user)
    cases = Expectation.objects.cases().select_for_update(of=("self",))
    if side == Side.NGO:
        cases = cases.filter(submission__ngo__in=roles.ngo_ids)
    else:
        cases = cases.filter(municipality__in=roles.municipality_ids)
    case = cases.select_related("submission__ngo", "municipality").filter(pk=expectation_id).first()
    if case is None:
        raise ValidationError(_("You cannot write in the conversation of this case."), code="scope")
    return case


def _earlier_authors(case, side):
    return CaseMessage.objects.filter(expectation=case, side=side).values("author_id")


def _ngo_recipients(case):
    """The NGO's administrators, and its members who wrote in this conversation."""
    return [
        m.user
        for m in Membership.objects.filter(ngo_id=case.submission.ngo_id)
        .filter(Q(role=Membership.Role.ADMIN) | Q(user__in=_earlier_authors(case, Side.NGO)))
        .select_related("user")
        .order_by("pk")
    ]


def _municipal_recipients(case):
    """The assignee (or, with nobody assigned, the municipality's staff), and the colleagues of
    the municipality who wrote in this conversation."""
    staff = MunicipalStaff.objects.filter(municipality=case.municipality_id)
    if case.assigned_to_id:
        staff = staff.filter(
            Q(user=case.assigned_to_id) | Q(user__in=_earlier_authors(case, Side.MUNICIPALITY))
        )
    return [s.user for s in staff.select_related("user").order_by("pk")]


def _tell_other_side(case, message, *, base_url):
    """Notify the other side in-app and (per their ``case_messages`` preference) by e-mail,
    each in their own language."""
    if message.side == Side.NGO:
        recipients = _municipal_recipients(case)
        line = gettext_noop("%(ngo)s wrote in the conversation on the case “%(title)s”.")
        path = reverse("surveys:case", kwargs={"pk": case.pk})
    else:
        recipients = _ngo_recipients(case)
        line = gettext_noop(
            "%(municipality)s wrote in the conversation on the expectation “%(title)s” of %(ngo)s."
        )
        path = reverse("surveys:my_expectation", kwargs={"pk": case.pk})
    url = base_url.rstrip("/") + path + "#conversation"
    values = {
        "ngo": case.submission.ngo.name,
        "municipality": case.municipality.name,
        "title": case.title,
    }
    recipients = [user for user in dict.fromkeys(recipients) if user.pk != message.author_id]

    def build(user):
        text = _(line) % values
        return Message(text=text, url=url, subject=text, body=f"{text}\n\n{message.text}\n\n{url}")

    return notify(users=recipients, kind="case_message", preference="case_messages", build=build)


@transaction.atomic
def case_message_post(*, expectation_id, user, side, text, files=(), base_url="") -> CaseMessage:
    """Write a message in the conversation of a case, for the NGO (``side`` ngo: one of the
    user's NGOs' cases) or for the municipality that has the case (``side`` municipality).
    ``files``: checked files (``portal.attachments.CheckedFile``) to attach; the case's total is
    checked under the case's row lock. Side effects: inserts the message and its attachments
    (files written to storage); notifies the other side."""
    case = _locked_case(expectation_id, user, side)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the message first."), code="empty")
    files = list(files)
    case_files_check(case.pk, files)
    message = CaseMessage.objects.create(
        expectation=case, author=user, side=side, municipality=case.municipality, text=text
    )
    message.files = attachments_store(owner=message, files=files, user=user)
    _tell_other_side(case, message, base_url=base_url)
    return message
