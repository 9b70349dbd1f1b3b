"""Plans and subscriptions: the free start, operator assignment, Checkout and the portal, and
applying what Stripe reports (re-fetched, so the order of webhook events does not matter).

Billing is the one place that writes ``Tenant.features`` (tenants.schemas.Features).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import Tenant

from .. import quotas, stripe_api
from ..models import Invoice, Payment, Plan, Subscription, SubscriptionHistory

logger = logging.getLogger(__name__)

# Stripe's subscription statuses -> ours (seed 000: active, inactive, cancelled, past_due, trialing)
STATUS_FROM_STRIPE = {
    "active": Subscription.Status.ACTIVE,
    "trialing": Subscription.Status.TRIALING,
    "past_due": Subscription.Status.PAST_DUE,
    "unpaid": Subscription.Status.PAST_DUE,
    "canceled": Subscription.Status.CANCELLED,
    "incomplete": Subscription.Status.INACTIVE,
    "incomplete_expired": Subscription.Status.CANCELLED,
    "paused": Subscription.Status.INACTIVE,
}
LIVE = {Subscription.Status.ACTIVE, Subscription.Status.TRIALING, Subscription.Status.PAST_DUE}


class BillingUnavailable(Exception):
    """Stripe could not be reached or refused; ``str()`` is the sentence for the user."""


def free_plan() -> Plan:
    plan, _created = Plan.objects.get_or_create(code="free", defaults={"name": "Free"})
    return plan


def _features_for(plan: Plan) -> dict:
    flags = plan.features or {}
    return {
        "max_users": plan.max_users,
        "max_documents": plan.document_limit,
        "monthly_questions": plan.question_limit,
        "document_upload": bool(flags.get("document_upload", True)),
        "multi_model": bool(flags.get("multi_model", True)),
        "export": bool(flags.get("export", True)),
    }


def tenant_features_apply(*, tenant: Tenant, plan: Plan) -> None:
    """The plan's features and limits onto the tenant (its one writer)."""
    features = _features_for(plan)
    if tenant.features != features:
        Tenant.objects.filter(pk=tenant.pk).update(features=features, updated_at=timezone.now())
        tenant.features = features
        from tenants.middleware import tenant_cache_changed  # a queryset update sends no post_save

        transaction.on_commit(lambda: tenant_cache_changed(tenant=tenant))  # only this tenant's lookups


def _history(sub: Subscription, *, from_plan: str, from_status: str, source: str, event_id: str = "") -> None:
    if from_plan == sub.plan.code and from_status == sub.status:
        return
    SubscriptionHistory.objects.create(
        tenant_id=sub.tenant_id,
        subscription=sub,
        from_plan=from_plan,
        to_plan=sub.plan.code,
        from_status=from_status,
        to_status=sub.status,
        source=source,
        stripe_event_id=event_id,
    )


def subscription_start_free(tenant: Tenant) -> Subscription:
    """TENANT_SCHEMA_READY_HOOKS: a new workspace starts on the free plan (idempotent)."""
    return _start_free(tenant, source="workspace_created")


def subscription_start_for_restore(tenant: Tenant) -> Subscription:
    """TENANT_RESTORE_HOOKS: a workspace restored from a backup starts on the free plan (idempotent).

    Its backup holds its schema, not billing's public rows, and the source's Stripe customer and
    subscription stay the source's (a second workspace on them would be charged, and changed by
    webhooks, together with it): the restored workspace upgrades through Checkout like a new one.
    Its features and limits become the free plan's (the backup carried the source's)."""
    return _start_free(tenant, source="workspace_restored")


@transaction.atomic
def _start_free(tenant: Tenant, *, source: str) -> Subscription:
    plan = free_plan()
    sub, created = Subscription.objects.get_or_create(
        tenant_id=tenant.pk,
        defaults={"plan": plan, "status": Subscription.Status.ACTIVE, "question_limit": plan.question_limit},
    )
    if created:
        quotas.banner_changed(tenant.schema_name)
        _history(sub, from_plan="", from_status="", source=source)
        tenant_features_apply(tenant=tenant, plan=sub.plan)
    return sub


@transaction.atomic
def subscription_set_plan(*, tenant: Tenant, plan: Plan, source: str = "operator") -> Subscription:
    """An operator puts a workspace on a plan without Stripe (create_workspace --plan, the admin)."""
    sub = Subscription.objects.select_for_update().filter(tenant_id=tenant.pk).first()
    if sub is None:
        sub = subscription_start_free(tenant)
        sub = Subscription.objects.select_for_update().get(pk=sub.pk)
    from_plan, from_status = sub.plan.code, sub.status
    sub.plan = plan
    sub.status = Subscription.Status.ACTIVE
    sub.question_limit = plan.question_limit
    sub.save(update_fields=["plan", "status", "question_limit", "updated_at"])
    quotas.banner_changed(tenant.schema_name)
    _history(sub, from_plan=from_plan, from_status=from_status, source=source)
    tenant_features_apply(tenant=tenant, plan=plan)
    return sub


