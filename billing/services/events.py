"""Stripe webhook events: stored first (unique event id), processed in a task, at most once each.

Handlers never trust the event's copy of an object: they re-fetch the subscription (or invoice)
from Stripe and apply what it is now, so duplicates, retries and any delivery order end in
Stripe's state. Work for one customer is serialised by a PostgreSQL advisory lock held across
fetch and apply (no transaction is open during the network call).
"""

from __future__ import annotations

import logging
import traceback
from contextlib import contextmanager
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.tasks import enqueue

from ..models import StripeEvent
from . import subscriptions

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "customer.subscription.pending_update_applied",
    "customer.subscription.pending_update_expired",
}
INVOICE_EVENTS = {
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "invoice.updated",
    "invoice.voided",
    "invoice.marked_uncollectible",
}
CHECKOUT_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
MAX_ATTEMPTS = 8


def _obj(event) -> dict:
    data = event.get("data") or {}
    return data.get("object") or {}


def stripe_event_receive(event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event (a duplicate id stores nothing) and enqueue its processing on commit."""
    obj = _obj(event)
    customer = obj.get("customer") or ""
    created = event.get("created")
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event["id"],
                type=str(event.get("type") or "")[:100],
                object_id=str(obj.get("id") or "")[:255],
                customer_id=(customer if isinstance(customer, str) else customer.get("id", ""))[:255],
                stripe_created=datetime.fromtimestamp(int(created), tz=UTC) if created else None,
                livemode=bool(event.get("livemode")),
                payload=event,
            )
            from ..tasks import process_stripe_event

            enqueue(process_stripe_event, args=[row.pk], schema="public")
    except IntegrityError:  # the unique event id: a duplicate delivery does nothing
        return StripeEvent.objects.get(event_id=event["id"]), False
    return row, True


@contextmanager
def _customer_lock(customer_id: str):
    """Serialise fetch-and-apply for one customer across workers (session-level advisory lock)."""
    if not customer_id:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 42))", [f"billing:{customer_id}"])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 42))", [f"billing:{customer_id}"])


def _claim(event_pk: int, *, force: bool) -> StripeEvent | None:
    statuses = [StripeEvent.Status.PENDING, StripeEvent.Status.FAILED]
    if force:
        statuses += [StripeEvent.Status.PROCESSING]
    from django.db.models import F

    updated = StripeEvent.objects.filter(pk=event_pk, status__in=statuses).update(
        status=StripeEvent.Status.PROCESSING, attempts=F("attempts") + 1
    )
    return StripeEvent.objects.get(pk=event_pk) if updated else None


def _finish(row: StripeEvent, status: str, *, note: str = "", error: str = "", tenant=None) -> None:
    row.status = status
    row.note = note[:255]
    row.last_error = error
    row.processed_at = timezone.now() if status != StripeEvent.Status.FAILED else None
    if tenant is not None:
        row.tenant = tenant
    row.save(update_fields=["status", "note", "last_error", "processed_at", "tenant"])


def _handle(row: StripeEvent):
    """Apply one event; returns (status, note, tenant)."""
    obj = _obj(row.payload)
    customer = row.customer_id
    if row.type in SUBSCRIPTION_EVENTS or row.type in INVOICE_EVENTS or row.type in CHECKOUT_EVENTS:
        tenant = subscriptions.tenant_for_customer(customer)
        if tenant is None:
            return StripeEvent.Status.IGNORED, "no workspace has this Stripe customer", None
    else:
        return StripeEvent.Status.IGNORED, "event type not handled", None
    with _customer_lock(customer):
        if row.type in SUBSCRIPTION_EVENTS:
            subscriptions.subscription_sync(stripe_subscription_id=obj["id"], source="webhook", event_id=row.event_id)
        elif row.type in INVOICE_EVENTS:
            subscriptions.invoice_sync(
                stripe_invoice_id=obj["id"],
                failed_attempt=row.type == "invoice.payment_failed",
                event_id=row.event_id,
            )
        elif obj.get("subscription"):
            sub_id = obj["subscription"] if isinstance(obj["subscription"], str) else obj["subscription"]["id"]
            subscriptions.subscription_sync(stripe_subscription_id=sub_id, source="checkout", event_id=row.event_id)
    return StripeEvent.Status.PROCESSED, "", tenant


def stripe_event_process(*, event_pk: int, force: bool = False) -> str:
    """Process a stored event once; a failure is recorded (visible to operators) and re-raised so the
    task retries. Returns the event's status."""
    row = _claim(event_pk, force=force)
    if row is None:
        return StripeEvent.objects.filter(pk=event_pk).values_list("status", flat=True).first() or "missing"
    try:
        status, note, tenant = _handle(row)
    except Exception as exc:
        logger.warning("Stripe event %s (%s) failed, attempt %s: %s", row.event_id, row.type, row.attempts, exc)
        _finish(row, StripeEvent.Status.FAILED, error="".join(traceback.format_exception_only(exc)).strip()[:4000])
        raise
    _finish(row, status, note=note, tenant=tenant)
    return status


def stripe_event_rerun(*, event: StripeEvent) -> None:
    """Operators: process a failed (or stuck) event again, in a task."""
    from ..tasks import process_stripe_event

    StripeEvent.objects.filter(pk=event.pk).update(status=StripeEvent.Status.FAILED)
    enqueue(process_stripe_event, args=[event.pk], schema="public")


def stripe_events_retry_failed(*, stuck_after_minutes: int = 10) -> int:
    """Beat: re-enqueue failed events (under the attempt cap) and events stuck in processing."""
    from datetime import timedelta

    from django.db.models import Q

    from ..tasks import process_stripe_event

    stuck = timezone.now() - timedelta(minutes=stuck_after_minutes)
    rows = StripeEvent.objects.filter(
        Q(status=StripeEvent.Status.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(status=StripeEvent.Status.PROCESSING, received_at__lt=stuck)
        | Q(status=StripeEvent.Status.PENDING, received_at__lt=stuck)
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in rows:
        enqueue(process_stripe_event, args=[pk], kwargs={"force": True}, schema="public")
        count += 1
    return count
