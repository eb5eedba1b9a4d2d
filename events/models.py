"""Regional programmes: events with their agenda and speakers, and registrations."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.access import roles_of


class EventState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class EventQuerySet(models.QuerySet):
    def public(self):
        """Every programme is public (cancelled ones say so)."""
        return self

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now())

    def past(self):
        return self.filter(ends_at__lt=timezone.now())

    def coordinated_by(self, user):
        """The programmes of the sub-regions the user coordinates (all for national coordinators
        and site administrators)."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        return self.filter(subregion_id__in=roles.subregion_ids)


class Event(models.Model):
    """A regional programme of the project, held in a host province of a sub-region."""

    State = EventState

    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    subregion = models.ForeignKey(
        "municipalities.SubRegion",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("sub-region"),
    )
    host_province = models.ForeignKey(
        "municipalities.Province",
        on_delete=models.PROTECT,
        related_name="hosted_events",
        verbose_name=_("host province"),
    )
    host_municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host municipality"),
    )
    venue = models.CharField(_("venue"), max_length=200)
    address = models.TextField(_("address"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    description = models.TextField(_("description"), max_length=5000, blank=True)
    capacity = models.PositiveIntegerField(pgettext_lazy("seats at a programme", "capacity"))
    # Seats held by registered (and attended) people, kept by events.services with conditional
    # UPDATEs; the check constraint below makes overbooking impossible even if code is wrong.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    registration_deadline = models.DateTimeField(_("registration deadline"))
    campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("linked survey campaign"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default=EventState.PLANNED
    )
    minutes_summary = models.TextField(_("minutes: summary"), max_length=10000, blank=True)
    minutes_attendees = models.PositiveIntegerField(
        _("minutes: number of attendees"), null=True, blank=True
    )
    minutes_organisations = models.TextField(
        _("minutes: organisations present"), max_length=5000, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The revision of the calendar entry (the .ics SEQUENCE): raised by
    # events.services.changes on every change people must hear about (time, place, agenda,
    # cancellation); ``revised_at`` is when (the .ics LAST-MODIFIED).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    revised_at = models.DateTimeField(_("revised at"), null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional programme")
        verbose_name_plural = _("regional programmes")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=models.F("ends_at")),
                name="event_deadline_before_end",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity")), name="event_never_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(state__in=EventState.values), name="event_state_known"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def checkin_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When people may be checked in: from EVENT_CHECKIN_OPENS_HOURS_BEFORE hours before the
        start until the end of the programme's last day in Türkiye time (the second value is
        the midnight that ends it, excluded)."""
        opens = self.starts_at - datetime.timedelta(hours=settings.EVENT_CHECKIN_OPENS_HOURS_BEFORE)
        last_day = timezone.localdate(self.ends_at)
        closes = timezone.make_aware(
            datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
        )
        return opens, closes

    def checkin_is_open(self, now=None) -> bool:
        opens, closes = self.checkin_window()
        return opens <= (now or timezone.now()) < closes

    def is_over(self, now=None) -> bool:
        """Whether the programme is over: marked held, or past its end (cancelled or not)."""
        return self.state == self.State.HELD or self.ends_at <= (now or timezone.now())


class Speaker(models.Model):
    """A person speaking at a programme."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("title or position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class AgendaItem(models.Model):
    """A slot of a programme's agenda, with its speakers."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("programme")
    )
    starts_at = models.TimeField(_("time"))
    title = models.CharField(_("title"), max_length=250)
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="agenda_items", verbose_name=_("speakers")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "starts_at", "pk"]

    def __str__(self):
        return f"{self.starts_at:%H:%M} {self.title}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("registration status", "Registered")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")


class Registration(models.Model):
    """A person attending a programme on behalf of an NGO or a municipality."""

    Status = RegistrationStatus

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    ngo = models.ForeignKey(
        "ngos.NGO",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("on behalf of NGO"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("on behalf of municipality"),
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    # Waitlist order: the position in the queue when waitlisted (lower first).
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="registration_one_per_person_and_event"
            ),
            models.CheckConstraint(
                condition=Q(ngo__isnull=False, municipality__isnull=True)
                | Q(ngo__isnull=True, municipality__isnull=False),
                name="registration_for_one_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="registration_waitlist_position_iff_waitlisted",
            ),
            # Positions are NULL outside the waiting list, and NULLs never collide.
            models.UniqueConstraint(
                fields=["event", "waitlist_position"], name="registration_waitlist_position_unique"
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]

    def __str__(self):
        return f"{self.user} — {self.event} ({self.get_status_display()})"

    @property
    def organisation(self):
        return self.ngo or self.municipality


class ChangeKind(models.TextChoices):
    TIME = "time", _("Date and time")
    PLACE = "place", _("Place")
    AGENDA = "agenda", _("Agenda")
    CANCELLED = "cancelled", _("Cancellation")
    REINSTATED = "reinstated", _("Reinstated")


class ProgrammeChange(models.Model):
    """One revision of a programme that its registrants were told about: what changed, when,
    by whom, and how many people were notified."""

    Kind = ChangeKind

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="changes", verbose_name=_("programme")
    )
    sequence = models.PositiveIntegerField(_("revision"))
    kinds = models.JSONField(_("what changed"), default=list)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"))
    # Set by the notification task once every recipient has been told (it is idempotent).
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("people notified"), default=0)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["event", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "sequence"], name="programme_change_one_per_revision"
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="programme_change_sequence_positive"
            ),
        ]

    def __str__(self):
        return f"{self.event} #{self.sequence}"

    def kind_labels(self) -> list[str]:
        labels = dict(ChangeKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.kinds]


class MessageAudience(models.TextChoices):
    ALL = "all", _("Everyone registered or on the waiting list")
    SEATED = "seated", _("People with a seat")
    ATTENDED = "attended", _("Only those who attended (checked in)")
    WAITLIST = "waitlist", _("Only the waiting list")


class ProgrammeMessage(models.Model):
    """A message a coordinator sent to the registrants of a programme (all of them, those
    with a seat, those who attended, or the waiting list)."""

    Audience = MessageAudience

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="messages", verbose_name=_("programme")
    )
    audience = models.CharField(_("recipients"), max_length=10, choices=MessageAudience.choices)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # Set by the delivery task once every recipient has been told (it is idempotent).
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=MessageAudience.values),
                name="programme_message_audience_known",
            ),
            models.CheckConstraint(
                condition=~Q(subject="") & ~Q(body=""), name="programme_message_not_empty"
            ),
        ]

    def __str__(self):
        return self.subject


class ProgrammeDecision(models.Model):
    """A decision recorded in a programme's minutes, with the cases (expectations) it
    concerns."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("programme")
    )
    text = models.TextField(_("decision"), max_length=2000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    cases = models.ManyToManyField(
        "surveys.Expectation",
        blank=True,
        related_name="programme_decisions",
        verbose_name=_("cases concerned"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="programme_decision_not_empty")
        ]

    def __str__(self):
        return self.text[:80]
