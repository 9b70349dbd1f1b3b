from django.conf import settings

from accounts.policy import signup_open


def branding(request):
    """App name, logo, colours and legal links of the host's tenant, for every template."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {
            "brand": {
                "app_name": "Chorus",
                "logo_url": None,
                "primary_color": "#4f46e5",
                "accent_color": "#0ea5e9",
            },
            "legal": {},
            "is_public_host": True,
            "base_domain": settings.BASE_DOMAIN,
        }
    data = tenant.branding_data
    return {
        "brand": {**data, "app_name": data["app_name"] or tenant.name},
        "legal": tenant.legal or {},
        "is_public_host": False,
        "tenant": tenant,
        "base_domain": settings.BASE_DOMAIN,
        "google_login_url": _google_login_url(request, tenant) if settings.GOOGLE_ENABLED else None,
        "signup_open": signup_open(request),
    }


def _google_login_url(request, tenant) -> str:
    port = request.get_port()
    port = "" if port in ("80", "443") else f":{port}"
    scheme = "https" if request.is_secure() else "http"
    return f"{scheme}://{settings.BASE_DOMAIN}{port}/oauth/start/google/?workspace={tenant.subdomain}"
