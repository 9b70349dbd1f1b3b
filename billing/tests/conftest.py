import pytest


@pytest.fixture
def synced_plans(fake_stripe, db):
    """Plans with Stripe products and prices (sync_stripe_plans against the fake)."""
    from billing.models import Plan
    from billing.services import plans_sync_to_stripe

    plans_sync_to_stripe()
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture
def webhook(public_client):
    """``webhook(fake, event)``: deliver ``event`` signed as Stripe would; returns the response."""

    def deliver(fake, event, **sign):
        payload, header = fake.signed(event, **sign)
        return public_client.post(
            "/billing/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )

    return deliver


@pytest.fixture
def run_events():
    """Process every stored, pending Stripe event (what the Celery task does), oldest first."""
    from billing.models import StripeEvent
    from billing.services import stripe_event_process

    def run():
        done = []
        for pk in (
            StripeEvent.objects.filter(status=StripeEvent.Status.PENDING).order_by("pk").values_list("pk", flat=True)
        ):
            done.append(stripe_event_process(event_pk=pk))
        return done

    return run


@pytest.fixture
def subscribed(fake_stripe, synced_plans, tenant_a):
    """Tenant A bought ``plan`` through Checkout; its webhooks delivered and processed. Returns the Stripe sub id."""
    from billing.services import checkout_start, stripe_event_process, stripe_event_receive

    def buy(plan_code="pro", tenant=tenant_a, *, trial_days=0):
        url = checkout_start(
            tenant=tenant, plan=synced_plans[plan_code], success_url="http://x/ok", cancel_url="http://x/no"
        )
        session_id = url.rsplit("/", 1)[-1]
        events = fake_stripe.complete_checkout(session_id, trial_days=trial_days)
        for event in events:
            row, _created = stripe_event_receive(event)
            stripe_event_process(event_pk=row.pk)
        return fake_stripe.objects["checkout.session"][session_id]["subscription"]

    return buy
