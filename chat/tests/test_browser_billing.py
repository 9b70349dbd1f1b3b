"""In Chromium against uvicorn: the billing page shows usage and the chart, Upgrade goes to Stripe
Checkout (intercepted in the browser: nothing leaves 127.0.0.1), the 80 % banner shows, and at
100 % the composer says which limit was reached with the upgrade link.

The browser tenant's rows are committed (the server runs in other threads), so this test puts the
plans' Stripe ids and the counters back as they were."""

import re

import pytest
from django.db import connection

from billing import quotas
from billing.models import Plan, UsageCounter
from billing.tests.helpers import in_thread, set_used
from tenants.models import Tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _commit(fn, *args):
    """Writes the server threads must see: in a thread of their own (autocommit), not the test's transaction."""
    return in_thread(fn, *args)


@pytest.fixture
def billing_page(chat_live, browser_instance, fake_stripe, settings):
    from django.conf import settings as dj_settings

    from billing.services import plans_sync_to_stripe

    saved = {
        p.pk: (p.stripe_product_id, p.stripe_price_id, p.stripe_overage_price_id, p.stripe_meter_id)
        for p in Plan.objects.all()
    }
    tenant = chat_live.tenant
    _commit(plans_sync_to_stripe)
    context = browser_instance.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": dj_settings.SESSION_COOKIE_NAME, "value": chat_live.session, "domain": chat_live.host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    checkout_requests = []

    def stripe_hosted(route):  # Stripe's hosted pages: answered in the browser, never fetched
        checkout_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Stripe Checkout (test)</h1>")

    page.route(re.compile(r"^https://(checkout|billing)\.stripe\.com/.*"), stripe_hosted)
    try:
        yield page, chat_live, checkout_requests
    finally:
        context.close()

        def restore():
            UsageCounter.objects.filter(tenant_id=tenant.pk).delete()
            Tenant.objects.filter(pk=tenant.pk).update(stripe_customer_id="")
            for pk, (prod, price, over, meter) in saved.items():
                Plan.objects.filter(pk=pk).update(
                    stripe_product_id=prod, stripe_price_id=price, stripe_overage_price_id=over, stripe_meter_id=meter
                )

        _commit(restore)
        connection.set_schema_to_public()


def test_it_shows_usage_and_the_chart_and_upgrades_through_checkout(billing_page):
    page, live, checkout_requests = billing_page
    limits = quotas.limits_for(schema=live.tenant.schema_name)
    _commit(set_used, live.tenant, quotas.Kind.QUESTIONS, limits.period, 7)
    page.goto(f"{live.base_url}/billing/")
    assert page.locator("[data-current-plan]").get_attribute("data-current-plan") == "free"
    assert f"7 of {limits.question_limit}" in page.locator('[data-meter="questions"]').inner_text()
    page.wait_for_selector('#usage-chart[data-chart-ready="true"]')
    page.locator('[data-plan="pro"] form[data-action="checkout"] button').click()
    page.wait_for_url(re.compile(r"^https://checkout\.stripe\.com/c/pay/cs_test_"))
    assert page.locator("h1").inner_text() == "Stripe Checkout (test)"
    assert len(checkout_requests) == 1


def test_it_warns_at_80_percent_and_refuses_in_the_composer_at_100(billing_page):
    page, live, _requests = billing_page
    limits = quotas.limits_for(schema=live.tenant.schema_name)
    _commit(set_used, live.tenant, quotas.Kind.QUESTIONS, limits.period, quotas.warn_threshold(limits.question_limit))
    page.goto(f"{live.base_url}/chat/")
    assert page.locator('[data-billing-banner="warn"]').is_visible()
    _commit(set_used, live.tenant, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    page.goto(f"{live.base_url}/chat/")
    assert page.locator('[data-billing-banner="full"]').is_visible()
    page.fill("[data-composer] textarea[name=content]", "One more question")
    page.press("[data-composer] textarea[name=content]", "Enter")
    alert = page.locator('#composer-alert [data-quota-limit="questions"]')
    alert.wait_for()
    assert "questions for this billing period" in alert.inner_text()
    assert alert.locator("a[data-upgrade]").get_attribute("href") == "/billing/"
    assert page.locator("[data-composer] textarea[name=content]").input_value() == "One more question"
