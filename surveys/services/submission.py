"""Writes on submissions: saving drafts, submitting, amending, with conflict detection."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ngos.models import Membership
from surveys.models import (
    EXPECTATIONS_PER_SUBMISSION,
    Expectation,
    ReviewEntry,
    Submission,
    SubmissionRevision,
)

logger = logging.getLogger(__name__)

ITEM_FIELDS = ["category", "title", "description", "municipality", "hazard", "offer"]


class SubmissionConflict(ValidationError):
    """Someone else saved the submission since this user loaded it."""

    def __init__(self, current: Submission):
        self.current = current
        super().__init__(
            _(
                "Another member of your NGO saved this submission in the meantime (version "
                "%(version)s, saved by %(user)s). Your changes were not saved: they are still in "
                "the form below. Compare them with the current version and save again."
            )
            % {"version": current.version, "user": current.updated_by or "—"},
            code="conflict",
        )


@dataclass
class ItemData:
    """One item as the form cleaned it; ``pk`` is the existing Expectation's id, if any."""

    pk: int | None = None
    category: object = None
    title: str = ""
    description: str = ""
    municipality: object = None
    hazard: str = ""
    offer: str = ""

    @property
    def is_empty(self):
        return not any(
            [
                self.category,
                self.title.strip(),
                self.description.strip(),
                self.municipality,
                self.hazard,
                self.offer.strip(),
            ]
        )

    @property
    def is_complete(self):
        return bool(
            self.category and self.title.strip() and self.description.strip() and self.municipality
        )


@dataclass
class SaveResult:
    submission: Submission
    submitted_now: bool = False
    changes: list = field(default_factory=list)


def submission_problems(items: list[ItemData]) -> list[str]:
    """Why these items cannot be submitted (empty when they can)."""
    problems = []
    filled = [item for item in items if not item.is_empty]
    if len(filled) != EXPECTATIONS_PER_SUBMISSION:
        problems.append(
            _("A submission needs exactly %(n)s expectations; this one has %(count)s.")
            % {"n": EXPECTATIONS_PER_SUBMISSION, "count": len(filled)}
        )
    for rank, item in enumerate(filled, start=1):
        if not item.is_complete:
            problems.append(
                _(
                    "Expectation %(rank)s is incomplete: category, title, description and "
                    "municipality are required."
                )
                % {"rank": rank}
            )
    seen = {}
    for rank, item in enumerate(filled, start=1):
        key = (
            getattr(item.category, "pk", item.category),
            getattr(item.municipality, "pk", item.municipality),
            " ".join(item.title.casefold().split()),
        )
        if key in seen:
            problems.append(
                _(
                    "Expectations %(first)s and %(second)s are the same (category, municipality "
                    "and title)."
                )
                % {"first": seen[key], "second": rank}
            )
        else:
            seen[key] = rank
    return problems


def _describe(value):
    return "" if value is None else str(value)


