from billing.models import Subscription
from tenants.models import Tenant


def test_it_redirects_an_admin_to_stripe_checkout_for_the_tenants_one_customer(
    owner_client, synced_plans, fake_stripe, tenant_a
):
    response = owner_client.post("/billing/checkout/", {"plan": "pro"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    customer = Tenant.objects.get(pk=tenant_a.pk).stripe_customer_id
    assert customer.startswith("cus_")
    owner_client.post("/billing/checkout/", {"plan": "enterprise"})
    assert Tenant.objects.get(pk=tenant_a.pk).stripe_customer_id == customer  # created once
    assert len(fake_stripe.objects["customer"]) == 1
    session = next(iter(fake_stripe.objects["checkout.session"].values()))
    assert session["customer"] == customer and session["mode"] == "subscription"
    assert session["line_items"][0]["price"] == synced_plans["pro"].stripe_price_id
    assert session["success_url"].startswith("http://tenant-a.localhost")


def test_it_says_stripe_is_unreachable_and_creates_nothing(owner_client, synced_plans, fake_stripe, tenant_a):
    fake_stripe.down = True
    response = owner_client.post("/billing/checkout/", {"plan": "pro"}, follow=True)
    assert response.status_code == 200
    assert "cannot be reached" in response.content.decode()
    assert fake_stripe.objects["checkout.session"] == {}
    assert Tenant.objects.get(pk=tenant_a.pk).stripe_customer_id == ""
    assert Subscription.objects.get(tenant=tenant_a).plan.code == "free"


def test_it_keeps_members_out(member_client, synced_plans, fake_stripe):
    assert member_client.post("/billing/checkout/", {"plan": "pro"}).status_code == 403
    assert member_client.get("/billing/").status_code == 403
    assert fake_stripe.requests == [] or all(r[1] != "/v1/checkout/sessions" for r in fake_stripe.requests)


def test_it_opens_the_customer_portal(owner_client, subscribed, fake_stripe):
    subscribed("pro")
    response = owner_client.post("/billing/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://billing.stripe.com/p/session/")
    assert fake_stripe.portal_sessions[-1]["return_url"].endswith("/billing/")


def test_it_says_billing_is_not_configured_without_a_secret_key(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = owner_client.get("/billing/").content.decode()
    assert "data-billing-not-configured" in page
    assert 'data-action="checkout"' not in page
    response = owner_client.post("/billing/checkout/", {"plan": "pro"}, follow=True)
    assert "not configured" in response.content.decode()


def test_it_applies_the_plan_on_the_return_from_checkout_before_any_webhook(
    owner_client, synced_plans, fake_stripe, tenant_a
):
    response = owner_client.post("/billing/checkout/", {"plan": "pro"})
    session_id = response["Location"].rsplit("/", 1)[-1]
    session = fake_stripe.objects["checkout.session"][session_id]
    assert session["success_url"].endswith("?checkout=success&session_id={CHECKOUT_SESSION_ID}")
    fake_stripe.complete_checkout(session_id)  # its events are never delivered
    page = owner_client.get(f"/billing/?checkout=success&session_id={session_id}").content.decode()
    assert 'data-current-plan="pro"' in page
    assert Subscription.objects.get(tenant=tenant_a).history.filter(source="checkout").exists()


def test_it_ignores_another_workspaces_checkout_session(
    owner_client, outsider_client, synced_plans, fake_stripe, tenant_a, tenant_b
):
    response = outsider_client.post("/billing/checkout/", {"plan": "pro"})  # B's member: refused, 403
    assert response.status_code == 403
    from billing.services import checkout_start

    url = checkout_start(tenant=tenant_b, plan=synced_plans["pro"], success_url="http://x/", cancel_url="http://x/")
    session_id = url.rsplit("/", 1)[-1]
    fake_stripe.complete_checkout(session_id)
    owner_client.get(f"/billing/?checkout=success&session_id={session_id}")
    assert Subscription.objects.get(tenant=tenant_a).plan.code == "free"
    assert Subscription.objects.get(tenant=tenant_b).plan.code == "free"  # B's own webhook will apply it
