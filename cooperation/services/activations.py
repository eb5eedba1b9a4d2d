"""Activations: opening one with its needs, changing a need (optimistic concurrency), moving a
called NGO through its states on the ground, the board's figures, closing with an after-action
summary, and the real-only statistics (exercises are kept out of them)."""

import statistics
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, ProtectedError, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import (
    Activation,
    ActivationLogEntry,
    Call,
    CallState,
    Delivery,
    Need,
    Offer,
    ResponseItem,
)
from municipalities.models import Province
from portal.access import roles_of

Verb = ActivationLogEntry.Verb

# Which state an officer may move a called NGO to, from each state. "Responded" is set by the
# NGO's own answer; "released" ends the NGO's part (also for one never needed).
CALL_TRANSITIONS = {
    CallState.CALLED: {CallState.RELEASED},
    CallState.RESPONDED: {CallState.ON_THE_WAY, CallState.ON_SITE, CallState.RELEASED},
    CallState.ON_THE_WAY: {CallState.ON_SITE, CallState.RELEASED},
    CallState.ON_SITE: {CallState.RELEASED},
    CallState.RELEASED: set(),
}


class ActivationConflict(ValidationError):
    """Someone changed the row since this user loaded it: nothing was saved."""

    def __init__(self, message):
        super().__init__(message, code="conflict")


def log_entry(activation_id, actor, verb, **details) -> ActivationLogEntry:
    """Add one line to an activation's log."""
    return ActivationLogEntry.objects.create(
        activation_id=activation_id, actor=actor, verb=verb, details=details
    )


# --- who may open and run an activation ------------------------------------------------------


def may_open_activations(user) -> bool:
    """Municipal managers (for their municipalities) and coordinators (for their area)."""
    roles = roles_of(user)
    return roles.is_municipal_manager or roles.is_coordinator


def coordinates_activation(user, activation) -> bool:
    """Whether the user coordinates the activation's area (an affected province's sub-region, or
    the activating municipality's). Uses the prefetched provinces when there are."""
    roles = roles_of(user)
    if roles.is_national_coordinator:
        return True
    if not roles.subregion_ids:
        return False
    subregions = {province.subregion_id for province in activation.provinces.all()}
    if activation.municipality_id:
        subregions.add(activation.municipality.province.subregion_id)
    return bool(subregions & roles.subregion_ids)


def runs_activation(user, activation) -> bool:
    """The officers of an activation: the activating municipality's staff and the coordinators
    of its area. They call NGOs, change needs and states, decide offers and close it."""
    roles = roles_of(user)
    if activation.municipality_id and activation.municipality_id in roles.municipality_ids:
        return True
    return coordinates_activation(user, activation)


def _check_scope(user, activation, provinces):
    roles = roles_of(user)
    if activation.municipality_id:
        if activation.municipality_id not in roles.municipality_manager_ids:
            raise ValidationError(
                _("Only a manager of the municipality may open an activation for it."),
                code="scope",
            )
        if activation.municipality.province_id not in {p.pk for p in provinces}:
            raise ValidationError(
                {
                    "provinces": _(
                        "The affected provinces must include the municipality's own province."
                    )
                }
            )
        return
    if roles.is_national_coordinator:
        return
    outside = [p.name for p in provinces if p.subregion_id not in roles.subregion_ids]
    if not roles.subregion_ids or outside:
        raise ValidationError(
            {
                "provinces": _(
                    "You may open an activation only for the provinces you coordinate "
                    "(not %(provinces)s)."
                )
                % {"provinces": ", ".join(outside) or "—"}
            }
        )


# --- opening and needs -----------------------------------------------------------------------


