"""The plan's concurrent sessions (docs/adr/0013): a workspace writes at most ``session_limit``
answers at once. One more question is refused with 429, naming the limit and saying that a place
frees when an answer finishes; nothing is stored. A place frees when an answer ends, including one
whose worker died (the sweep ends it). Another workspace is not affected."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from billing import quotas
from billing.models import Plan, Subscription
from billing.services import QuotaExceeded
from chat import admission
from chat.models import Conversation, Message
from chat.services import generation, generation_sweep, message_finalize, message_regenerate


@pytest.fixture(autouse=True)
def own_windows(monkeypatch):
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")  # no per-minute limit in the way


def _limit_to(tenant, in_tenant, places: int) -> int:
    """Put the tenant (only it, in this test's transaction) on a plan that allows ``places`` more
    sessions than are open now; returns the plan's limit."""
    with in_tenant(tenant):
        open_now = admission.sessions_open()
    code = f"sessions-{uuid.uuid4().hex[:12]}"
    plan = Plan.objects.create(code=code, name="Sessions", session_limit=open_now + places)
    Subscription.objects.update_or_create(tenant=tenant, defaults={"plan": plan, "status": "active"})
    assert quotas.limits_for(schema=tenant.schema_name).session_limit == open_now + places
    return open_now + places


def _counts(tenant, in_tenant):
    with in_tenant(tenant):
        return Conversation.objects.count(), Message.objects.count()


def test_it_refuses_a_question_over_the_plans_sessions_with_429_and_stores_nothing(
    owner_client, member_client, tenant_a, in_tenant
):
    limit = _limit_to(tenant_a, in_tenant, 2)
    for n in range(2):  # answers stay pending: nothing generates them in this test
        assert owner_client.post("/chat/new/", {"content": f"Question {n}"}).status_code == 302
    before = _counts(tenant_a, in_tenant)
    response = owner_client.post("/chat/new/", {"content": "A third at once?"})
    assert response.status_code == 429
    text = response.content.decode()
    assert 'data-quota-limit="sessions"' in text
    assert f"concurrent sessions (answers being written at once) ({limit})" in text
    assert "A place frees as soon as one of them finishes" in text
    assert 'href="/billing/"' in text
    assert int(response["Retry-After"]) > 0
    # the places are the workspace's: the member waits too, in the composer (htmx) as well
    response = member_client.post("/chat/new/", {"content": "Me too?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#composer-alert"
    assert 'data-quota-limit="sessions"' in response.content.decode()
    assert _counts(tenant_a, in_tenant) == before


def test_it_refuses_a_regeneration_over_the_plans_sessions(owner, tenant_a, in_tenant):
    from chat.tests.factories import make_conversation

    with in_tenant(tenant_a):
        answered = make_conversation(owner, turns=1)
    _limit_to(tenant_a, in_tenant, 0)
    with in_tenant(tenant_a):
        before = Message.objects.filter(conversation=answered).count()
        with pytest.raises(QuotaExceeded) as refused:
            message_regenerate(message=answered.current_leaf)
        assert refused.value.limit == quotas.SESSIONS
        assert Message.objects.filter(conversation=answered).count() == before


def test_it_frees_a_place_when_an_answer_finishes(owner_client, tenant_a, in_tenant):
    _limit_to(tenant_a, in_tenant, 1)
    assert owner_client.post("/chat/new/", {"content": "First"}).status_code == 302
    assert owner_client.post("/chat/new/", {"content": "Second"}).status_code == 429
    with in_tenant(tenant_a):
        first = Message.objects.filter(role="assistant", status="pending").order_by("-created_at").first()
        assert message_finalize(message_id=first.pk, status="complete", content="Done.")
    assert owner_client.post("/chat/new/", {"content": "Second, again"}).status_code == 302


def test_it_frees_a_dead_workers_place_once_the_sweep_ends_its_answer(owner_client, tenant_a, in_tenant):
    _limit_to(tenant_a, in_tenant, 1)
    assert owner_client.post("/chat/new/", {"content": "The worker will die"}).status_code == 302
    with in_tenant(tenant_a):
        orphan = Message.objects.filter(role="assistant", status="pending").order_by("-created_at").first()
        Message.objects.filter(pk=orphan.pk).update(  # claimed, redelivered once, and dead again: no heartbeat
            status="streaming", updated_at=timezone.now() - timedelta(minutes=30),
            generation_attempts=generation.MAX_ATTEMPTS,
        )  # fmt: skip
    assert owner_client.post("/chat/new/", {"content": "Blocked"}).status_code == 429
    with in_tenant(tenant_a):
        assert generation_sweep() >= 1
        orphan.refresh_from_db()
        assert orphan.status == "error"
    assert owner_client.post("/chat/new/", {"content": "Now there is room"}).status_code == 302


def test_it_admits_questions_of_another_workspace(owner_client, outsider_client, tenant_a, tenant_b, in_tenant):
    _limit_to(tenant_a, in_tenant, 0)
    assert owner_client.post("/chat/new/", {"content": "A is full"}).status_code == 429
    before = _counts(tenant_b, in_tenant)
    response = outsider_client.post("/chat/new/", {"content": "Hello from B"})
    assert response.status_code == 302
    assert _counts(tenant_b, in_tenant) == (before[0] + 1, before[1] + 2)


def test_it_shows_each_plans_sessions_on_the_billing_page(owner_client):
    page = owner_client.get("/billing/").content.decode()
    free, enterprise = (Plan.objects.get(code=c) for c in ("free", "enterprise"))
    assert f'data-session-limit="{free.session_limit}"' in page
    assert f"Answers written at once: {free.session_limit}" in page
    assert enterprise.session_limit is None and "Unlimited answers at once" in page
