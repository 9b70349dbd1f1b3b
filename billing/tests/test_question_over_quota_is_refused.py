"""Over a quota the composer's POST answers 429, stores nothing, names the limit, its reset time and
links to the upgrade (CONTRACT)."""

from django.utils import timezone

from billing import quotas
from chat.models import Conversation, Message

from .helpers import set_used


def _fill(tenant, kind=quotas.Kind.QUESTIONS):
    limits = quotas.limits_for(schema=tenant.schema_name)
    set_used(tenant, kind, limits.period, limits.question_limit)
    return limits


def test_it_refuses_a_new_conversation_with_429_and_stores_nothing(owner_client, tenant_a, in_tenant):
    limits = _fill(tenant_a)
    with in_tenant(tenant_a):
        before = Conversation.objects.count(), Message.objects.count()
    response = owner_client.post("/chat/new/", {"content": "One more?"})
    assert response.status_code == 429
    text = response.content.decode()
    assert 'data-quota-limit="questions"' in text
    assert "questions for this billing period" in text
    assert 'href="/billing/"' in text
    assert int(response["Retry-After"]) > 0
    assert str(limits.period.end.year) in text  # the reset time
    with in_tenant(tenant_a):
        assert (Conversation.objects.count(), Message.objects.count()) == before


def test_it_refuses_in_the_composer_fragment_for_htmx(owner_client, tenant_a, owner, in_tenant):
    from chat.services import conversation_create

    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    _fill(tenant_a)
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "Hi"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#composer-alert"
    assert "data-upgrade" in response.content.decode()
    with in_tenant(tenant_a):
        assert Message.objects.filter(conversation=conversation).count() == 0


def test_it_admits_questions_of_another_workspace(outsider_client, tenant_a, tenant_b, in_tenant):
    _fill(tenant_a)
    with in_tenant(tenant_b):
        before = Message.objects.count()
    response = outsider_client.post("/chat/new/", {"content": "Hello from B"})
    assert response.status_code in (302, 204)
    with in_tenant(tenant_b):
        assert Message.objects.count() == before + 2


def test_it_counts_an_admitted_question(owner_client, tenant_a):
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    response = owner_client.post("/chat/new/", {"content": "Count me"})
    assert response.status_code in (302, 204)
    used = quotas.counters_for(tenant_id=tenant_a.pk, limits=limits, now=timezone.now())
    assert used[quotas.Kind.QUESTIONS] == 1
