"""Billing pages on the tenant host (tenant admins) and the Stripe webhook on the public host."""

from __future__ import annotations

import csv
import json
import logging

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.audit.services import audit_record
from tenants.services import tenant_url

from . import quotas, selectors, services, stripe_api
from .forms import CheckoutForm, TierAssignForm, TierForm
from .models import Plan, UsageTier
from .services.reports import overage_so_far

logger = logging.getLogger(__name__)


def _admin_only(request) -> None:
    if not getattr(request.user, "is_tenant_admin", False):
        raise PermissionDenied(_("Only the workspace's admins can see its billing."))


@login_required
@require_GET
def billing_page(request):
    _admin_only(request)
    tenant = request.tenant
    if request.GET.get("checkout") == "success" and request.GET.get("session_id") and stripe_api.configured():
        _checkout_return(request, tenant)
    limits = quotas.limits_for(schema=tenant.schema_name)
    sub = selectors.subscription_of(tenant)
    meters = selectors.meters_for(limits=limits, sessions_open=selectors.sessions_counter())
    questions_used = next(m.used for m in meters if m.kind == quotas.Kind.QUESTIONS)
    overage, overage_cost = overage_so_far(tenant=tenant, limits=limits, used=questions_used) if sub else (0, 0)
    context = {
        "configured": stripe_api.configured(),
        "limits": limits,
        "subscription": sub,
        "meters": meters,
        "plans": selectors.plans_on_sale(),
        "invoices": selectors.invoices_of(tenant),
        "costs": selectors.cost_breakdown(tenant_id=limits.tenant_id, start=limits.period.start, end=limits.period.end),
        "series": selectors.usage_series(tenant_id=limits.tenant_id),
        "tiers": selectors.tiers_of(tenant),
        "users": get_user_model().objects.filter(is_active=True).order_by("email").only("id", "email", "name"),
        "tier_form": TierForm(),
        "overage": overage,
        "overage_cost": overage_cost,
        "checkout": request.GET.get("checkout", ""),
    }
    return render(request, "billing/billing.html", context)


def _plan_state(tenant) -> dict:
    sub = selectors.subscription_of(tenant)
    return {"plan": sub.plan.code, "status": sub.status} if sub is not None else {"plan": "", "status": ""}


def _checkout_return(request, tenant) -> None:
    """Back from Checkout: the new subscription applies at once; a plan or status it changed is
    audited as the admin's change (ADR 0011), with before and after."""
    before = _plan_state(tenant)
    sub = services.checkout_return(tenant=tenant, session_id=request.GET["session_id"])
    after = _plan_state(tenant)
    if sub is not None and after != before:
        changes = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
        audit_record(request=request, action="change", obj=sub, action_name="plan_change", changes=changes)


@login_required
@require_POST
def checkout(request):
    _admin_only(request)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    if not stripe_api.configured():
        flash.error(request, _("Billing is not configured on this server."))
        return redirect("billing:page")
    plan = Plan.objects.filter(code=form.cleaned_data["plan"], is_active=True).first()
    if plan is None:
        raise Http404
    page = tenant_url(request.tenant, reverse("billing:page"), request)
    try:
        url = services.checkout_start(
            tenant=request.tenant,
            plan=plan,
            success_url=f"{page}?checkout=success&session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{page}?checkout=cancelled",
        )
    except services.BillingUnavailable as exc:
        flash.error(request, str(exc))
        return redirect("billing:page")
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect("billing:page")
    audit_record(request=request, action="action", action_name="plan_checkout", obj=plan, changes={"plan": plan.code})
    return redirect(url)


