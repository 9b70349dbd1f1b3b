"""``sync_stripe_plans``: Stripe products and prices for our plans (idempotent).

A product per paid plan (created once, then its name and description kept in step); a recurring
price for the plan's amount, currency and interval. Stripe prices cannot change their amount: when
ours differs, a new price is created and the old one archived (``active=false``); subscribers on
the old price stay on it (their plan is found through the product). A plan with an overage price
gets a Billing Meter and a metered price on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from .. import stripe_api
from ..models import Plan
from .subscriptions import _get


@dataclass
class SyncReport:
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    archived: int = 0


def _meter_id(client) -> str:
    name = settings.BILLING_METER_EVENT_NAME
    for meter in client.v1.billing.meters.list(params={"limit": 100}).data:
        if meter["event_name"] == name:
            return meter["id"]
    meter = client.v1.billing.meters.create(
        params={
            "display_name": "Chorus questions past the quota",
            "event_name": name,
            "default_aggregation": {"formula": "sum"},
            "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
            "value_settings": {"event_payload_key": "value"},
        }
    )
    return meter["id"]


def _price_matches(price, *, amount: int | None, currency: str, interval: str, metered: bool = False) -> bool:
    recurring = _get(price, "recurring", {})
    if not price["active"] or price["currency"] != currency or _get(recurring, "interval") != interval:
        return False
    if metered:
        unit = _get(price, "unit_amount_decimal") or _get(price, "unit_amount")
        return _get(recurring, "usage_type") == "metered" and str(unit) == str(amount)
    return price["unit_amount"] == amount


def plans_sync_to_stripe() -> SyncReport:
    """Create or update products and prices for every active paid plan; returns what it did."""
    client = stripe_api.client()
    report = SyncReport()
    meter_id = ""
    for plan in Plan.objects.filter(is_active=True).order_by("sort_order"):
        if plan.is_free:
            report.lines.append(f"{plan.code}: free, nothing to sync")
            continue
        product_params: Any = {
            "name": f"Chorus {plan.name}",
            "description": plan.description or plan.name,
            "metadata": {"plan": plan.code},
        }
        if plan.stripe_product_id:
            product = client.v1.products.update(plan.stripe_product_id, params={**product_params, "active": True})
            report.updated += 1
        else:
            product = client.v1.products.create(
                params=product_params, options={"idempotency_key": f"chorus-product-{plan.pk}"}
            )
            report.created += 1
        changes: dict = {"stripe_product_id": product["id"]}
        price_id = plan.stripe_price_id
        if price_id:
            price = client.v1.prices.retrieve(price_id)
            if not _price_matches(price, amount=plan.price_cents, currency=plan.currency, interval=plan.interval):
                if price["active"]:
                    client.v1.prices.update(price_id, params={"active": False})
                    report.archived += 1
                price_id = ""
        if not price_id:
            price = client.v1.prices.create(
                params={
                    "product": product["id"],
                    "currency": plan.currency,
                    "unit_amount": plan.price_cents,
                    "recurring": {"interval": plan.interval},
                    "metadata": {"plan": plan.code},
                },
                options={
                    "idempotency_key": f"chorus-price-{plan.pk}-{plan.price_cents}-{plan.currency}-{plan.interval}"
                },
            )
            price_id = price["id"]
            report.created += 1
            report.lines.append(
                f"{plan.code}: new price {price_id} ({plan.price_cents} {plan.currency}/{plan.interval})"
            )
        else:
            report.lines.append(f"{plan.code}: up to date ({price_id})")
        changes["stripe_price_id"] = price_id
        overage_id = plan.stripe_overage_price_id
        if plan.overage_price_cents is not None:
            meter_id = meter_id or _meter_id(client)
            changes["stripe_meter_id"] = meter_id
            if overage_id:
                price = client.v1.prices.retrieve(overage_id)
                if not _price_matches(
                    price, amount=plan.overage_price_cents, currency=plan.currency, interval=plan.interval, metered=True
                ):
                    if price["active"]:
                        client.v1.prices.update(overage_id, params={"active": False})
                        report.archived += 1
                    overage_id = ""
            if not overage_id:
                price = client.v1.prices.create(
                    params={
                        "product": product["id"],
                        "currency": plan.currency,
                        "unit_amount_decimal": Decimal(plan.overage_price_cents),
                        "recurring": {"interval": plan.interval, "usage_type": "metered", "meter": meter_id},
                        "metadata": {"plan": plan.code, "kind": "overage"},
                    },
                    options={"idempotency_key": f"chorus-overage-{plan.pk}-{plan.overage_price_cents}-{plan.currency}"},
                )
                overage_id = price["id"]
                report.created += 1
                report.lines.append(f"{plan.code}: new overage price {overage_id}")
        elif overage_id:
            client.v1.prices.update(overage_id, params={"active": False})
            report.archived += 1
            overage_id = ""
        changes["stripe_overage_price_id"] = overage_id
        with transaction.atomic():
            Plan.objects.filter(pk=plan.pk).update(**changes)
    return report
