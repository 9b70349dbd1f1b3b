import json
from decimal import Decimal

from billing import quotas
from billing.services import usage_record

from .helpers import set_used


def _usage(tenant, user, n=3):
    for i in range(n):
        usage_record(
            schema=tenant.schema_name,
            action_type="question",
            user_id=user.pk,
            user_email=user.email,
            tokens=100 + i,
            cost=Decimal("0.01"),
            provider="openai",
            strategy="single_provider",
            platform_key=i == 0,
            idempotency_key=f"test:{tenant.pk}:{user.pk}:{i}",
        )


def test_it_shows_the_plan_usage_against_each_limit_chart_costs_and_checkout_forms(
    owner_client, tenant_a, owner, member, synced_plans
):
    _usage(tenant_a, member)
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, 42)
    page = owner_client.get("/billing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-current-plan="free"' in html
    assert html.count('data-action="checkout"') == 2  # pro and enterprise
    assert 'data-meter="questions"' in html and f"42 of {limits.question_limit}" in html
    assert '<progress class="meter' in html
    assert 'id="usage-series"' in html and "chart.umd.min.js" in html
    series = json.loads(html.split('id="usage-series" type="application/json">')[1].split("</script>")[0])
    assert series["questions"][-1] == 3 and series["tokens"][-1] == 303
    assert 'data-costs="provider"' in html and "openai" in html
    assert 'data-costs="user"' in html and member.email in html
    assert "Platform keys" in html and "Own keys" in html


def test_it_lists_invoices_with_their_links(owner_client, subscribed):
    subscribed("pro")
    html = owner_client.get("/billing/").content.decode()
    assert 'data-current-plan="pro"' in html
    assert "https://invoice.stripe.com/i/in_" in html and "/pdf" in html
    assert 'data-action="portal"' in html


def test_it_exports_this_periods_usage_as_csv(owner_client, tenant_a, member):
    _usage(tenant_a, member, n=2)
    response = owner_client.get("/billing/usage.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("created_at,user_email,action_type,tokens")
    assert len(lines) == 3 and member.email in lines[1] and "platform" in lines[1] and "own" in lines[2]


def test_it_keeps_the_billing_page_and_export_from_people_who_are_not_admins(outsider_client, tenant_a, member):
    _usage(tenant_a, member)
    assert outsider_client.get("/billing/").status_code == 403  # a member of B, on B's host
    response = outsider_client.get("/billing/usage.csv")
    assert response.status_code == 403
    assert member.email.encode() not in response.content


def test_it_shows_a_member_their_own_usage_and_limits_in_preferences(member_client, tenant_a, member, owner):
    from billing.services import tier_assign, tier_save

    tier = tier_save(tenant=tenant_a, name="basic", monthly_questions=50)
    tier_assign(tenant=tenant_a, user_id=member.pk, user_email=member.email, tier=tier)
    from billing.services import quota_reserve

    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    quota_reserve(schema=tenant_a.schema_name, user_id=owner.pk)
    html = member_client.get("/accounts/preferences/").content.decode()
    assert "data-my-usage" in html and "basic" in html
    assert 'data-meter="user_questions"' in html and "1 of 50" in html


def test_it_speaks_slovenian(owner_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        type(owner).objects.filter(pk=owner.pk).update(language="sl")
    html = owner_client.get("/billing/", HTTP_ACCEPT_LANGUAGE="sl").content.decode()
    assert "Poraba v tem obdobju" in html and "Računi" in html
