"""A moderation call that fails does not block the chat, and is visible in the admin's moderation
log as "check failed" (not as a clean, unflagged question) (issue 11 §10)."""

from chat.models import Message, ModerationLog
from chat.services import conversation_start, generation_run


def ask(user, content):
    conversation = conversation_start(user=user, content=content)
    answer = Message.objects.get(conversation=conversation, role="assistant")
    generation_run(message_id=answer.pk, moderate=True)
    answer.refresh_from_db()
    return answer


def test_it_answers_and_logs_the_failed_check(fake_llm, tenant_a, owner, owner_client, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("omni-moderation-latest", status=500)
    with in_tenant(tenant_a):
        answer = ask(owner, "is this checked?")
        log = ModerationLog.objects.get(user=owner)
    assert answer.status == "complete"
    assert log.flagged is False and "500" in log.error
    page = owner_client.get("/admin/chat/moderationlog/").content.decode()
    assert "check failed" in page and "is this checked?" in page
    assert "check failed" in owner_client.get(f"/admin/chat/moderationlog/{log.pk}/change/").content.decode()


def test_it_shows_a_clean_check_as_not_flagged(fake_llm, tenant_a, owner, owner_client, in_tenant):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        ask(owner, "hello there")
        log = ModerationLog.objects.get(user=owner)
    assert log.error == ""
    page = owner_client.get("/admin/chat/moderationlog/").content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "not flagged" in rows and "check failed" not in rows


def test_it_keeps_the_log_from_members_and_outsiders(fake_llm, tenant_a, owner, member_client, outsider_client,
                                                     in_tenant):  # fmt: skip
    fake_llm.platform("openai")
    fake_llm.behave("omni-moderation-latest", status=500)
    with in_tenant(tenant_a):
        ask(owner, "secret question")
    assert "secret question" not in member_client.get("/admin/chat/moderationlog/", follow=True).content.decode()
    assert "secret question" not in outsider_client.get("/admin/chat/moderationlog/", follow=True).content.decode()