@login_required
@require_POST
def portal(request):
    _admin_only(request)
    if not stripe_api.configured():
        flash.error(request, _("Billing is not configured on this server."))
        return redirect("billing:page")
    try:
        url = services.portal_start(
            tenant=request.tenant, return_url=tenant_url(request.tenant, reverse("billing:page"), request)
        )
    except services.BillingUnavailable as exc:
        flash.error(request, str(exc))
        return redirect("billing:page")
    return redirect(url)


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def usage_csv(request):
    _admin_only(request)
    limits = quotas.limits_for(schema=request.tenant.schema_name)
    rows = selectors.usage_rows_for_export(tenant_id=limits.tenant_id, start=limits.period.start, end=limits.period.end)
    writer = csv.writer(_Echo())
    header = ["created_at", "user_email", "action_type", "tokens", "cost_estimate", "provider", "strategy", "key"]

    def lines():
        yield writer.writerow(header)
        for created, email, action, tokens, cost, provider, strategy, platform in rows:
            key = "platform" if platform else "own"
            yield writer.writerow([created.isoformat(), email, action, tokens, cost, provider, strategy, key])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="usage-{request.tenant.subdomain}-{stamp}.csv"'
    return response


def _tier(request, tier_id) -> UsageTier:
    tier = UsageTier.objects.filter(pk=tier_id, tenant_id=request.tenant.pk).first()
    if tier is None:
        raise Http404
    return tier


@login_required
@require_POST
def tier_create(request):
    _admin_only(request)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the tier and its audit entry (ADR 0011) together
                tier = services.tier_save(tenant=request.tenant, **form.cleaned_data)
                audit_record(
                    request=request,
                    action="add",
                    obj=tier,
                    changes={k: {"before": None, "after": v} for k, v in form.cleaned_data.items()},
                )
            flash.success(request, _("Tier saved."))
        except ValidationError as exc:
            flash.error(request, " ".join(exc.messages))
    else:
        flash.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("billing:page") + "#tiers")


@login_required
@require_POST
def tier_delete(request, tier_id):
    _admin_only(request)
    tier = _tier(request, tier_id)
    with transaction.atomic():
        before = {
            "name": tier.name,
            "monthly_questions": tier.monthly_questions,
            "monthly_tokens": tier.monthly_tokens,
            "is_default": tier.is_default,
        }
        audit_record(
            request=request,
            action="delete",
            obj=tier,
            changes={k: {"before": v, "after": None} for k, v in before.items()},
        )
        services.tier_delete(tenant=request.tenant, tier=tier)
    flash.success(request, _("Tier deleted."))
    return redirect(reverse("billing:page") + "#tiers")


@login_required
@require_POST
def tier_assign(request):
    _admin_only(request)
    form = TierAssignForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    user = get_user_model().objects.filter(pk=form.cleaned_data["user"]).first()
    if user is None:
        raise Http404
    tier = _tier(request, form.cleaned_data["tier"]) if form.cleaned_data["tier"] else None
    with transaction.atomic():
        before = selectors.tier_of_user(tenant=request.tenant, user_id=user.pk)
        services.tier_assign(tenant=request.tenant, user_id=user.pk, user_email=user.email, tier=tier)
        after = tier.name if tier is not None else ""
        if before != after:
            audit_record(
                request=request,
                action="change",
                obj=user,
                action_name="tier_assign",
                changes={"usage tier": {"before": before, "after": after}},
            )
    flash.success(request, _("Tier assigned."))
    return redirect(reverse("billing:page") + "#tiers")


# --- Public host ------------------------------------------------------------------------------
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """CONTRACT: 2xx to every verified event (duplicates and unknown types too), 400 otherwise."""
    if not settings_ready():
        return HttpResponse(status=400)
    try:
        stripe_api.construct_event(request.body, request.headers.get("Stripe-Signature"))
        payload = json.loads(request.body)  # the verified bytes, as plain JSON for the event row
    except (ValueError, stripe_api.stripe.SignatureVerificationError) as exc:
        logger.info("Stripe webhook refused: %s", type(exc).__name__)
        return HttpResponse(status=400)
    if not isinstance(payload, dict) or not payload.get("id"):
        return HttpResponse(status=400)
    _row, created = services.stripe_event_receive(payload)
    return JsonResponse({"received": True, "duplicate": not created})


def settings_ready() -> bool:
    from django.conf import settings

    return bool(settings.STRIPE_WEBHOOK_SECRET)
