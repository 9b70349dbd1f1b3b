from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit

from .forms import WorkspaceSignupForm
from .models import Tenant
from .services import (
    owner_confirm_token_read,
    tenant_owner_confirm,
    tenant_owner_confirmation_resend,
    tenant_provision_retry,
    tenant_signup,
    tenant_url,
)


@require_GET
def landing(request):
    return render(request, "tenants/landing.html", {"form": WorkspaceSignupForm()})


def _throttled(request, retry_after: int, template: str = "tenants/signup_throttled.html"):
    response = render(request, template, {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def signup(request):
    form = WorkspaceSignupForm(request.POST or None)
    if request.method == "POST":
        verdict = ratelimit.hit(settings.WORKSPACE_SIGNUP_RATE_LIMIT, "workspace-signup", ratelimit.client_ip(request))
        if not verdict.allowed:
            return _throttled(request, verdict.retry_after)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_signup(**form.cleaned_data, language=(get_language() or "en")[:2], request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("tenants:progress", tenant_id=tenant.pk)
    return render(request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200)


# Public session: {tenant id: owner's address} for each workspace whose confirmation link this
# browser followed. That proved the address, so once the workspace is ready the owner is signed in
# on it through a single-use hand-off (accounts.views_public.owner_signin) instead of a login form.
SESSION_OWNER_CONFIRMED = "chorus_owner_confirmed"


def _login_url(request, tenant: Tenant) -> str:
    if str(tenant.pk) in request.session.get(SESSION_OWNER_CONFIRMED, {}):
        return reverse("owner_signin", args=[tenant.pk])
    return tenant_url(tenant, "/accounts/login/", request)


def _status(request, tenant: Tenant) -> dict:
    return {
        "state": tenant.state,
        "label": str(tenant.State(tenant.state).label),
        "ready": tenant.ready,
        "owner_verified": tenant.owner_verified,
        "login_url": _login_url(request, tenant) if tenant.ready else None,
        "error": bool(tenant.provisioning_error),
    }


@require_GET
def progress(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False)
    status = _status(request, tenant)
    context = {"tenant": tenant, "status": status, "purge_hours": settings.TENANT_UNVERIFIED_PURGE_HOURS}
    if request.htmx and tenant.ready:
        response = render(request, "tenants/_progress.html", context)
        response["HX-Redirect"] = status["login_url"]
        return response
    if tenant.ready and str(tenant.pk) in request.session.get(SESSION_OWNER_CONFIRMED, {}):
        return redirect(status["login_url"])  # confirmed in this browser: straight in
    template = "tenants/_progress.html" if request.htmx else "tenants/progress.html"
    return render(request, template, context)


@require_GET
def status(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False)
    return JsonResponse(_status(request, tenant))


@require_http_methods(["GET", "POST"])
def confirm_owner(request, tenant_id, token: str):
    """The link of the confirmation e-mail. GET shows a button (mail scanners open links too);
    the POST proves the owner's address and opens the workspace."""
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False)
    email = owner_confirm_token_read(token, tenant_id=tenant.pk)
    if email is None:
        raise Http404("invalid or expired confirmation link")
    if request.method == "POST":
        tenant_owner_confirm(tenant_id=tenant.pk, email=email)
        request.session[SESSION_OWNER_CONFIRMED] = {
            **request.session.get(SESSION_OWNER_CONFIRMED, {}),
            str(tenant.pk): email,
        }
        return redirect("tenants:progress", tenant_id=tenant.pk)
    return render(request, "tenants/confirm_owner.html", {"tenant": tenant, "email": email})


@require_POST
def resend_confirmation(request, tenant_id):
    """Send the owner's confirmation e-mail again (to the address given at signup, never another)."""
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False, owner_verified_at__isnull=True)
    for key in (("tenant", str(tenant.pk)), ("ip", ratelimit.client_ip(request))):
        verdict = ratelimit.hit(settings.WORKSPACE_CONFIRMATION_RESEND_RATE_LIMIT, "owner-confirm-resend", *key)
        if not verdict.allowed:
            return _throttled(request, verdict.retry_after, template="tenants/resend_throttled.html")
    if tenant_owner_confirmation_resend(tenant=tenant, request=request):
        messages.success(request, _("We sent the e-mail again."))
    return redirect("tenants:progress", tenant_id=tenant.pk)


@require_POST
def retry(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False, state=Tenant.State.FAILED)
    tenant_provision_retry(tenant=tenant)
    return redirect("tenants:progress", tenant_id=tenant.pk)
