from django.conf import settings
from django.db import connection
from django.http import HttpResponseNotFound
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware

from .selectors import tenant_for_hostname


class TenantMiddleware(TenantMainMiddleware):
    """Route the request to its tenant's schema by host name; unknown hosts get 404."""

    def get_tenant(self, domain_model, hostname):
        return tenant_for_hostname(hostname=hostname)  # memoised per process (tenants.selectors.TENANTS)

    def no_tenant_found(self, request, hostname):
        """A styled page that links to the public site (not to this host, which has nothing); the
        page's own stylesheet is served here too, so it is not a bare page (issue 11 §10)."""
        if request.path.startswith(settings.STATIC_URL):
            connection.set_schema_to_public()
            self.setup_url_routing(request=request, force_public=True)
            return None  # WhiteNoise serves the file (or the public site's 404)
        host = request.get_host()
        port = ":" + host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
        public_host = settings.BASE_DOMAIN + port
        scheme = "https" if request.is_secure() else "http"
        with translation.override(translation.get_language_from_request(request)):
            html = render_to_string(
                "tenants/unknown_host.html",
                {"hostname": hostname, "public_url": f"{scheme}://{public_host}/", "public_host": public_host},
            )
        return HttpResponseNotFound(html)


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


def tenant_cache_changed(tenant=None, **_kwargs) -> None:
    """Old name of tenants.services.tenant_cache_bump, kept for callers written before it (billing's
    subscription sync): new code calls the service, inside its transaction. With ``tenant`` only
    that tenant's lookups are read again."""
    from .services import tenant_cache_bump

    tenant_cache_bump(tenant)
