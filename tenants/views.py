from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import WorkspaceSignupForm
from .models import Tenant
from .services import tenant_create, tenant_provision_retry, tenant_url


@require_GET
def landing(request):
    return render(request, "tenants/landing.html", {"form": WorkspaceSignupForm()})


@require_http_methods(["GET", "POST"])
def signup(request):
    form = WorkspaceSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_create(**form.cleaned_data, language=(get_language() or "en")[:2])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("tenants:progress", tenant_id=tenant.pk)
    return render(request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200)


def _status(request, tenant: Tenant) -> dict:
    return {
        "state": tenant.state,
        "label": str(tenant.State(tenant.state).label),
        "ready": tenant.ready,
        "login_url": tenant_url(tenant, "/accounts/login/", request) if tenant.ready else None,
        "error": bool(tenant.provisioning_error),
    }


@require_GET
def progress(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False)
    status = _status(request, tenant)
    if request.htmx and tenant.ready:
        response = render(request, "tenants/_progress.html", {"tenant": tenant, "status": status})
        response["HX-Redirect"] = status["login_url"]
        return response
    template = "tenants/_progress.html" if request.htmx else "tenants/progress.html"
    return render(request, template, {"tenant": tenant, "status": status})


@require_GET
def status(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False)
    return JsonResponse(_status(request, tenant))


@require_POST
def retry(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id, subdomain__isnull=False, state=Tenant.State.FAILED)
    tenant_provision_retry(tenant=tenant)
    return redirect("tenants:progress", tenant_id=tenant.pk)
