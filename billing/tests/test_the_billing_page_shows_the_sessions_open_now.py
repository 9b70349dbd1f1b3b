"""The billing page shows, beside each plan's session limit, how many of the workspace's concurrent
sessions (answers being written, docs/adr/0013) are open now: "N of M open", in English and
Slovenian. The count is the workspace's own: another workspace's open answers do not count."""

import uuid

import pytest

from billing.models import Plan, Subscription
from chat import admission


@pytest.fixture(autouse=True)
def own_windows(monkeypatch):
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")  # no per-minute limit in the way


def _plan_with_places(tenant, in_tenant, places: int) -> tuple[int, int]:
    with in_tenant(tenant):
        open_now = admission.sessions_open()
    plan = Plan.objects.create(code=f"s-{uuid.uuid4().hex[:12]}", name="Sessions", session_limit=open_now + places)
    Subscription.objects.update_or_create(tenant=tenant, defaults={"plan": plan, "status": "active"})
    return open_now, open_now + places


def _meter(html: str) -> str:
    start = html.index('data-meter="sessions"')
    return html[start : html.index("</div>", html.index("</div>", start) + 1)]


def test_it_shows_how_many_sessions_are_open_of_the_plans_limit(
    owner_client, member_client, outsider_client, owner, tenant_a, in_tenant, unlimited_sessions
):
    open_now, limit = _plan_with_places(tenant_a, in_tenant, 3)
    assert outsider_client.post("/chat/new/", {"content": "In workspace B"}).status_code == 302  # not A's
    for n in range(2):  # the answers stay pending: nothing generates them in this test
        assert owner_client.post("/chat/new/", {"content": f"Question {n}"}).status_code == 302
    meter = _meter(owner_client.get("/billing/").content.decode())
    assert f"{open_now + 2} of {limit} open" in meter
    assert "concurrent sessions (answers being written at once)" in meter
    assert member_client.get("/billing/").status_code == 403  # the page is the admins'
    assert outsider_client.get("/billing/").status_code == 403  # a member of B: not even B's


def test_it_says_so_in_slovenian_and_for_an_unlimited_plan(owner_client, owner, tenant_a, in_tenant):
    plan = Plan.objects.create(code=f"u-{uuid.uuid4().hex[:12]}", name="Unlimited", session_limit=None)
    Subscription.objects.update_or_create(tenant=tenant_a, defaults={"plan": plan, "status": "active"})
    assert owner_client.post("/chat/new/", {"content": "One question"}).status_code == 302
    with in_tenant(tenant_a):
        open_now = admission.sessions_open()
        type(owner).objects.filter(pk=owner.pk).update(language="sl")
    meter = _meter(owner_client.get("/billing/", HTTP_ACCEPT_LANGUAGE="sl").content.decode())
    assert f"odprtih: {open_now} (neomejeno)" in meter
    assert "Hkratne seje delovnega prostora" in meter
