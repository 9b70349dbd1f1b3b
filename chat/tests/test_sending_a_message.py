"""Sending: the user's message and a pending answer are stored, generation is enqueued on commit."""

from chat.models import Conversation, Message
from chat.tests.factories import make_conversation


def test_it_starts_a_conversation_from_the_new_chat_composer(
    owner_client, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueued:
        response = owner_client.post("/chat/new/", {"content": "What is pgvector?", "strategy": "single_provider"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        conversation = Conversation.objects.get(user=owner)
        roles = list(conversation.messages.order_by("created_at").values_list("role", "status"))
    assert response["Location"] == f"/chat/{conversation.pk}/"
    assert roles == [("user", "complete"), ("assistant", "pending")]
    assert (
        len([c for c in enqueued if c.__qualname__.startswith("enqueue.")]) == 1
    )  # one task (and the sidebar's token)
    assert conversation.settings["strategy"] == "single_provider"


def test_it_appends_a_pair_for_htmx(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    response = owner_client.post(
        f"/chat/{conversation.pk}/messages/", {"content": "And **then**?"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-role="user"' in body and 'data-status="pending"' in body
    assert "<strong>then</strong>" in body
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        assert conversation.current_leaf.status == "pending"
        assert conversation.current_leaf.parent.content == "And **then**?"
        assert conversation.message_count == 4


def test_it_refuses_a_second_question_while_an_answer_is_open(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "one"}, HTTP_HX_REQUEST="true")
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "two"}, HTTP_HX_REQUEST="true")
    assert "Please wait for the answer" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Message.objects.filter(content="two").exists()


def test_it_refuses_an_empty_message(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    response = owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "   "}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in response.content.decode()
    with in_tenant(tenant_a):
        assert conversation.messages.count() == 2


def test_it_answers_404_to_others_and_changes_nothing(
    member_client, outsider_client, tenant_a, tenant_b, owner, in_tenant, counts
):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    before_a, before_b = counts(tenant_a), counts(tenant_b)
    assert member_client.post(f"/chat/{conversation.pk}/messages/", {"content": "hi"}).status_code == 404
    assert outsider_client.post(f"/chat/{conversation.pk}/messages/", {"content": "hi"}).status_code == 404
    assert counts(tenant_a) == before_a and counts(tenant_b) == before_b


def test_it_needs_the_csrf_token(tenant_client, tenant_a, owner, in_tenant):
    from django.test import Client
    from django_tenants.utils import schema_context

    from conftest import host_of

    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    client = Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    with schema_context(tenant_a.schema_name):
        client.force_login(owner)
    assert client.post(f"/chat/{conversation.pk}/messages/", {"content": "hi"}).status_code == 403
