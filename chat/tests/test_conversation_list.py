"""The conversation list: own conversations only, starred first then last activity, filters, keyset pages."""

from datetime import timedelta

from django.utils import timezone

from chat import selectors
from chat.tests.factories import make_conversation


def test_it_lists_starred_first_then_by_last_activity(tenant_a, owner, member, in_tenant):
    now = timezone.now()
    with in_tenant(tenant_a):
        old = make_conversation(owner, title="Old", last_message_at=now - timedelta(days=2))
        new = make_conversation(owner, title="New", last_message_at=now)
        starred = make_conversation(owner, title="Starred", starred=True, last_message_at=now - timedelta(days=5))
        make_conversation(owner, title="Archived", archived=True)
        make_conversation(member, title="Someone else's")
        page = selectors.conversation_list(user=owner)
    assert [c.title for c in page.items] == ["Starred", "New", "Old"]
    assert page.next_cursor is None
    assert {starred.pk, new.pk, old.pk} == {c.pk for c in page.items}


def test_it_filters_starred_and_archived(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="Plain")
        make_conversation(owner, title="Starred", starred=True)
        make_conversation(owner, title="Archived", archived=True)
        assert [c.title for c in selectors.conversation_list(user=owner, filter="starred").items] == ["Starred"]
        assert [c.title for c in selectors.conversation_list(user=owner, filter="archived").items] == ["Archived"]


def test_it_pages_with_a_cursor_without_gaps_or_repeats(tenant_a, owner, in_tenant):
    now = timezone.now()
    with in_tenant(tenant_a):
        for i in range(7):
            make_conversation(
                owner, title=f"C{i}", turns=0, starred=i % 3 == 0, last_message_at=now - timedelta(hours=i)
            )
        seen, cursor = [], None
        while True:
            page = selectors.conversation_list(user=owner, cursor=cursor, limit=3)
            seen += [c.title for c in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
    assert seen == ["C0", "C3", "C6", "C1", "C2", "C4", "C5"]


def test_it_renders_the_list_page_with_previews(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="Holiday plans", turns=2)
    response = owner_client.get("/chat/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Holiday plans" in body and "Answer 1" in body
    assert 'name="content"' in body and "<form" in body


def test_it_shows_an_empty_state(member_client):
    body = member_client.get("/chat/").content.decode()
    assert "No conversations yet" in body


def test_it_does_not_show_other_members_conversations(member_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="Owner secret")
    assert "Owner secret" not in member_client.get("/chat/").content.decode()


def test_it_keeps_the_number_of_queries_flat(owner_client, tenant_a, owner, in_tenant, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        make_conversation(owner, turns=1)
    with django_assert_max_num_queries(12) as few:
        owner_client.get("/chat/")
    with in_tenant(tenant_a):
        for i in range(40):
            make_conversation(owner, title=f"More {i}", turns=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get("/chat/")
    assert response.status_code == 200
    assert "More 39" in response.content.decode()