def subscription_set_plan_by_code(tenant: Tenant, code: str) -> Subscription:
    """TENANT_PLAN_HOOK (create_workspace --plan CODE); ValidationError for an unknown code."""
    plan_code_check(code)
    return subscription_set_plan(tenant=tenant, plan=Plan.objects.get(code=code))


# --- Stripe: customer, Checkout, portal -------------------------------------------------------
def _unavailable(exc: Exception) -> BillingUnavailable:
    logger.warning("Stripe call failed: %s", exc)
    return BillingUnavailable(
        _("The payment provider cannot be reached right now; nothing was changed. Please try again in a few minutes.")
    )


def customer_ensure(*, tenant: Tenant) -> str:
    """The tenant's Stripe customer, created once (an idempotency key makes a retried create the same one)."""
    tenant.refresh_from_db(fields=["stripe_customer_id"])
    if tenant.stripe_customer_id:
        return tenant.stripe_customer_id
    client = stripe_api.client()
    customer = client.v1.customers.create(
        params={"name": tenant.name, "metadata": {"tenant_id": str(tenant.pk), "schema": tenant.schema_name}},
        options={"idempotency_key": f"chorus-customer-{tenant.pk}"},
    )
    with transaction.atomic():
        Tenant.objects.filter(pk=tenant.pk, stripe_customer_id="").update(stripe_customer_id=customer.id)
        Subscription.objects.filter(tenant_id=tenant.pk).update(stripe_customer_id=customer.id)
    tenant.refresh_from_db(fields=["stripe_customer_id"])
    return tenant.stripe_customer_id


def checkout_start(*, tenant: Tenant, plan: Plan, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout session for ``plan``; returns its URL (the page redirects there).

    Raises BillingUnavailable when Stripe fails: no session exists, and the customer (if it was
    created) is the tenant's one customer, kept for the next attempt."""
    if not plan.is_active or plan.is_free or not plan.stripe_price_id:
        raise ValidationError(_("This plan cannot be bought online."))
    try:
        customer = customer_ensure(tenant=tenant)
        items: list[dict] = [{"price": plan.stripe_price_id, "quantity": 1}]
        if plan.stripe_overage_price_id:
            items.append({"price": plan.stripe_overage_price_id})  # metered: no quantity
        params: Any = {
            "mode": "subscription",
            "customer": customer,
            "line_items": items,
            "client_reference_id": str(tenant.pk),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": {"tenant_id": str(tenant.pk), "plan": plan.code},
            "subscription_data": {"metadata": {"tenant_id": str(tenant.pk), "plan": plan.code}},
        }
        sub = Subscription.objects.filter(tenant_id=tenant.pk).first()
        if plan.trial_days and not (sub and sub.history.filter(to_status=Subscription.Status.TRIALING).exists()):
            params["subscription_data"]["trial_period_days"] = plan.trial_days
        session = stripe_api.client().v1.checkout.sessions.create(params=params)
    except stripe_api.StripeError as exc:
        raise _unavailable(exc) from exc
    return session.url or ""


def portal_start(*, tenant: Tenant, return_url: str) -> str:
    try:
        customer = customer_ensure(tenant=tenant)
        session = stripe_api.client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url}
        )
    except stripe_api.StripeError as exc:
        raise _unavailable(exc) from exc
    return session.url or ""


# --- Applying Stripe's state ---------------------------------------------------------------------
def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _get(obj, key, default=None):
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _price_ids(stripe_sub) -> tuple[list[str], list[str]]:
    prices, products = [], []
    for item in _get(_get(stripe_sub, "items", {}), "data", []) or []:
        price = _get(item, "price", {})
        if isinstance(price, str):
            prices.append(price)
        else:
            prices.append(_get(price, "id", ""))
            product = _get(price, "product", "")
            products.append(product if isinstance(product, str) else _get(product, "id", ""))
    return prices, products


def _plan_for(stripe_sub) -> Plan | None:
    prices, products = _price_ids(stripe_sub)
    plan = Plan.objects.filter(stripe_price_id__in=[p for p in prices if p]).first()
    if plan is None and prices:
        plan = Plan.objects.filter(stripe_overage_price_id__in=[p for p in prices if p]).first()
    if plan is None and products:  # an archived (replaced) price: its product still names the plan
        plan = Plan.objects.filter(stripe_product_id__in=[p for p in products if p]).first()
    return plan


