"""Moderation of user input: checked beside the answer, logged against the question; a flagged
question is answered with the refusal; repeated flags suspend, progressively; suspended users
cannot send."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Message, ModerationLog, Violation
from chat.services import ChatRefused, conversation_start, generation_run, user_suspension
from chat.tests.factories import make_conversation
from orchestration import moderation
from orchestration.moderation import ModerationResult


@pytest.fixture
def flag_bad_words(monkeypatch, fake_llm):
    fake_llm.platform("openai")  # the answers; the check itself is replaced below
    checked = []

    def check(text):
        checked.append(text)
        return ModerationResult(flagged="bad" in text, categories={"harassment": "bad" in text}, model="omni")

    monkeypatch.setattr(moderation, "checker", lambda: check)
    return checked


def ask(user, content):
    """Send a question and generate its answer as the worker does; the answer, refreshed."""
    conversation = conversation_start(user=user, content=content)
    answer = Message.objects.get(conversation=conversation, role="assistant")
    generation_run(message_id=answer.pk, moderate=True)
    answer.refresh_from_db()
    return answer


def test_it_logs_clean_input_against_the_question_and_answers_it(tenant_a, owner, in_tenant, flag_bad_words):
    with in_tenant(tenant_a):
        answer = ask(owner, "a friendly question")
        log = ModerationLog.objects.get(user=owner)
    assert answer.status == "complete" and answer.content
    assert not log.flagged and log.model == "omni" and log.message_id == answer.parent_id
    assert flag_bad_words == ["a friendly question"]


def test_it_refuses_flagged_input_and_suspends_repeat_offenders(tenant_a, owner, in_tenant, flag_bad_words):
    with in_tenant(tenant_a):
        refused = ask(owner, "something bad")
        assert refused.status == "error" and refused.content == ""
        assert "breaks the usage policy" in refused.error_message
        first = Violation.objects.get(user=owner)
        assert first.level == 1 and first.suspended_until is None and first.reason == "harassment"
        assert first.moderation_log.message_id == refused.parent_id
        ask(owner, "bad again")
        second = Violation.objects.filter(user=owner).order_by("-level").first()
        assert second.level == 2
        assert timedelta(minutes=59) < second.suspended_until - timezone.now() <= timedelta(hours=1)
        count = Message.objects.count()
        with pytest.raises(ChatRefused) as suspended:
            conversation_start(user=owner, content="a perfectly nice question")
        assert "cannot send messages until" in str(suspended.value.messages[0])
        assert Message.objects.count() == count  # nothing stored while suspended
        assert user_suspension(user=owner) == second


def test_it_does_not_check_a_regenerated_answer_again(tenant_a, owner, in_tenant, flag_bad_words):
    from chat.services import message_regenerate

    with in_tenant(tenant_a):
        answer = ask(owner, "a friendly question")
        again = message_regenerate(message=answer)
        generation_run(message_id=again.pk, moderate=False)
        assert ModerationLog.objects.filter(user=owner).count() == 1
    assert flag_bad_words == ["a friendly question"]


def test_it_shows_the_refusal_in_the_page(owner_client, tenant_a, owner, in_tenant, flag_bad_words):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "bad words"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-status="pending"' in response.content.decode()
    with in_tenant(tenant_a):
        answer = Message.objects.get(parent__content="bad words")
        generation_run(message_id=answer.pk, moderate=True)
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "breaks the usage policy" in page and "bad words" in page
    assert 'data-action="retry"' not in page and 'data-action="regenerate"' not in page.split("breaks the usage")[1]


def test_it_refuses_a_suspended_user_in_the_page(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
        Violation.objects.create(user=owner, level=2, suspended_until=timezone.now() + timedelta(hours=1))
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "hello"}, HTTP_HX_REQUEST="true")
    assert "cannot send messages until" in response.content.decode()
    assert response["HX-Retarget"] == "#composer-alert"
    with in_tenant(tenant_a):
        assert not Message.objects.filter(content="hello").exists()


def test_it_lets_suspensions_expire_and_admins_lift_them(tenant_a, owner, member, in_tenant):
    from chat.services import violation_lift

    with in_tenant(tenant_a):
        expired = Violation.objects.create(user=member, level=2, suspended_until=timezone.now() - timedelta(minutes=1))
        assert user_suspension(user=member) is None
        active = Violation.objects.create(user=member, level=3, suspended_until=timezone.now() + timedelta(days=1))
        assert user_suspension(user=member) == active
        violation_lift(violation=active, by=owner)
        assert user_suspension(user=member) is None
        assert expired.pk
