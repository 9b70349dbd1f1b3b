from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only audit log (issue 12 §4): one table per tenant schema, one in public."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from . import receivers  # noqa: F401  (admin sign-ins: auth events, not domain flow)
