"""The NGO's submission of its five ranked expectations: the editor (save a draft, reorder,
submit, amend, with conflict detection) and the printable summary.

Who: members of the NGO, and coordinators of its sub-region entering it on the NGO's behalf
(assisted entry). Another NGO's submission, or an NGO outside the campaign's scope, is a 404;
an NGO that is not verified sees why it cannot take part. Outside the campaign's time window
the page is read-only and every POST is refused.
"""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from municipalities.models import Municipality
from ngos.models import NGO
from portal.access import roles_of
from portal.choices import Hazard
from portal.htmx import render_page
from surveys.forms.submission import ItemFormSet
from surveys.models import (
    EXPECTATIONS_PER_SUBMISSION,
    Campaign,
    CampaignState,
    Submission,
)
from surveys.services.submission import SubmissionConflict, submission_save

TEMPLATE = "surveys/submission_form.html"

# Translators: inserted into "Expectation 2: <field> changed from … to …".
FIELD_LABELS = {
    "category": gettext_lazy("category"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "municipality": gettext_lazy("addressed municipality"),
    "hazard": gettext_lazy("related hazard"),
    "offer": gettext_lazy("offer in return"),
}


@dataclasses.dataclass
class Scope:
    """What every request of these pages needs: the campaign, the NGO and how the user acts."""

    campaign: Campaign
    ngo: NGO
    on_behalf: bool

    @property
    def editor_url(self):
        return reverse(
            "surveys:submission_edit", kwargs={"code": self.campaign.code, "slug": self.ngo.slug}
        )

    @property
    def summary_url(self):
        return reverse(
            "surveys:submission_summary",
            kwargs={"code": self.campaign.code, "slug": self.ngo.slug},
        )


def _scope(request, code, slug) -> Scope:
    """The campaign and the NGO, or a 404 when the user may not act for the NGO or the NGO is
    outside the campaign's scope."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), code=code)
    ngo = get_object_or_404(
        NGO.objects.acting_for(request.user).select_related("province", "municipality"),
        slug=slug,
    )
    if not campaign.covers_subregion(ngo.province.subregion_id):
        raise Http404
    if not request.user.has_perm("surveys.edit_submission", ngo):
        raise Http404
    # A coordinator who is not a member of the NGO enters the submission on its behalf.
    on_behalf = ngo.pk not in roles_of(request.user).ngo_ids
    return Scope(campaign=campaign, ngo=ngo, on_behalf=on_behalf)


def _state_message(campaign):
    """Why the campaign does not accept changes now (empty while it is open)."""
    state = campaign.state
    if state == CampaignState.SCHEDULED:
        return _("This campaign opens on %(date)s; you can fill in your submission from then.") % {
            "date": formats.date_format(timezone.localtime(campaign.opens_at), "DATETIME_FORMAT")
        }
    if state == CampaignState.CLOSED:
        closed_at = campaign.closes_at
        if campaign.closed_early_at is not None:
            closed_at = min(closed_at, campaign.closed_early_at)
        return _("This campaign closed on %(date)s; your submission can no longer be changed.") % {
            "date": formats.date_format(timezone.localtime(closed_at), "DATETIME_FORMAT")
        }
    return ""


def _submission(scope, *, create):
    """The NGO's submission to the campaign; created on first visit only while it is open."""
    queryset = Submission.objects.select_related("submitted_by", "entered_by", "updated_by")
    if create:
        # get_or_create catches the IntegrityError of the one-per-NGO constraint when two
        # members open the page at once, and reads the row the other request created.
        submission, _created = queryset.get_or_create(campaign=scope.campaign, ngo=scope.ngo)
        return submission
    return queryset.filter(campaign=scope.campaign, ngo=scope.ngo).first()


def _items(submission):
    if submission is None:
        return []
    return list(submission.items.select_related("category", "municipality").order_by("rank", "pk"))


def _formset(scope, *, data=None, items=()):
    """The five item forms: bound to the POST, or filled with the saved items in rank order and
    padded with empty ones addressed by default to the NGO's own municipality."""
    campaign, ngo = scope.campaign, scope.ngo
    kwargs = {
        "categories": campaign.categories.filter(is_active=True)
        .select_related("theme")
        .order_by("theme__order", "order", "name_sort"),
        "municipalities": Municipality.objects.filter(province=ngo.province_id).order_by(
            Case(
                When(
                    kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL],
                    then=Value(0),
                ),
                default=Value(1),
            ),
            "name_sort",
        ),
    }
    if data is not None:
        formset = ItemFormSet(data, **kwargs)
    else:
        initial = [
            {
                "id": item.pk,
                "category": item.category_id,
                "title": item.title,
                "description": item.description,
                "municipality": item.municipality_id,
                "hazard": item.hazard,
                "offer": item.offer,
            }
            for item in items
        ]
        padding = EXPECTATIONS_PER_SUBMISSION - len(initial)
        initial += [{"municipality": ngo.municipality_id} for _i in range(padding)]
        formset = ItemFormSet(initial=initial, **kwargs)
    # Each select would run its own query in every one of the five forms; one is enough.
    if formset.forms:
        for name in ("category", "municipality"):
            # iter() first: list() would ask the lazy choices for their length (a COUNT).
            choices = list(iter(formset.forms[0].fields[name].choices))
            for form in formset.forms:
                form.fields[name].choices = choices
    return formset


