"""Usage is charged once: finalising twice (redelivery, the sweep racing a worker) adds tokens once."""

from decimal import Decimal

from chat.models import Message
from chat.services import conversation_start, generation_sweep, message_finalize


def _meta():
    return {
        "orchestration": {
            "orchestration_strategy": "single_provider",
            "providers_used": ["openai"],
            "processing_time_ms": 900,
        },
        "tokens_used": {"openai": 150, "total": 150},
        "cost_breakdown": {"total_cost": 0.01, "per_provider": {"openai": 0.01}},
    }


def test_it_charges_usage_once(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Count me once")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        kwargs = dict(
            message_id=answer.pk,
            status="complete",
            content="Done.",
            meta_data=_meta(),
            model_name="gpt-4o",
            prompt_tokens=100,
            completion_tokens=50,
            cost=Decimal("0.01"),
        )
        assert message_finalize(**kwargs) is True
        assert message_finalize(**kwargs) is False
        assert generation_sweep(older_than=__import__("datetime").timedelta(0)) == 0
        conversation.refresh_from_db()
        answer.refresh_from_db()
    assert conversation.total_tokens == 150
    assert conversation.meta_data["cost_breakdown"] == {"openai_cost": 0.01, "total_cost": 0.01}
    assert conversation.meta_data["providers_used"] == ["openai"]
    assert conversation.meta_data["processing_time_ms"] == 900
    assert answer.status == "complete" and answer.prompt_tokens == 100 and answer.cost == Decimal("0.01")


def test_it_never_changes_a_complete_answer(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Immutable")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        message_finalize(message_id=answer.pk, status="complete", content="First")
        message_finalize(message_id=answer.pk, status="error", content="Second")
        answer.refresh_from_db()
    assert (answer.status, answer.content) == ("complete", "First")
