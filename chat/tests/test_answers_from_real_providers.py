"""End to end through the real SDKs: chat service -> task -> engine -> fake provider -> Redis -> SSE.

The platform's OpenAI key points at the fake provider server on 127.0.0.1 (orchestration.testing.fake_llm).
"""

import pytest

from chat.models import Message, ModerationLog, Violation
from chat.services import conversation_start
from chat.streaming import keys
from chat.tasks import generate_answer
from chat.tests.helpers import read_sse


def test_it_streams_an_openai_answer_and_records_tokens_and_cost(
    fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    fake_llm.behave(text="Ljubljana is the capital of Slovenia.")
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="What is the capital of Slovenia?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "complete"
        answer.refresh_from_db()
        conversation.refresh_from_db()
        events = keys.read_all(keys.stream_key(answer.pk))

    deltas = [d["text"] for _, t, d in events if t == "delta"]
    assert len(deltas) > 1  # streamed in pieces, not one block
    assert answer.content == "".join(deltas) == "Ljubljana is the capital of Slovenia."
    meta = answer.meta_data
    assert meta["orchestration"]["providers_used"] == ["openai"]
    assert meta["tokens_used"]["total"] == answer.prompt_tokens + answer.completion_tokens > 0
    assert meta["cost_breakdown"]["total_cost"] > 0
    assert conversation.total_tokens == meta["tokens_used"]["total"]
    assert fake_llm.requests_for(path="/chat/completions")[0].body["stream"] is True

    response, frames = read_sse(tenant_a, owner, answer.pk)
    assert "".join(d["text"] for _, t, d in frames if t == "delta") == answer.content


def test_it_keeps_the_question_and_offers_a_retry_when_every_provider_fails(
    fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave(status=500)
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Will this work?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "error"
        answer.refresh_from_db()
        question = Message.objects.get(conversation=conversation, role="user")
    assert question.content == "Will this work?"
    assert answer.status == "error"
    assert "OpenAI" in answer.error_message or "provider" in answer.error_message.lower()

    # the page offers the retry action on the failed answer
    from django.test import Client
    from django_tenants.utils import schema_context

    from conftest import host_of

    client = Client(HTTP_HOST=host_of(tenant_a))
    with schema_context(tenant_a.schema_name):
        client.force_login(owner)
    page = client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="error"' in page
    assert answer.error_message in page or "Retry" in page


def test_it_answers_a_flagged_message_with_the_refusal_and_records_the_violation(
    fake_llm, tenant_a, member, in_tenant, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        conversation = conversation_start(user=member, content="FLAGME you are terrible")
        question = Message.objects.get(conversation=conversation, role="user")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk), moderate=True) == "error"
        answer.refresh_from_db()
        question.refresh_from_db()
        log = ModerationLog.objects.get(user=member)
        events = keys.read_all(keys.stream_key(answer.pk))
        assert log.flagged is True and log.message_id == question.pk
        assert Violation.objects.filter(user=member).count() == 1
        assert question.meta_data == {"moderation": "flagged"}  # kept for its author, never sent again
    assert "breaks the usage policy" in answer.error_message and answer.content == ""
    assert not [e for e in events if e[1] in ("delta", "sources")]  # not a word of the answer was shown
    assert events[-1][1] == keys.END and "breaks the usage policy" in events[-1][2]["message"]
    assert fake_llm.requests_for(path="/moderations")[0].body["input"] == "FLAGME you are terrible"


def test_it_checks_the_question_while_the_provider_starts_answering(
    fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    fake_llm.behave("omni-moderation-latest", first_delay=0.3)
    fake_llm.behave(text="Ljubljana.", first_delay=0.3)
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="What is the capital of Slovenia?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk), moderate=True) == "complete"
        assert ModerationLog.objects.get(user=owner).flagged is False
    (check,) = fake_llm.requests_for(path="/moderations")
    (chat,) = fake_llm.requests_for(path="/chat/completions")
    # both calls were in flight at the same time: the check adds no wait before the first token
    assert check.started < chat.finished and chat.started < check.finished


def test_it_never_sends_a_flagged_question_again(
    fake_llm, tenant_a, member, in_tenant, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from chat.services import message_regenerate, message_send

    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        conversation = conversation_start(user=member, content="FLAGME once")
        refused = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            generate_answer(str(refused.pk), moderate=True)
        refused.refresh_from_db()
        with pytest.raises(ValidationError):
            message_regenerate(message=refused)  # the retry of a refusal is refused too
        conversation.refresh_from_db()
        _question, answer = message_send(conversation_id=conversation.pk, user=member, content="A kind question")
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk), moderate=True) == "complete"
    sent = fake_llm.requests_for(path="/chat/completions")[-1].body["messages"]
    assert "A kind question" in sent[-1]["content"]
    assert not [m for m in sent if "FLAGME" in str(m.get("content"))]
