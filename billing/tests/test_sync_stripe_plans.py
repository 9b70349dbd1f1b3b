import pytest
from django.core.management import CommandError, call_command

from billing.models import Plan


def test_it_creates_products_and_prices_once(fake_stripe, db):
    call_command("sync_stripe_plans")
    pro = Plan.objects.get(code="pro")
    assert pro.stripe_product_id.startswith("prod_") and pro.stripe_price_id.startswith("price_")
    assert pro.stripe_overage_price_id and pro.stripe_meter_id
    counts = (len(fake_stripe.objects["product"]), len(fake_stripe.objects["price"]))
    call_command("sync_stripe_plans")
    assert (len(fake_stripe.objects["product"]), len(fake_stripe.objects["price"])) == counts
    assert Plan.objects.get(code="pro").stripe_price_id == pro.stripe_price_id
    assert Plan.objects.get(code="free").stripe_price_id == ""


def test_it_replaces_a_changed_price_and_archives_the_old_one(fake_stripe, db):
    call_command("sync_stripe_plans")
    old = Plan.objects.get(code="pro").stripe_price_id
    Plan.objects.filter(code="pro").update(price_cents=3900)
    call_command("sync_stripe_plans")
    new = Plan.objects.get(code="pro").stripe_price_id
    assert new != old
    assert fake_stripe.objects["price"][old]["active"] is False
    assert fake_stripe.objects["price"][new]["unit_amount"] == 3900


def test_it_keeps_subscribers_of_an_archived_price_on_their_plan(subscribed, fake_stripe, tenant_a):
    from billing.models import Subscription
    from billing.services import reconcile_tenant

    subscribed("pro")
    Plan.objects.filter(code="pro").update(price_cents=4900)
    call_command("sync_stripe_plans")
    tenant_a.refresh_from_db()
    reconcile_tenant(tenant=tenant_a)
    assert Subscription.objects.get(tenant=tenant_a).plan.code == "pro"


def test_it_fails_clearly_without_stripe(settings, db):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("sync_stripe_plans")
