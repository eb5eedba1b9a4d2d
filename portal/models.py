"""The portal's own models: the user (email login) and coordinator assignments."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.turkish import sort_key


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the portal; the email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_staff = models.BooleanField(
        _("site administrator"),
        default=False,
        help_text=_("Can log in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=["tr", "en"]),
                name="user_preferred_language_known",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


def person_sort_key(user):
    """Where a person goes in a list by name: Turkish alphabetical order, ties by e-mail and pk.

    People are few on any one page and their names are not stored with a sort key, so lists of
    people are sorted in Python: ``sorted(users, key=person_sort_key)``.
    """
    return (sort_key(str(user)), user.email, user.pk)


class CoordinatorAssignmentQuerySet(models.QuerySet):
    def national(self):
        """Assignments that cover the whole country."""
        return self.filter(subregion__isnull=True)


class CoordinatorAssignment(models.Model):
    """A user coordinates one sub-region, or the whole country when no sub-region is given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator_assignments",
        verbose_name=_("user"),
    )
    subregion = models.ForeignKey(
        "municipalities.SubRegion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coordinator_assignments",
        verbose_name=_("sub-region"),
        help_text=_("Leave empty for a national coordinator."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CoordinatorAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("coordinator assignment")
        verbose_name_plural = _("coordinator assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subregion"], name="coordinator_unique_user_subregion"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(subregion__isnull=True),
                name="coordinator_unique_national_per_user",
            ),
        ]

    def __str__(self):
        if self.subregion_id is None:
            return _("%(user)s — national coordinator") % {"user": self.user}
        return _("%(user)s — coordinator of %(subregion)s") % {
            "user": self.user,
            "subregion": self.subregion,
        }

    @property
    def is_national(self):
        return self.subregion_id is None


class ExportLog(models.Model):
    """A record of every export of personal or contact data: who, when, what, with which filter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="exports",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    kind = models.CharField(_("what was exported"), max_length=60)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.kind}"


class Notification(models.Model):
    """An in-app message for one user, with a link to what it is about."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message


class EmailPreferences(models.Model):
    """Which emails a user wants; a user without a row gets all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preferences",
        verbose_name=_("user"),
    )
    answers = models.BooleanField(_("public answers to my NGO's expectations"), default=True)
    status_changes = models.BooleanField(_("status changes of my NGO's expectations"), default=True)
    referrals = models.BooleanField(_("referrals of my NGO's expectations"), default=True)
    completions = models.BooleanField(_("completed expectations to confirm"), default=True)
    digest = models.BooleanField(
        _("digest of new and overdue cases of my municipality"), default=True
    )
    events = models.BooleanField(_("regional programme registrations"), default=True)
    case_messages = models.BooleanField(_("messages in the conversation of a case"), default=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self):
        return str(self.user)


class AuditEntry(models.Model):
    """One security-relevant action: who did what to what, when and from where. Append only."""

    class Action(models.TextChoices):
        LOGIN = "login", _("log-in")
        LOGIN_FAILED = "login_failed", _("failed log-in")
        ROLE_CHANGE = "role_change", _("role change")
        MEMBERSHIP_CHANGE = "membership_change", _("membership change")
        VERIFICATION = "verification", _("verification")
        EXPORT = "export", _("export of personal data")
        ADMIN_EDIT = "admin_edit", _("administrator edit")
        ACCOUNT_DELETED = "account_deleted", _("account deleted")
        DATA_DOWNLOAD = "data_download", _("personal data downloaded")
        SECOND_FACTOR = "second_factor", _("two-factor sign-in changed")
        RECOVERY_CODE = "recovery_code", _("recovery code used")
        PRIVACY_NOTICE = "privacy_notice", _("privacy notice acknowledged")
        CONTACTS_CHANGE = "contacts_change", _("public contact details changed")
        PROTOCOL = "protocol", _("cooperation protocol step")
        API_TOKEN = "api_token", _("API access token")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target}"


class OutgoingMail(models.Model):
    """One email on its way: stored in the sender's transaction, sent after commit by a task
    (portal/mail.py, portal/outbox.py), so a message is neither lost to a failing mail server nor
    sent for an action that was rolled back."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    batch = models.UUIDField(_("batch"), db_index=True)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"), blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    from_email = models.CharField(pgettext_lazy("email", "from"), max_length=400)
    to = models.JSONField(pgettext_lazy("email", "to"), default=list, blank=True)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # [{"filename", "mimetype", "content": base64}]: binary-safe (the programme's .ics) in JSON.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outgoingmail_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]),
                name="outgoingmail_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="outgoingmail_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


class PrivacyAcknowledgement(models.Model):
    """A person acknowledged a version of the privacy notice (KVKK art. 10): which one, when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="privacy_acknowledgements",
        verbose_name=_("user"),
    )
    version = models.CharField(_("notice version"), max_length=20)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("privacy notice acknowledgement")
        verbose_name_plural = _("privacy notice acknowledgements")
        ordering = ["-acknowledged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="privacyacknowledgement_once_per_version"
            ),
            models.CheckConstraint(
                condition=~Q(version=""), name="privacyacknowledgement_version_set"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.version}"


def attachment_path(instance, filename):
    """Where a file is stored: by month and by the attachment's id, never by the uploaded name
    (which is kept, sanitised, in ``Attachment.name``)."""
    return f"attachments/{timezone.now():%Y/%m}/{instance.pk}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    """A file attached to something of a domain app (a case message, an answer, an NGO, a
    protocol): which one is a generic owner (content type + id), registered with
    ``portal.attachments.register_owner`` together with who may see it. The file is stored
    through Django's default storage under a name of its own; it is only ever served by
    ``portal.views.attachments.attachment_download``, which checks access."""

    class MediaType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner type")
    )
    object_id = models.PositiveBigIntegerField(_("owner"))
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    media_type = models.CharField(_("type"), max_length=20, choices=MediaType.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_owner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(media_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="attachment_media_type_known",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="attachment_name_set"),
            models.CheckConstraint(
                condition=Exact(Length("sha256"), 64), name="attachment_sha256_length"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("attachment", kwargs={"pk": self.pk, "name": self.name})

    @property
    def is_image(self):
        return self.media_type in (self.MediaType.PNG, self.MediaType.JPEG)
