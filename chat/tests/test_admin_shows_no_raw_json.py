"""The conversation browser and the mistakes review show settings and summaries as words, not JSON."""


def _conversation(owner):
    from chat.models import Conversation, Message

    conv = Conversation.objects.create(
        user=owner, title="Budget", settings={"strategy": "parallel_consensus", "model": "openai:gpt-4o"},
        meta_data={"orchestration_strategy": "parallel_consensus", "providers_used": ["openai", "anthropic"],
                   "cost_breakdown": {"total_cost": 0.0123}, "processing_time_ms": 2100},
    )  # fmt: skip
    answer = Message.objects.create(
        conversation=conv, role=Message.Role.ASSISTANT, content="42", is_mistake=True,
        meta_data={"orchestration": {"orchestration_strategy": "single_provider", "models_used": ["openai:gpt-4o"],
                                     "providers_used": ["openai"], "processing_time_ms": 900},
                   "cost_breakdown": {"total_cost": 0.002}},
    )  # fmt: skip
    return conv, answer


def test_it_describes_a_conversations_settings_and_summary(owner_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        conv, answer = _conversation(owner)
    html = owner_client.get(f"/admin/chat/conversation/{conv.pk}/change/").content.decode()
    assert "Consensus of several models" in html and "gpt-4o" in html and "$0.0123" in html and "2.1 s" in html
    assert "parallel_consensus" not in html and "{&quot;strategy" not in html
    html = owner_client.get(f"/admin/chat/mistakereport/{answer.pk}/change/").content.decode()
    assert "Single model" in html and "openai:gpt-4o" in html and "{&quot;" not in html


def test_it_keeps_the_conversation_browser_from_members(member_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        conv, _answer = _conversation(owner)
    response = member_client.get(f"/admin/chat/conversation/{conv.pk}/change/")
    assert response.status_code == 403 and "Budget" not in response.content.decode()