@transaction.atomic
def activation_open(*, user, form, needs) -> Activation:
    """Open an activation from a valid ActivationForm and its needs (unsaved Need objects).

    Side effects: inserts the Activation, its provinces and districts, its Needs, and the log
    lines "opened" and "added a need". Raises ValidationError when the user may not open it
    for this municipality or these provinces.
    """
    activation = form.save(commit=False)
    activation.opened_by = user
    provinces = list(form.cleaned_data["provinces"])
    _check_scope(user, activation, provinces)
    activation.save()
    form.save_m2m()
    for need in needs:
        need.activation = activation
    Need.objects.bulk_create(needs)
    log_entry(activation.pk, user, Verb.OPENED, title=activation.title)
    ActivationLogEntry.objects.bulk_create(
        ActivationLogEntry(
            activation=activation,
            actor=user,
            verb=Verb.NEED_ADDED,
            details={"need": str(need)},
        )
        for need in needs
    )
    return activation


def activation_lock_open(activation_id) -> Activation:
    activation = Activation.objects.select_for_update().get(pk=activation_id)
    if not activation.is_open:
        raise ValidationError(_("This activation is closed."), code="closed")
    return activation


@transaction.atomic
def need_add(*, activation, user, need) -> Need:
    """Add a need (an unsaved Need) to an open activation. Side effects: the Need, a log line."""
    activation_lock_open(activation.pk)
    need.activation = activation
    need.save()
    log_entry(activation.pk, user, Verb.NEED_ADDED, need=str(need))
    return need


@transaction.atomic
def need_update(*, need_id, user, expected_version, changes: dict) -> Need:
    """Save changes to a need unless someone changed it since ``expected_version`` was read.

    Side effects: updates the Need (its version goes up by one) and adds a log line. Raises
    ActivationConflict when the version moved on (nothing is saved), ValidationError when the
    activation is closed.
    """
    need = Need.objects.select_for_update().get(pk=need_id)
    activation_lock_open(need.activation_id)
    if need.version != int(expected_version):
        raise ActivationConflict(
            _(
                "Someone else changed this need in the meantime (it now asks for %(need)s). "
                "Nothing was saved; what you typed is still in the form. Check and save again."
            )
            % {"need": f"{need.quantity} {need.get_unit_display()}"}
        )
    before = str(need)
    for name, value in changes.items():
        setattr(need, name, value)
    need.version = F("version") + 1
    need.save()
    need.refresh_from_db()
    log_entry(need.activation_id, user, Verb.NEED_CHANGED, before=before, after=str(need))
    return need


@transaction.atomic
def need_remove(*, need_id, user, expected_version) -> None:
    """Remove a need nobody has pledged anything against, unless someone changed it since
    ``expected_version`` was read.

    Side effects: deletes the Need and adds a log line. Raises ActivationConflict when the
    version moved on, ValidationError when NGOs pledged against it (the database protects
    their pledges: ``ResponseItem.need`` is PROTECT) or the activation is closed.
    """
    need = Need.objects.select_for_update().get(pk=need_id)
    activation_lock_open(need.activation_id)
    if need.version != int(expected_version):
        raise ActivationConflict(
            _(
                "Someone else changed this need in the meantime (it now asks for %(need)s). "
                "Nothing was removed. Check it and try again."
            )
            % {"need": f"{need.quantity} {need.get_unit_display()}"}
        )
    pledged_error = ValidationError(
        _(
            "This need cannot be removed: NGOs have pledged against it. Change its quantity "
            "instead, or ask them to change their answers first."
        ),
        code="pledged",
    )
    if need.pledges.exists():
        raise pledged_error
    described = str(need)
    try:
        # A pledge saved since the check above still stops the deletion (PROTECT, and the
        # foreign key in the database).
        with transaction.atomic():
            need.delete()
    except (ProtectedError, IntegrityError) as error:
        raise pledged_error from error
    log_entry(need.activation_id, user, Verb.NEED_REMOVED, need=described)


