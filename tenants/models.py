from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from .schemas import SchemaValidator, normalised


class Tenant(TenantMixin):
    """A customer organisation: one PostgreSQL schema, one workspace host."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        PROVISIONING = "provisioning", _("Preparing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255)
    subdomain = models.CharField(_("subdomain"), max_length=63, unique=True, null=True, blank=True)
    branding = models.JSONField(default=dict, blank=True, validators=[SchemaValidator("branding")])
    settings = models.JSONField(default=dict, blank=True, validators=[SchemaValidator("settings")])
    features = models.JSONField(default=dict, blank=True, validators=[SchemaValidator("features")])
    legal = models.JSONField(default=dict, blank=True, validators=[SchemaValidator("legal")])
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    provisioning_error = models.TextField(blank=True, default="")
    provisioned_at = models.DateTimeField(null=True, blank=True)
    # A run claims provisioning (state, start, claim id) so a redelivered task never drops the schema
    # another run is building; a claim older than TENANT_PROVISIONING_LEASE_SECONDS is a dead run's.
    provisioning_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    provisioning_claim = models.UUIDField(null=True, blank=True, editable=False)
    # When the owner proved their address (the link in the confirmation e-mail of a public signup;
    # at creation for workspaces an operator creates). Unconfirmed workspaces are not usable.
    owner_verified_at = models.DateTimeField(_("owner confirmed"), null=True, blank=True, editable=False)
    # The owner account to create once the schema exists (password already hashed).
    pending_owner = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = False  # provisioning clones the template schema in a task
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def ready(self) -> bool:
        """Usable: provisioned, and its owner's address proven."""
        return self.state == self.State.READY and self.owner_verified

    @property
    def owner_verified(self) -> bool:
        return self.owner_verified_at is not None or self.is_public

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    def save(self, *args, **kwargs):
        for field in ("branding", "settings", "features", "legal"):
            setattr(self, field, normalised(field, getattr(self, field)))
        super().save(*args, **kwargs)

    # Typed views of the JSON columns
    @property
    def branding_data(self) -> dict:
        return normalised("branding", self.branding)

    @property
    def settings_data(self) -> dict:
        return normalised("settings", self.settings)

    @property
    def app_name(self) -> str:
        return self.branding_data["app_name"] or self.name

    @property
    def custom_domain(self) -> str | None:
        """Seed 000 ``custom_domain``: the tenant's own host name, if it has one (see Domain)."""
        return self.domains.filter(is_custom=True).values_list("domain", flat=True).first()

    def host(self) -> str:
        domain = self.domains.filter(is_primary=True).values_list("domain", flat=True).first()
        return domain or f"{self.subdomain}.{settings.BASE_DOMAIN}"


class Domain(DomainMixin):
    """A host name that routes to a tenant: ``<subdomain>.BASE_DOMAIN`` or a custom domain."""

    is_custom = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.domain


class Workspace(Tenant):
    """The tenant as its own admins see it in their admin (branding, sign-up policy, legal)."""

    class Meta:
        proxy = True
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")
