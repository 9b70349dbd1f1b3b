"""A failed answer offers Retry in its error box, and nothing to rate, flag or copy."""

from chat.models import Message
from chat.tests.factories import make_conversation


def _failed(owner, in_tenant, tenant):
    with in_tenant(tenant):
        conversation = make_conversation(owner, title="")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        Message.objects.filter(pk=answer.pk).update(
            status="error", content="", html="", error_message="No language model could answer right now."
        )
    return conversation, answer


def test_it_offers_only_retry_on_a_failed_answer(owner_client, owner, tenant_a, in_tenant):
    conversation, answer = _failed(owner, in_tenant, tenant_a)
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    article = page.split(f'id="m-{answer.pk}"')[1].split("</article>")[0]
    assert 'data-status="error"' in page and "No language model could answer right now." in article
    assert 'data-action="retry"' in article
    assert "/rate/" not in article and "/mistake/" not in article and 'data-action="copy"' not in article
    assert 'data-action="regenerate"' not in article  # the error box's Retry does that


def test_it_shows_an_outsider_nothing(outsider_client, owner, tenant_a, in_tenant):
    conversation, _answer = _failed(owner, in_tenant, tenant_a)
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