@transaction.atomic
def activation_update(*, activation_id, user, expected_version, description, severity):
    """Correct an open activation's description and severity unless someone changed it since
    ``expected_version`` was read.

    Side effects: updates the Activation (its version goes up by one) and adds a log line
    naming the changed fields. Raises ActivationConflict when the version moved on (nothing is
    saved), ValidationError when the activation is closed.
    """
    activation = activation_lock_open(activation_id)
    if activation.version != int(expected_version):
        raise ActivationConflict(
            _(
                "Someone else changed this activation in the meantime. Nothing was saved; what "
                "you typed is still in the form, beside what is saved now. Check and save again."
            )
        )
    changed = [
        name
        for name, value in (("description", description), ("severity", severity))
        if getattr(activation, name) != value
    ]
    activation.description = description
    activation.severity = severity
    activation.version = F("version") + 1
    activation.save(update_fields=["description", "severity", "version", "updated_at"])
    activation.refresh_from_db()
    if changed:
        log_entry(activation.pk, user, Verb.UPDATED, fields=changed, severity=activation.severity)
    return activation


# --- states on the ground --------------------------------------------------------------------


@transaction.atomic
def call_change_state(*, call_id, user, from_state, to_state) -> Call:
    """Move a called NGO to its next state (see CALL_TRANSITIONS). ``from_state`` is the state the
    officer saw: if another officer moved it meanwhile, nothing changes (ActivationConflict).

    Side effects: updates the Call; on "on site", records every pledged item as arrived where
    nothing was recorded yet; a log line.
    """
    call = Call.objects.select_for_update().select_related("ngo").get(pk=call_id)
    activation_lock_open(call.activation_id)
    if call.state != from_state:
        raise ActivationConflict(
            _("Someone else changed the state of %(ngo)s to “%(state)s” in the meantime.")
            % {"ngo": call.ngo.name, "state": call.get_state_display()}
        )
    if to_state not in CALL_TRANSITIONS[CallState(call.state)]:
        raise ValidationError(
            _("%(ngo)s cannot go from “%(from)s” to “%(to)s”.")
            % {
                "ngo": call.ngo.name,
                "from": call.get_state_display(),
                "to": CallState(to_state).label,
            },
            code="transition",
        )
    call.state = to_state
    call.state_changed_at = timezone.now()
    call.save(update_fields=["state", "state_changed_at"])
    if to_state == CallState.ON_SITE:
        ResponseItem.objects.filter(response__call=call, arrived=0).update(
            arrived=F("pledged"), updated_at=timezone.now()
        )
    log_entry(
        call.activation_id,
        user,
        Verb.STATE_CHANGED,
        ngo=call.ngo.name,
        ngo_id=call.ngo_id,
        before=from_state,
        after=to_state,
    )
    return call


@transaction.atomic
def item_record_arrived(*, item_id, user, arrived) -> ResponseItem:
    """Record how much of a pledged item has arrived. Side effects: the item, a log line."""
    item = (
        ResponseItem.objects.select_for_update()
        .select_related("response__call__ngo")
        .get(pk=item_id)
    )
    call = item.response.call
    activation_lock_open(call.activation_id)
    item.arrived = arrived
    item.save(update_fields=["arrived", "updated_at"])
    log_entry(
        call.activation_id,
        user,
        Verb.ARRIVED,
        ngo=call.ngo.name,
        need=str(item.need),
        arrived=arrived,
    )
    return item


# --- the board -------------------------------------------------------------------------------


def needs_with_totals(activation):
    """The activation's needs with what was pledged and has arrived against each (in SQL)."""
    return activation.needs.annotate(
        pledged_total=Coalesce(Sum("pledges__pledged"), 0),
        arrived_total=Coalesce(Sum("pledges__arrived"), 0),
    ).order_by("priority", "pk")


@dataclass
class Board:
    """What the coordination board shows (a fixed number of queries)."""

    activation: Activation
    needs: list
    calls: list
    log: list
    offers: list
    deliveries: dict
    state_counts: dict = field(default_factory=dict)