def _period(stripe_sub) -> tuple[datetime | None, datetime | None]:
    items = _get(_get(stripe_sub, "items", {}), "data", []) or []
    first = items[0] if items else {}
    start = _get(first, "current_period_start") or _get(stripe_sub, "current_period_start")
    end = _get(first, "current_period_end") or _get(stripe_sub, "current_period_end")
    return _ts(start), _ts(end)


def tenant_for_customer(customer_id: str) -> Tenant | None:
    if not customer_id:
        return None
    return Tenant.objects.filter(stripe_customer_id=customer_id).exclude(schema_name="public").first()


@transaction.atomic
def subscription_apply(*, stripe_sub, source: str, event_id: str = "") -> Subscription | None:
    """Make the tenant's subscription what Stripe says ``stripe_sub`` is now (idempotent)."""
    tenant = tenant_for_customer(_get(stripe_sub, "customer", ""))
    if tenant is None:
        return None
    subscription_start_free(tenant)
    sub = Subscription.objects.select_for_update().select_related("plan").get(tenant_id=tenant.pk)
    status = STATUS_FROM_STRIPE.get(_get(stripe_sub, "status", ""), Subscription.Status.INACTIVE)
    stripe_id = _get(stripe_sub, "id", "")
    if sub.stripe_subscription_id and sub.stripe_subscription_id != stripe_id and status not in LIVE:
        if sub.status in LIVE:  # an old subscription ending does not end the current one
            return sub
    from_plan, from_status = sub.plan.code, sub.status
    plan = _plan_for(stripe_sub) or sub.plan
    now = timezone.now()
    if status == Subscription.Status.CANCELLED:
        plan = free_plan()
        sub.cancelled_at = _ts(_get(stripe_sub, "canceled_at")) or sub.cancelled_at or now
    else:
        sub.cancelled_at = None
    if status == Subscription.Status.PAST_DUE:
        sub.past_due_since = sub.past_due_since or now
    else:
        sub.past_due_since = None
    sub.plan = plan
    sub.status = status
    sub.stripe_subscription_id = stripe_id
    sub.stripe_customer_id = _get(stripe_sub, "customer", "")
    sub.question_limit = plan.question_limit
    sub.current_period_start, sub.current_period_end = _period(stripe_sub)
    if status == Subscription.Status.CANCELLED:
        sub.current_period_start = sub.current_period_end = None  # free: calendar months from now on
    sub.cancel_at_period_end = bool(_get(stripe_sub, "cancel_at_period_end", False))
    sub.trial_end = _ts(_get(stripe_sub, "trial_end"))
    sub.synced_at = now
    sub.full_clean(exclude=["tenant", "plan"])
    sub.save()
    quotas.banner_changed(tenant.schema_name)
    _history(sub, from_plan=from_plan, from_status=from_status, source=source, event_id=event_id)
    tenant_features_apply(tenant=tenant, plan=plan)
    return sub


def subscription_sync(*, stripe_subscription_id: str, source: str, event_id: str = "") -> Subscription | None:
    """Re-fetch a subscription from Stripe (outside any transaction) and apply it."""
    stripe_sub = stripe_api.client().v1.subscriptions.retrieve(stripe_subscription_id)
    return subscription_apply(stripe_sub=stripe_sub, source=source, event_id=event_id)


def _invoice_subscription(invoice) -> str:
    parent = _get(invoice, "parent", {})
    details = _get(parent, "subscription_details", {})
    sub = _get(details, "subscription", "") or _get(invoice, "subscription", "")
    return sub if isinstance(sub, str) else _get(sub, "id", "")


@transaction.atomic
def invoice_apply(*, invoice, failed_attempt: bool = False) -> Invoice | None:
    tenant = tenant_for_customer(_get(invoice, "customer", ""))
    if tenant is None:
        return None
    row, _created = Invoice.objects.update_or_create(
        stripe_invoice_id=_get(invoice, "id"),
        defaults={
            "tenant": tenant,
            "stripe_subscription_id": _invoice_subscription(invoice),
            "number": _get(invoice, "number", "") or "",
            "status": _get(invoice, "status", "") or "",
            "amount_due": int(_get(invoice, "amount_due", 0)),
            "amount_paid": int(_get(invoice, "amount_paid", 0)),
            "currency": _get(invoice, "currency", "eur"),
            "hosted_invoice_url": _get(invoice, "hosted_invoice_url", "") or "",
            "invoice_pdf": _get(invoice, "invoice_pdf", "") or "",
            "period_start": _ts(_get(invoice, "period_start")),
            "period_end": _ts(_get(invoice, "period_end")),
            "issued_at": _ts(_get(invoice, "created")),
        },
    )
    if row.status == "paid":
        Payment.objects.get_or_create(
            stripe_payment_id=row.stripe_invoice_id,
            status=Payment.Status.SUCCEEDED,
            defaults={"tenant": tenant, "invoice": row, "amount_cents": row.amount_paid, "currency": row.currency},
        )
    elif failed_attempt:
        Payment.objects.get_or_create(
            stripe_payment_id=f"{row.stripe_invoice_id}#{int(_get(invoice, 'attempt_count', 1))}",
            status=Payment.Status.FAILED,
            defaults={"tenant": tenant, "invoice": row, "amount_cents": row.amount_due, "currency": row.currency},
        )
    return row


