"""Webhook events follow Stripe's state: duplicates do nothing, order does not matter, unknown types
are stored and acknowledged, an event changes only its own tenant, a failing handler is retried."""

import pytest

from billing.models import StripeEvent, Subscription, SubscriptionHistory
from billing.services import stripe_event_process


def _sub(tenant):
    return Subscription.objects.select_related("plan").get(tenant=tenant)


def test_it_upgrades_the_tenant_after_checkout(subscribed, tenant_a):
    sub_id = subscribed("pro")
    sub = _sub(tenant_a)
    assert (sub.plan.code, sub.status, sub.stripe_subscription_id) == ("pro", "active", sub_id)
    assert sub.current_period_end is not None
    tenant_a.refresh_from_db()
    assert tenant_a.features["monthly_questions"] == sub.plan.question_limit
    assert sub.history.filter(to_plan="pro", source="webhook").exists()


def test_it_applies_a_duplicate_event_once(
    subscribed, fake_stripe, tenant_a, webhook, run_events, django_capture_on_commit_callbacks
):
    sub_id = subscribed("pro")
    event = fake_stripe.subscription_update(sub_id, cancel_at_period_end=True)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        first = webhook(fake_stripe, event)
        second = webhook(fake_stripe, event)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert len(enqueued) == 1
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert run_events() == ["processed"]
    assert _sub(tenant_a).cancel_at_period_end is True


def test_it_ends_in_stripes_state_when_updated_arrives_before_created(
    fake_stripe, synced_plans, tenant_a, webhook, run_events
):
    from billing.services import checkout_start

    url = checkout_start(tenant=tenant_a, plan=synced_plans["pro"], success_url="http://x/", cancel_url="http://x/")
    created, completed, paid = fake_stripe.complete_checkout(url.rsplit("/", 1)[-1])
    updated = fake_stripe.subscription_update(created["data"]["object"]["id"], cancel_at_period_end=True)
    for event in (updated, paid, completed, created):
        assert webhook(fake_stripe, event).status_code == 200
    run_events()
    sub = _sub(tenant_a)
    assert (sub.plan.code, sub.status, sub.cancel_at_period_end) == ("pro", "trialing", True)  # pro: 14-day trial


def test_it_ignores_a_stale_active_update_after_the_cancellation(
    subscribed, fake_stripe, tenant_a, webhook, run_events
):
    sub_id = subscribed("pro")
    stale_active = fake_stripe.subscription_update(sub_id, status="active")
    deleted = fake_stripe.cancel_now(sub_id)
    webhook(fake_stripe, deleted)
    webhook(fake_stripe, stale_active)  # delivered late, says "active"
    run_events()
    sub = _sub(tenant_a)
    assert (sub.status, sub.plan.code) == ("cancelled", "free")
    tenant_a.refresh_from_db()
    assert tenant_a.features["monthly_questions"] == sub.plan.question_limit


def test_it_stores_and_acknowledges_an_unknown_type(fake_stripe, webhook, run_events, tenant_a):
    before = _sub(tenant_a).updated_at
    event = fake_stripe.event(
        "radar.early_fraud_warning.created", {"id": "issfr_1", "object": "radar.early_fraud_warning"}
    )
    assert webhook(fake_stripe, event).status_code == 200
    assert run_events() == ["ignored"]
    assert StripeEvent.objects.get(event_id=event["id"]).note == "event type not handled"
    assert _sub(tenant_a).updated_at == before


def test_it_changes_only_the_tenant_of_the_events_customer(
    subscribed, fake_stripe, tenant_a, tenant_b, webhook, run_events
):
    subscribed("pro", tenant=tenant_b)
    before_a = (
        _sub(tenant_a).plan.code,
        _sub(tenant_a).status,
        SubscriptionHistory.objects.filter(tenant=tenant_a).count(),
    )
    sub_b = _sub(tenant_b).stripe_subscription_id
    webhook(fake_stripe, fake_stripe.cancel_now(sub_b))
    run_events()
    assert _sub(tenant_b).status == "cancelled"
    assert (
        _sub(tenant_a).plan.code,
        _sub(tenant_a).status,
        SubscriptionHistory.objects.filter(tenant=tenant_a).count(),
    ) == before_a


def test_it_ignores_an_event_for_a_customer_no_workspace_has(fake_stripe, webhook, run_events):
    event = fake_stripe.event(
        "customer.subscription.updated", {"id": "sub_nobody", "object": "subscription", "customer": "cus_nobody"}
    )
    assert webhook(fake_stripe, event).status_code == 200
    assert run_events() == ["ignored"]


def test_it_records_a_failure_when_stripe_is_down_and_succeeds_on_retry(subscribed, fake_stripe, tenant_a, webhook):
    sub_id = subscribed("pro")
    event = fake_stripe.subscription_update(sub_id, cancel_at_period_end=True)
    webhook(fake_stripe, event)
    row = StripeEvent.objects.get(event_id=event["id"])
    fake_stripe.down = True
    with pytest.raises(Exception):
        stripe_event_process(event_pk=row.pk)
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 1 and "unavailable" in row.last_error
    assert _sub(tenant_a).cancel_at_period_end is False
    fake_stripe.down = False
    assert stripe_event_process(event_pk=row.pk) == "processed"  # the task's retry
    row.refresh_from_db()
    assert row.attempts == 2
    assert _sub(tenant_a).cancel_at_period_end is True


def test_it_marks_past_due_on_a_failed_payment_and_records_the_payment(
    subscribed, fake_stripe, tenant_a, webhook, run_events
):
    from billing.models import Invoice, Payment

    sub_id = subscribed("pro")
    for event in fake_stripe.fail_payment(sub_id):
        webhook(fake_stripe, event)
    run_events()
    sub = _sub(tenant_a)
    assert sub.status == "past_due" and sub.past_due_since is not None
    assert Payment.objects.filter(tenant=tenant_a, status="failed").count() == 1
    assert Payment.objects.filter(tenant=tenant_a, status="succeeded").count() == 1
    assert Invoice.objects.filter(tenant=tenant_a).count() == 2
    for event in fake_stripe.renew(sub_id):
        webhook(fake_stripe, event)
    run_events()
    sub = _sub(tenant_a)
    assert sub.status == "active" and sub.past_due_since is None