def board_for(activation, *, log_size=50) -> Board:
    """The coordination board of an activation: needs against pledged and arrived quantities,
    every called NGO with its answer and state, pending offers, delivery counts, the newest
    log lines."""
    needs = list(needs_with_totals(activation))
    calls = list(activation.calls.with_board_joins().order_by("ngo__name_sort", "pk"))
    log = list(activation.log.select_related("actor").order_by("-at", "-pk")[:log_size])
    offers = list(
        activation.offers.filter(status=Offer.Status.PENDING)
        .select_related("ngo__province")
        .order_by("created_at", "pk")
    )
    deliveries = dict(
        Delivery.objects.filter(call__activation=activation)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    state_counts = {}
    for call in calls:
        state_counts[call.state] = state_counts.get(call.state, 0) + 1
    return Board(
        activation=activation,
        needs=needs,
        calls=calls,
        log=log,
        offers=offers,
        deliveries={state: deliveries.get(state, 0) for state in Delivery.State.values},
        state_counts=state_counts,
    )


# --- closing and the after-action summary ----------------------------------------------------


@dataclass
class Summary:
    activation: Activation
    helpers: list  # (call, response or None, [(need, pledged, arrived)])
    needs: list  # needs with pledged_total, arrived_total
    called: int
    responded: int
    first_response: object  # timedelta or None
    median_response: object  # timedelta or None

    @property
    def needs_met(self) -> int:
        return sum(1 for need in self.needs if need.arrived_total >= need.quantity)


def activation_summary(activation) -> Summary:
    """The after-action figures: who helped with what, the time from the call to the first
    response, the median response time, the needs met. Four queries."""
    needs = list(needs_with_totals(activation))
    by_pk = {need.pk: need for need in needs}
    calls = list(activation.calls.with_board_joins().order_by("ngo__name_sort", "pk"))
    helpers, delays = [], []
    for call in calls:
        response = getattr(call, "response", None)
        items = []
        if response is not None:
            items = [(by_pk.get(i.need_id), i.pledged, i.arrived) for i in response.items.all()]
        if call.responded_at:
            delays.append(call.responded_at - call.sent_at)
        helpers.append((call, response, items))
    return Summary(
        activation=activation,
        helpers=helpers,
        needs=needs,
        called=len(calls),
        responded=len(delays),
        first_response=min(delays) if delays else None,
        median_response=statistics.median(delays) if delays else None,
    )


def duration_text(delta) -> str:
    """A duration as hours and minutes ("2 h 05 min"), or "—"."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def summary_text(summary: Summary) -> str:
    """The after-action summary as plain text (kept with the closed activation)."""
    lines = [
        _("Called NGOs: %(called)d; answered: %(responded)d.")
        % {"called": summary.called, "responded": summary.responded},
        _("Time from the call to the first response: %(time)s.")
        % {"time": duration_text(summary.first_response)},
        _("Median response time: %(time)s.") % {"time": duration_text(summary.median_response)},
        _("Needs met: %(met)d of %(total)d.")
        % {"met": summary.needs_met, "total": len(summary.needs)},
        "",
        _("Who helped with what:"),
    ]
    for call, response, items in summary.helpers:
        if response is None or response.availability == response.Availability.NOT_AVAILABLE:
            continue
        pledged = "; ".join(
            f"{need.get_kind_display()} {pledged}/{arrived}" for need, pledged, arrived in items
        )
        lines.append(
            _("- %(ngo)s: %(people)d people, %(vehicles)d vehicles%(items)s")
            % {
                "ngo": call.ngo.name,
                "people": response.people,
                "vehicles": response.vehicles,
                "items": f" ({pledged})" if pledged else "",
            }
        )
    return "\n".join(lines)


@transaction.atomic
def activation_close(*, activation_id, user) -> Activation:
    """Close an open activation and keep its after-action summary.

    Side effects: updates the Activation (status, closed_at, closed_by, after_action_summary,
    version) and adds the log line "closed". Raises ValidationError if it is already closed.
    """
    activation = activation_lock_open(activation_id)
    now = timezone.now()
    activation.status = Activation.Status.CLOSED
    activation.closed_at = max(now, activation.started_at)
    activation.closed_by = user
    activation.after_action_summary = summary_text(activation_summary(activation))
    activation.version = F("version") + 1
    activation.save()
    activation.refresh_from_db()
    log_entry(activation.pk, user, Verb.CLOSED)
    return activation


def summary_details(summary: Summary):
    """The after-action summary's figures as (label, value) pairs: the lines under the title of
    its exports (portal/exports.py)."""
    activation = summary.activation
    return [
        (_("Exercise"), _("yes") if activation.is_exercise else _("no")),
        (_("Started at"), activation.started_at),
        (_("Closed at"), activation.closed_at),
        (_("Called NGOs"), summary.called),
        (_("Answered"), summary.responded),
        (_("Time from the call to the first response"), duration_text(summary.first_response)),
        (_("Median response time"), duration_text(summary.median_response)),
        (_("Needs met"), f"{summary.needs_met}/{len(summary.needs)}"),
    ]


def summary_rows(summary: Summary):
    """The after-action summary's tables as spreadsheet rows: the needs, then one row per
    called NGO (each table under its own heading row)."""
    yield [_("Need"), _("Place"), _("Quantity"), _("Unit"), _("Pledged"), _("Arrived"), _("Met")]
    for need in summary.needs:
        yield [
            need.get_kind_display(),
            need.place,
            need.quantity,
            need.get_unit_display(),
            need.pledged_total,
            need.arrived_total,
            _("yes") if need.arrived_total >= need.quantity else _("no"),
        ]
    yield []
    yield [
        _("NGO"),
        _("Province"),
        _("State"),
        _("Availability"),
        _("People"),
        _("Vehicles"),
        _("Called at"),
        _("First responded at"),
        _("Pledged items"),
    ]
    for call, response, items in summary.helpers:
        yield [
            call.ngo.name,
            call.ngo.province.name,
            call.get_state_display(),
            response.get_availability_display() if response else "",
            response.people if response else "",
            response.vehicles if response else "",
            call.sent_at,
            call.responded_at,
            "; ".join(
                f"{need.get_kind_display() if need else '?'}: {pledged} ({arrived})"
                for need, pledged, arrived in items
            ),
        ]


# --- statistics ------------------------------------------------------------------------------


def activation_figures(queryset=None) -> dict:
    """Counts for statistics: real activations only (exercises are never counted), with their
    calls and the NGOs that answered available or partly."""
    activations = (queryset if queryset is not None else Activation.objects.all()).real()
    figures = activations.aggregate(
        activations=Count("pk", distinct=True),
        open=Count("pk", filter=Q(status=Activation.Status.OPEN), distinct=True),
    )
    calls = Call.objects.filter(activation__in=activations)
    figures.update(
        calls.aggregate(
            calls=Count("pk"),
            helped=Count(
                "pk",
                filter=Q(response__availability__in=["available", "partly"]),
            ),
            first_call=Min("sent_at"),
        )
    )
    return figures


def provinces_of_area(user):
    """The provinces the user may name when opening an activation: every province for national
    coordinators and municipal managers (a disaster crosses borders), else those of the
    sub-regions the user coordinates."""
    roles = roles_of(user)
    if roles.is_national_coordinator or roles.is_municipal_manager:
        return Province.objects.order_by("name_sort")
    return Province.objects.filter(subregion__in=roles.subregion_ids).order_by("name_sort")


def dashboard_activations(user, *, size=5) -> dict:
    """What the dashboard shows of activations: the newest the user may see, open ones first,
    how many there are, and whether the user may open one (two queries, or none without a
    role)."""
    if not roles_of(user).has_any_role:
        return {}
    visible = Activation.objects.visible_to(user)
    activations = list(visible.select_related("municipality").open_first()[:size])
    return {
        "activations": activations,
        "open_activations": visible.open().count(),
        "can_open_activation": may_open_activations(user),
    }