def _ignore_untouched(formset, ngo):
    """A new form left as it came (only the default municipality) is an empty slot, not an
    item: drop the default so that drafts and the submission rules do not count it."""
    if ngo.municipality_id is None:
        return
    for form in formset.forms:
        item = form.to_item()
        if (
            item.pk is None
            and getattr(item.municipality, "pk", None) == ngo.municipality_id
            and dataclasses.replace(item, municipality=None).is_empty
        ):
            form.cleaned_data["municipality"] = None


def _swap(value, items):
    """Apply a "up-<index>" or "down-<index>" move to the items; returns the moved item's new
    index, or None if the move makes no sense."""
    direction, _sep, index = (value or "").partition("-")
    if not index.isdigit() or direction not in ("up", "down"):
        return None
    first = int(index)
    second = first - 1 if direction == "up" else first + 1
    if not (0 <= first < len(items) and 0 <= second < len(items)):
        return None
    items[first], items[second] = items[second], items[first]
    return second


def _item_anchor(index):
    """The id of the editor's fieldset at this position (the page returns to it after a move)."""
    return f"expectation-{index + 1}"


def _shorten(value):
    return Truncator(value).chars(80)


def _describe_change(change):
    """One line of the amendment history, e.g. "Expectation 2: title changed from … to …"."""
    kind, rank = change.get("field"), change.get("rank")
    old, new = str(change.get("old") or ""), str(change.get("new") or "")
    if kind == "added":
        return _("Expectation %(rank)s added: “%(title)s”.") % {
            "rank": rank,
            "title": _shorten(new),
        }
    if kind == "removed":
        return _("Expectation %(rank)s removed: “%(title)s”.") % {
            "rank": rank,
            "title": _shorten(old),
        }
    if kind == "rank":
        return _("The expectation ranked %(old)s is now ranked %(new)s.") % {
            "old": old,
            "new": new,
        }
    if kind == "hazard":
        labels = dict(Hazard.choices)
        old, new = str(labels.get(old, old)), str(labels.get(new, new))
    field = FIELD_LABELS.get(kind, kind)
    values = {"rank": rank, "field": field, "old": _shorten(old), "new": _shorten(new)}
    if not old:
        return _("Expectation %(rank)s: %(field)s set to “%(new)s”.") % values
    if not new:
        return _("Expectation %(rank)s: %(field)s cleared (was “%(old)s”).") % values
    return _("Expectation %(rank)s: %(field)s changed from “%(old)s” to “%(new)s”.") % values


def _revisions(submission):
    if submission is None or not submission.is_submitted:
        return []
    revisions = list(submission.revisions.select_related("user"))
    for revision in revisions:
        revision.descriptions = [_describe_change(change) for change in revision.changes]
    return revisions


def _render(request, scope, submission, *, formset=None, version=None, conflict=None, errors=()):
    """The editor page (or its htmx partial) with the saved state and, after a failed POST,
    what the user typed."""
    editable = scope.campaign.is_open and submission is not None
    items = _items(submission)
    if editable and formset is None:
        formset = _formset(scope, items=items)
    context = {
        "campaign": scope.campaign,
        "ngo": scope.ngo,
        "on_behalf": scope.on_behalf,
        "submission": submission,
        "items": items,
        "editable": editable,
        "state_message": _state_message(scope.campaign),
        "formset": formset if editable else None,
        "version": version if version is not None else getattr(submission, "version", None),
        "conflict": conflict,
        "current_items": _items(conflict.current) if conflict else [],
        "errors": list(errors),
        "revisions": _revisions(submission),
        "summary_url": scope.summary_url,
    }
    return render_page(request, TEMPLATE, context, fragment="editor")


