from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """GDPR for users (issue 12 §3): the data export and the account's erasure.

    It composes chat, documents and billing data, which none of them may do for the others
    (DESIGN §3), so it sits above them like ``config`` (ADR 0010)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Privacy")
