"""After an answer is final chat reports usage once; a failed answer gives its question back once."""

from decimal import Decimal

from django.utils import timezone

from billing import quotas
from billing.models import UsageLog
from chat.models import Message
from chat.services import message_finalize, message_send
from chat.services.conversations import conversation_create


def _ask(tenant, owner, in_tenant):
    with in_tenant(tenant):
        conversation = conversation_create(user=owner)
        _question, answer = message_send(conversation_id=conversation.pk, user=owner, content="What is 2+2?")
    return answer


def _questions_used(tenant):
    limits = quotas.limits_for(schema=tenant.schema_name)
    return quotas.counters_for(tenant_id=tenant.pk, limits=limits, now=timezone.now())


META = {
    "orchestration": {"orchestration_strategy": "parallel_consensus", "providers_used": ["openai", "anthropic"]},
    "cost_breakdown": {"total_cost": 0.002, "per_provider": {"openai": 0.001, "anthropic": 0.001}},
    "platform_usage": {"used": True, "providers": ["openai"]},
    "tokens_used": {"openai": 30, "anthropic": 20, "total": 50},
}


def test_it_records_a_complete_answer_once_with_its_tokens_cost_provider_and_key(tenant_a, owner, in_tenant):
    answer = _ask(tenant_a, owner, in_tenant)
    with in_tenant(tenant_a):
        for _ in range(2):  # a redelivered task finalises again: nothing more is charged
            message_finalize(
                message_id=answer.pk,
                status=Message.Status.COMPLETE,
                content="4",
                meta_data=META,
                prompt_tokens=30,
                completion_tokens=20,
                cost=Decimal("0.002"),
            )
    logs = list(UsageLog.objects.filter(tenant=tenant_a))
    assert len(logs) == 1
    log = logs[0]
    assert (log.user_id, log.user_email, log.action_type) == (owner.pk, owner.email, "question")
    assert (log.tokens_used, log.cost_estimate) == (50, Decimal("0.002000"))
    assert (log.provider, log.strategy, log.platform_key) == ("openai+anthropic", "parallel_consensus", True)
    used = _questions_used(tenant_a)
    assert used[quotas.Kind.QUESTIONS] == 1 and used[quotas.Kind.TOKENS_DAY] == 50


def test_it_gives_back_the_question_of_a_failed_answer_once(tenant_a, owner, in_tenant):
    answer = _ask(tenant_a, owner, in_tenant)
    assert _questions_used(tenant_a)[quotas.Kind.QUESTIONS] == 1
    with in_tenant(tenant_a):
        message_finalize(message_id=answer.pk, status=Message.Status.ERROR, error_message="provider down")
        message_finalize(message_id=answer.pk, status=Message.Status.ERROR, error_message="again")
    assert _questions_used(tenant_a)[quotas.Kind.QUESTIONS] == 0
    assert UsageLog.objects.filter(tenant=tenant_a).count() == 1


def test_it_charges_a_stopped_answer_that_had_started(tenant_a, owner, in_tenant):
    answer = _ask(tenant_a, owner, in_tenant)
    with in_tenant(tenant_a):
        message_finalize(
            message_id=answer.pk, status=Message.Status.STOPPED, content="Par", prompt_tokens=10, completion_tokens=2
        )
        message_finalize(message_id=answer.pk, status=Message.Status.STOPPED, content="Par")
    assert _questions_used(tenant_a)[quotas.Kind.QUESTIONS] == 1
    assert UsageLog.objects.get(tenant=tenant_a).tokens_used == 12
