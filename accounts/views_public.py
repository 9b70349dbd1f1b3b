"""Public-host side of Google sign-in: remember the workspace, run allauth's OAuth flow."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from tenants.models import Tenant
from tenants.services import tenant_url
from tenants.views import SESSION_OWNER_CONFIRMED

from .adapters import SESSION_OAUTH_TARGET
from .handoff import OWNER_CONFIRMED, Identity, make_token
from .middleware import PARENT_LANGUAGE_COOKIE


@require_GET
def oauth_start(request, provider: str):
    if provider != "google" or not settings.GOOGLE_ENABLED:
        raise Http404("unknown provider")
    tenant = Tenant.objects.filter(
        subdomain=request.GET.get("workspace", ""),
        is_active=True,
        state=Tenant.State.READY,
        owner_verified_at__isnull=False,  # an unconfirmed signup is not open yet
    ).first()
    if tenant is None:
        raise Http404("unknown workspace")
    request.session[SESSION_OAUTH_TARGET] = tenant.schema_name
    # allauth asks for confirmation with a CSRF-protected POST
    return redirect("/oauth/google/login/?process=login")


@require_GET
def owner_signin(request, tenant_id):
    """The owner followed the confirmation link in this browser (which proved the address) and
    the workspace is ready: hand them over to it signed in, with a signed single-use token (the
    Google hand-off's, ADR 0003), carrying the language chosen here. Used once per confirmation."""
    confirmed = request.session.get(SESSION_OWNER_CONFIRMED, {})
    email = confirmed.get(str(tenant_id))
    tenant = Tenant.objects.filter(
        pk=tenant_id, is_active=True, state=Tenant.State.READY, owner_verified_at__isnull=False
    ).first()
    if tenant is None or not email:
        raise Http404("nothing to sign in to")
    request.session[SESSION_OWNER_CONFIRMED] = {k: v for k, v in confirmed.items() if k != str(tenant_id)}
    identity = Identity(email=email, name="", provider=OWNER_CONFIRMED, uid="", language=(get_language() or "")[:2])
    token = make_token(identity=identity, schema_name=tenant.schema_name)
    return redirect(tenant_url(tenant, f"/accounts/handoff/?token={token}", request))


def parent_cookie_domain() -> str | None:
    """The domain a cookie shared by the public host and its workspace subdomains is set on:
    BASE_DOMAIN itself (``chorus.example`` covers ``acme.chorus.example``). Browsers refuse a
    Domain attribute of a single-label name, so for ``localhost`` none is set (host-only); a
    workspace then learns the language from the sign-in hand-off instead."""
    domain = settings.BASE_DOMAIN.split(":")[0]
    return domain if "." in domain else None


@require_POST
def set_language(request):
    """Django's language switch, which also leaves the choice on the parent domain for the
    workspace hosts (their own language cookie, or a signed-in user's language, still wins)."""
    response = django_set_language(request)
    code = request.POST.get("language")
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            PARENT_LANGUAGE_COOKIE,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            domain=parent_cookie_domain(),
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
