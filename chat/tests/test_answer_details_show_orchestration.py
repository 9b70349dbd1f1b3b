"""The answer shows what the orchestration did: budget downgrades, and each model's own answer."""

from decimal import Decimal

from chat.models import Message
from chat.services import conversation_start
from chat.tasks import generate_answer


def _answer(tenant, user, in_tenant, content, **conversation_settings):
    with in_tenant(tenant):
        conversation = conversation_start(user=user, content=content, **conversation_settings)
        answer = Message.objects.get(conversation=conversation, role="assistant")
        generate_answer(str(answer.pk))
        answer.refresh_from_db()
    return conversation, answer


def test_it_tells_the_user_when_the_budget_downgraded_the_strategy(fake_llm, tenant_a, owner, owner_client, in_tenant):
    from orchestration.services import settings_update

    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        settings_update(user=owner, max_cost_per_query=Decimal("0.004"), openai_model="gpt-4o-mini")
    conversation, answer = _answer(tenant_a, owner, in_tenant, "Compare two options", strategy="parallel_consensus")
    assert answer.status == "complete"
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'class="msg-note msg-budget"' in page
    assert "limit of $0.0040 per question" in page


def test_it_keeps_each_models_own_answer_viewable(fake_llm, tenant_a, owner, owner_client, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="Answer from the GPT side.")
    fake_llm.behave("claude-sonnet-4-6", text="Answer from the Claude side.")
    conversation, answer = _answer(tenant_a, owner, in_tenant, "What do you both think?", strategy="parallel_consensus")
    assert answer.status == "complete"
    answers = answer.meta_data["orchestration"]["consensus"]["answers"]
    assert {a["provider"] for a in answers} == {"openai", "anthropic"}
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "Answer from the GPT side." in page and "Answer from the Claude side." in page
    assert "Each model&#x27;s own answer" in page or "Each model's own answer" in page
