"""A failed first answer still titles the chat from its question, and a failed answer cannot be
rated or marked as a mistake, on the page or by a hand-made POST (issue 11 §10)."""

from chat.models import Conversation, Message
from chat.services import conversation_start
from chat.tasks import generate_answer


def _failed_first_answer(fake_llm, tenant, user, in_tenant, capture):
    fake_llm.platform("openai")
    fake_llm.behave(status=500)
    with in_tenant(tenant):
        conversation = conversation_start(user=user, content="How do I renew my passport in Ljubljana?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with capture(execute=True):
            assert generate_answer(str(answer.pk)) == "error"
    return conversation, answer


def test_it_titles_the_chat_from_the_question(fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    conversation, _answer = _failed_first_answer(
        fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
    )
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
    assert conversation.title.startswith("How do I renew my passport")


def test_it_refuses_to_rate_or_flag_a_failed_answer(
    fake_llm, tenant_a, owner, owner_client, in_tenant, django_capture_on_commit_callbacks
):
    conversation, answer = _failed_first_answer(
        fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
    )
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    article = page.split(f'id="m-{answer.pk}"')[1].split("</article>")[0]
    assert "/rate/" not in article and "/mistake/" not in article
    assert owner_client.post(f"/chat/m/{answer.pk}/rate/", {"rating": "1"}).status_code == 400
    assert owner_client.post(f"/chat/m/{answer.pk}/mistake/", {"is_mistake": "on"}).status_code == 400
    with in_tenant(tenant_a):
        answer.refresh_from_db()
    assert answer.rating is None and answer.is_mistake is False


def test_it_lets_no_outsider_touch_it(
    fake_llm, tenant_a, owner, outsider_client, in_tenant, django_capture_on_commit_callbacks
):
    conversation, answer = _failed_first_answer(
        fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
    )
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
    assert outsider_client.post(f"/chat/m/{answer.pk}/rate/", {"rating": "1"}).status_code == 404
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=conversation.pk).title.startswith("How do I")
