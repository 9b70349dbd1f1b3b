"""The tenant admin's conversation page lists its messages a page at a time, not all of them."""

from chat.admin import ConversationAdmin
from chat.tests.factories import make_conversation


def test_it_shows_one_page_of_messages_and_links_to_the_next(owner_client, tenant_a, member, in_tenant, monkeypatch):
    monkeypatch.setattr(ConversationAdmin, "MESSAGES_PER_PAGE", 4)
    with in_tenant(tenant_a):
        conversation = make_conversation(member, title="Long chat", turns=5)  # 10 messages
    url = f"/admin/chat/conversation/{conversation.pk}/change/"
    first = owner_client.get(url).content.decode()
    assert first.count("data-message-id=") == 4
    assert "Question 0" in first and "Question 2" not in first
    assert "1–4 of 10" in first and "?p=2#conversation-messages" in first
    last = owner_client.get(url, {"p": 3}).content.decode()
    assert last.count("data-message-id=") == 2 and "Answer 4" in last and "Question 0" not in last


def test_it_keeps_the_number_of_queries_flat(owner_client, tenant_a, member, in_tenant, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        small = make_conversation(member, turns=1)
        big = make_conversation(member, turns=40)
    owner_client.get(f"/admin/chat/conversation/{small.pk}/change/")
    with django_assert_max_num_queries(30) as few:
        owner_client.get(f"/admin/chat/conversation/{small.pk}/change/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = owner_client.get(f"/admin/chat/conversation/{big.pk}/change/").content.decode()
    assert body.count("data-message-id=") == ConversationAdmin.MESSAGES_PER_PAGE


def test_it_keeps_members_and_outsiders_out(member_client, outsider_client, tenant_a, member, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(member, turns=1)
    assert member_client.get(f"/admin/chat/conversation/{conversation.pk}/change/").status_code == 403
    response = outsider_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")
    assert response.status_code == 403  # a member in their own workspace: no admin at all