def invoice_sync(*, stripe_invoice_id: str, failed_attempt: bool = False, event_id: str = "") -> Invoice | None:
    invoice = stripe_api.client().v1.invoices.retrieve(stripe_invoice_id)
    row = invoice_apply(invoice=invoice, failed_attempt=failed_attempt)
    sub_id = _invoice_subscription(invoice)
    if row is not None and sub_id:  # a payment changes the subscription's status too
        subscription_sync(stripe_subscription_id=sub_id, source="webhook", event_id=event_id)
    return row


def reconcile_tenant(*, tenant: Tenant) -> Subscription | None:
    """Nightly: the tenant's subscription and recent invoices as Stripe has them now."""
    if not tenant.stripe_customer_id:
        return None
    client = stripe_api.client()
    subs = client.v1.subscriptions.list(params={"customer": tenant.stripe_customer_id, "status": "all", "limit": 10})
    data = list(subs.data)
    live = [s for s in data if STATUS_FROM_STRIPE.get(s["status"]) in LIVE]
    chosen = live[0] if live else (data[0] if data else None)
    result = None
    if chosen is not None:
        result = subscription_apply(stripe_sub=chosen, source="reconcile")
    for invoice in client.v1.invoices.list(params={"customer": tenant.stripe_customer_id, "limit": 10}).data:
        invoice_apply(invoice=invoice)
    return result


def reconcile_all() -> dict[str, int]:
    counts = {"checked": 0, "failed": 0}
    for tenant in Tenant.objects.exclude(stripe_customer_id="").exclude(schema_name="public"):
        counts["checked"] += 1
        try:
            reconcile_tenant(tenant=tenant)
        except stripe_api.StripeError:
            counts["failed"] += 1
            logger.exception("reconcile of %s failed", tenant.schema_name)
    return counts


def plan_code_check(code: str) -> None:
    """ValidationError for a plan code that does not exist (create_workspace checks before creating)."""
    if not Plan.objects.filter(code=code).exists():
        known = ", ".join(Plan.objects.order_by("sort_order").values_list("code", flat=True))
        raise ValidationError(_("Unknown plan “%(code)s” (known: %(known)s).") % {"code": code, "known": known})


subscription_set_plan_by_code.check = plan_code_check  # type: ignore[attr-defined]


def checkout_return(*, tenant: Tenant, session_id: str) -> Subscription | None:
    """Back from Checkout: apply the new subscription at once (the webhook may come later; both are
    the same re-fetch, so whichever is second changes nothing). Only the tenant's own session counts."""
    tenant.refresh_from_db(fields=["stripe_customer_id"])
    if not session_id or not tenant.stripe_customer_id:
        return None
    try:
        session = stripe_api.client().v1.checkout.sessions.retrieve(session_id)
    except stripe_api.StripeError:
        return None
    if _get(session, "customer") != tenant.stripe_customer_id or not _get(session, "subscription"):
        return None
    sub_id = _get(session, "subscription")
    sub_id = sub_id if isinstance(sub_id, str) else _get(sub_id, "id", "")
    try:
        return subscription_sync(stripe_subscription_id=sub_id, source="checkout")
    except stripe_api.StripeError:
        return None


def subscriptions_cancel_for_deletion(tenant: Tenant) -> int:
    """The workspace is being deleted (tenants' delete_workspace, TENANT_DELETE_HOOKS): cancel at once
    every live Stripe subscription of its customer. Safe to run again (cancelled ones are skipped);
    a Stripe failure raises, and the deletion stops before anything is dropped."""
    if not tenant.stripe_customer_id or not stripe_api.configured():
        return 0
    client = stripe_api.client()
    subs = client.v1.subscriptions.list(params={"customer": tenant.stripe_customer_id, "status": "all", "limit": 100})
    cancelled = 0
    for sub in subs.data:
        if sub["status"] != "canceled":
            client.v1.subscriptions.cancel(sub["id"], options={"idempotency_key": f"chorus-delete-{sub['id']}"})
            cancelled += 1
    return cancelled
