from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .middleware import tenant_cache_changed
        from .models import Domain, Tenant

        for model in (Tenant, Domain):
            post_save.connect(tenant_cache_changed, sender=model, dispatch_uid=f"tenant-cache-{model.__name__}")
            post_delete.connect(tenant_cache_changed, sender=model, dispatch_uid=f"tenant-cache-d-{model.__name__}")