def _posted_version(request):
    """The version the user loaded; a missing or garbled one counts as out of date."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _unverified(request, scope):
    """Only verified NGOs take part: say so instead of showing the form (403)."""
    context = {"campaign": scope.campaign, "ngo": scope.ngo, "unverified": True}
    return render(request, TEMPLATE, context, status=403)


def _redirect(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _save(request, scope, submission):
    """Validate the posted items and save them as a draft, a submission or an amendment."""
    formset = _formset(scope, data=request.POST)
    version = _posted_version(request)
    action = next((a for a in ("submit", "move") if a in request.POST), "save")
    was_submitted = submission.is_submitted
    valid = formset.is_valid()
    if valid:
        _ignore_untouched(formset, scope.ngo)
        if action == "submit" or was_submitted:
            valid = formset.check_submittable()
    if not valid:
        return _render(request, scope, submission, formset=formset, version=version)
    items = formset.items()
    moved_to = _swap(request.POST.get("move"), items) if action == "move" else None
    try:
        result = submission_save(
            submission_id=submission.pk,
            items=items,
            expected_version=version,
            user=request.user,
            submit=action == "submit",
            on_behalf=scope.on_behalf,
            base_url=request.build_absolute_uri("/"),
        )
    except SubmissionConflict as conflict:
        # The next save deliberately replaces the version the user has now been shown.
        return _render(
            request,
            scope,
            submission,
            formset=formset,
            version=conflict.current.version,
            conflict=conflict,
        )
    except ValidationError as error:
        return _render(
            request, scope, submission, formset=formset, version=version, errors=error.messages
        )
    if result.submitted_now:
        messages.success(
            request,
            _("Submitted — receipt number %(receipt)s.")
            % {"receipt": result.submission.receipt_number},
        )
        return _redirect(request, scope.summary_url)
    if was_submitted:
        messages.success(
            request,
            _("Amendment saved.") if result.changes else _("Saved; nothing had changed."),
        )
    elif action == "move":
        messages.success(request, _("The new order has been saved as a draft."))
    else:
        messages.success(request, _("Draft saved."))
    if request.htmx and not request.htmx.boosted:
        response = _render(request, scope, _submission(scope, create=False))
        if moved_to is not None:
            # htmx scrolls to the moved item once the editor is swapped in.
            response["HX-Reswap"] = f"outerHTML show:#{_item_anchor(moved_to)}:top"
        return response
    if moved_to is not None:
        # Without JavaScript the page comes back at the item that was moved, not at its top.
        return redirect(f"{scope.editor_url}#{_item_anchor(moved_to)}")
    return redirect(scope.editor_url)


@login_required
@require_http_methods(["GET", "POST"])
def submission_edit(request, code, slug):
    """The editor of the NGO's five ranked expectations for a campaign."""
    scope = _scope(request, code, slug)
    if not scope.ngo.is_verified:
        return _unverified(request, scope)
    is_open = scope.campaign.is_open
    if request.method == "POST" and not is_open:
        # Refused before reading the form: nothing changes, the saved draft stays as it was.
        messages.error(request, _state_message(scope.campaign))
        return _redirect(request, scope.editor_url)
    submission = _submission(scope, create=is_open)
    if request.method == "POST":
        return _save(request, scope, submission)
    return _render(request, scope, submission)


@login_required
@require_GET
def submission_summary(request, code, slug):
    """A printable summary of the submission: receipt number and the five items."""
    scope = _scope(request, code, slug)
    if not scope.ngo.is_verified:
        return _unverified(request, scope)
    submission = _submission(scope, create=False)
    context = {
        "campaign": scope.campaign,
        "ngo": scope.ngo,
        "on_behalf": scope.on_behalf,
        "submission": submission,
        "items": _items(submission),
        "editor_url": scope.editor_url,
    }
    return render(request, "surveys/submission_summary.html", context)