@transaction.atomic
def submission_save(
    *,
    submission_id: int,
    items: list[ItemData],
    expected_version: int,
    user,
    submit: bool = False,
    on_behalf: bool = False,
    base_url: str = "",
) -> SaveResult:
    """Save the items of a submission: as a draft, by submitting it, or as an amendment.

    The submission row is locked and its version compared with the one the user loaded; a
    difference raises SubmissionConflict and nothing is written. A closed or not-yet-open
    campaign refuses every write. Ranks follow the order of the items (1..n). After submission
    every save must keep five complete items, is recorded as a SubmissionRevision (who, when,
    what changed) and keeps each item's review state; an item whose municipality changes moves
    to that municipality's queue as new. Submitting the first time gives a receipt number and
    emails the NGO's administrators after commit.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign", "ngo", "updated_by")
        .get(pk=submission_id)
    )
    if submission.version != expected_version:
        raise SubmissionConflict(submission)
    if not submission.campaign.is_open:
        raise ValidationError(
            _("This campaign is not open for submissions: nothing was changed."), code="closed"
        )
    filled = [item for item in items if not item.is_empty]
    if len(filled) > EXPECTATIONS_PER_SUBMISSION:
        raise ValidationError(
            _("A submission has at most %(n)s expectations.") % {"n": EXPECTATIONS_PER_SUBMISSION}
        )
    must_be_complete = submit or submission.is_submitted
    if must_be_complete:
        problems = submission_problems(items)
        if problems:
            raise ValidationError(problems, code="incomplete")

    existing = {e.pk: e for e in submission.items.select_related("category", "municipality")}
    unknown = [item.pk for item in filled if item.pk and item.pk not in existing]
    if unknown:
        raise ValidationError(_("The form refers to items of another submission."))

    changes = []
    kept = {item.pk for item in filled if item.pk}
    for pk, old in existing.items():
        if pk not in kept:
            changes.append({"rank": old.rank, "field": "removed", "old": old.title, "new": ""})
    submission.items.exclude(pk__in=kept).delete()
    # Clear the ranks first: rewriting 1..n in place would collide with the unique constraint.
    submission.items.update(rank=None)
    for rank, item in enumerate(filled, start=1):
        expectation = existing.get(item.pk) or Expectation(submission=submission)
        if expectation.pk:
            if expectation.rank != rank:
                changes.append(
                    {"rank": rank, "field": "rank", "old": expectation.rank, "new": rank}
                )
            for name in ITEM_FIELDS:
                old_value, new_value = getattr(expectation, name), getattr(item, name)
                if _describe(old_value) != _describe(new_value):
                    changes.append(
                        {
                            "rank": rank,
                            "field": name,
                            "old": _describe(old_value),
                            "new": _describe(new_value),
                        }
                    )
            if (
                submission.is_submitted
                and getattr(item.municipality, "pk", None) != expectation.municipality_id
            ):
                expectation.status = Expectation.Status.NEW
        else:
            changes.append({"rank": rank, "field": "added", "old": "", "new": item.title})
        changed_fields = [
            name
            for name in ITEM_FIELDS
            if expectation.pk
            and _describe(getattr(expectation, name)) != _describe(getattr(item, name))
        ]
        expectation.rank = rank
        for name in ITEM_FIELDS:
            setattr(expectation, name, getattr(item, name))
        expectation.save()
        if submission.is_submitted and changed_fields:
            # The case's history shows the NGO's amendment beside the municipality's actions.
            ReviewEntry.objects.create(
                expectation=expectation,
                kind=ReviewEntry.Kind.AMENDMENT,
                actor=user,
                municipality=expectation.municipality,
                text=", ".join(
                    str(Expectation._meta.get_field(name).verbose_name) for name in changed_fields
                ),
            )

    now = timezone.now()
    submitted_now = submit and not submission.is_submitted
    if submitted_now:
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = user
        submission.receipt_number = f"{submission.campaign.code.upper()}-{submission.pk:06d}"
        SubmissionRevision.objects.create(
            submission=submission,
            kind=SubmissionRevision.Kind.SUBMITTED,
            user=user,
            on_behalf=on_behalf,
        )
    elif submission.is_submitted and changes:
        SubmissionRevision.objects.create(
            submission=submission,
            kind=SubmissionRevision.Kind.AMENDED,
            user=user,
            changes=changes,
            on_behalf=on_behalf,
        )
    submission.version += 1
    submission.updated_by = user
    if on_behalf:
        submission.entered_by = user
    submission.save()
    if submitted_now:
        transaction.on_commit(
            lambda: submission_send_confirmation(submission_id=submission.pk, base_url=base_url)
        )
    return SaveResult(submission=submission, submitted_now=submitted_now, changes=changes)


def submission_send_confirmation(*, submission_id: int, base_url: str = "") -> int:
    """Email the NGO's administrators the receipt and the five items, each in their language.

    Returns how many emails were queued (one batch of the outbox, sent with retries: see
    portal/mail.py).
    """
    submission = Submission.objects.select_related(
        "campaign", "ngo", "submitted_by", "entered_by"
    ).get(pk=submission_id)
    items = list(submission.items.select_related("category", "municipality").order_by("rank"))
    admins = (
        Membership.objects.filter(ngo=submission.ngo, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("user__email")
    )
    messages = []
    for membership in admins:
        recipient = membership.user
        with translation.override(recipient.preferred_language):
            link = base_url.rstrip("/") + reverse(
                "surveys:submission_summary",
                kwargs={"code": submission.campaign.code, "slug": submission.ngo.slug},
            )
            context = {
                "submission": submission,
                "items": items,
                "recipient": recipient,
                "link": link,
            }
            subject = _("Submission of %(ngo)s received: %(receipt)s — %(campaign)s") % {
                "ngo": submission.ngo.name,
                "receipt": submission.receipt_number,
                "campaign": submission.campaign.title,
            }
            body = render_to_string("emails/submission_confirmation.txt", context)
        messages.append(EmailMessage(subject, body, None, [recipient.email]))
    return get_connection().send_messages(messages) if messages else 0
