import copy
import logging
import threading
import time
import uuid

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, schema_context

log = logging.getLogger(__name__)

# host name -> (version token, expiry, tenant): saves the domain lookup (a query and a search_path
# round trip) on every request. Valid while the token in the shared cache is unchanged; every save or
# delete of a Tenant or Domain replaces it. Unknown hosts are never cached (a new workspace's host
# works at once). The TTL bounds staleness if a change bypasses the model signals.
TENANT_CACHE_TTL = 10.0
_VERSION_KEY = "tenants:domain-version"
_tenants: dict[str, tuple[str, float, object]] = {}
_lock = threading.Lock()


def _version(*, create: bool = True) -> str | None:
    with schema_context(get_public_schema_name()):  # the cache's key function prefixes the schema
        try:
            version = cache.get(_VERSION_KEY)
            if version is None and create:
                cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(_VERSION_KEY)
            return version
        except Exception:  # noqa: BLE001 - no cache server: look the domain up every time
            log.warning("tenant cache unavailable; looking domains up in the database", exc_info=True)
            return None


def tenant_cache_changed(**_kwargs) -> None:
    """A tenant or domain changed: every process looks host names up again."""
    with _lock:
        _tenants.clear()
    with schema_context(get_public_schema_name()):
        try:
            cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:  # noqa: BLE001
            log.warning("tenant cache unavailable; other processes see the change within %ss", TENANT_CACHE_TTL)


def tenant_cache_clear() -> None:
    with _lock:
        _tenants.clear()


class TenantMiddleware(TenantMainMiddleware):
    """Route the request to its tenant's schema by host name; unknown hosts get 404."""

    def get_tenant(self, domain_model, hostname):
        version = _version()
        now = time.monotonic()
        hit = _tenants.get(hostname)
        if version is not None and hit is not None and hit[0] == version and hit[1] > now:
            return copy.copy(hit[2])
        tenant = super().get_tenant(domain_model, hostname)  # DoesNotExist for unknown hosts: not cached
        if version is not None:
            with _lock:
                _tenants[hostname] = (version, now + TENANT_CACHE_TTL, copy.copy(tenant))
        return tenant

    def no_tenant_found(self, request, hostname):
        raise Http404(f"No workspace at {hostname}")


class TenantStateMiddleware:
    """Suspended workspaces show a suspended page; workspaces still being built say so."""

    ALWAYS_ALLOWED = ("/healthz", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public and not request.path.startswith(self.ALWAYS_ALLOWED):
            if not tenant.is_active:
                return render(request, "tenants/suspended.html", {"tenant": tenant}, status=403)
            if not tenant.ready:
                return render(request, "tenants/not_ready.html", {"tenant": tenant}, status=503)
        return self.get_response(request)
