import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """One download of all of a user's data, built as a zip by a task (issue 12 §3)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    file_path = models.CharField(max_length=500, blank=True, default="", editable=False)  # under PRIVACY_EXPORT_ROOT
    file_size = models.BigIntegerField(_("size"), default=0)
    error_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="privacy_export_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class AccountDeletion(models.Model):
    """A request to erase a user's account after a grace period; cancellable until it starts.

    It names the user by id, not by a foreign key, so it outlives the user it erased and an
    interrupted erasure can be resumed from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField(db_index=True)
    user_email = models.EmailField(_("user"), max_length=255, blank=True, default="")  # blanked when done
    requested_by_id = models.UUIDField(null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    scheduled_for = models.DateTimeField(_("erased after"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id"],
                condition=models.Q(cancelled_at__isnull=True, completed_at__isnull=True),
                name="privacy_one_open_deletion_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.user_email or str(self.user_id)

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None
