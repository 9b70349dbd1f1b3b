"""Moderation of user input: logged; flagged messages refused; repeated flags suspend, progressively."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Conversation, Message, ModerationLog, Violation
from chat.services import ChatRefused, conversation_start, user_suspension
from chat.tests.factories import make_conversation
from orchestration import moderation
from orchestration.moderation import ModerationResult


@pytest.fixture
def flag_everything(monkeypatch):
    monkeypatch.setattr(
        moderation,
        "moderate",
        lambda text: ModerationResult(flagged="bad" in text, categories={"harassment": "bad" in text}, model="omni"),
    )


def test_it_logs_clean_input_and_sends_it(tenant_a, owner, in_tenant, flag_everything):
    with in_tenant(tenant_a):
        conversation_start(user=owner, content="a friendly question")
        log = ModerationLog.objects.get(user=owner)
    assert not log.flagged and log.model == "omni"


def test_it_refuses_flagged_input_and_suspends_repeat_offenders(tenant_a, owner, in_tenant, flag_everything):
    with in_tenant(tenant_a):
        with pytest.raises(ChatRefused):
            conversation_start(user=owner, content="something bad")
        assert not Conversation.objects.filter(user=owner).exists()  # nothing half-created
        first = Violation.objects.get(user=owner)
        assert first.level == 1 and first.suspended_until is None and first.reason == "harassment"
        with pytest.raises(ChatRefused):
            conversation_start(user=owner, content="bad again")
        second = Violation.objects.filter(user=owner).order_by("-level").first()
        assert second.level == 2
        assert timedelta(minutes=59) < second.suspended_until - timezone.now() <= timedelta(hours=1)
        with pytest.raises(ChatRefused) as refused:
            conversation_start(user=owner, content="a perfectly nice question")
        assert "cannot send messages until" in str(refused.value.messages[0])
        assert user_suspension(user=owner) == second


def test_it_shows_the_refusal_in_the_page(owner_client, tenant_a, owner, in_tenant, flag_everything):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "bad words"}, HTTP_HX_REQUEST="true")
    assert "breaks the usage policy" in response.content.decode()
    assert response["HX-Retarget"] == "#composer-alert"
    with in_tenant(tenant_a):
        assert not Message.objects.filter(content="bad words").exists()


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
