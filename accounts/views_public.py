"""Public-host side of Google sign-in: remember the workspace, run allauth's OAuth flow."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from tenants.models import Tenant

from .adapters import SESSION_OAUTH_TARGET


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
