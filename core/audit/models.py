from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An audit entry is never changed nor deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries are append-only")

    def delete(self):
        raise AppendOnly("audit entries are append-only")


class AuditEntry(models.Model):
    """Who did what to which object, when and from where (seed 000: admin access logged and audited).

    In a tenant's schema: its admins' actions; in the public schema: the operators'."""

    class Action(models.TextChoices):
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        ACTION = "action", _("ran an action")
        LOGIN = "login", _("signed in to the admin")
        LOGIN_FAILED = "login_failed", _("failed to sign in to the admin")

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_id = models.UUIDField(_("actor id"), null=True, blank=True)
    actor_email = models.CharField(_("who"), max_length=255, blank=True, default="")  # a snapshot
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    action_name = models.CharField(_("admin action"), max_length=100, blank=True, default="")
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    object_repr = models.CharField(_("object"), max_length=200, blank=True, default="")
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: {"before": .., "after": ..}}
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")  # "3 audit entries" in counts; the app is the "Audit log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor_email", "-created_at"], name="audit_actor"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are append-only")
