"""One conversation: oldest to newest, the last 50 messages, older ones by cursor, owner only."""

import re

from chat.tests.factories import make_conversation


def test_it_shows_messages_oldest_first_with_role_and_status(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Recipes", turns=2)
    response = owner_client.get(f"/chat/{conversation.pk}/")
    assert response.status_code == 200
    body = response.content.decode().split('id="thread"')[1]
    assert body.index("Question 0") < body.index("Answer 0") < body.index("Question 1") < body.index("Answer 1")
    assert len(re.findall(r'data-role="user"', body)) == 2
    assert len(re.findall(r'data-role="assistant"', body)) == 2
    assert 'data-status="complete"' in body
    assert re.search(r'<form[^>]*id="composer"', body) and '<textarea name="content"' in body


def test_it_shows_the_last_50_and_loads_older_ones_by_cursor(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=40)  # 80 messages
    body = owner_client.get(f"/chat/{conversation.pk}/").content.decode().split('id="thread"')[1]
    assert body.count('class="msg ') == 50
    assert "Answer 39" in body and "Question 15" in body and "Answer 14" not in body
    cursor = re.search(r"\?before=([0-9a-f-]{36})", body).group(1)
    older = owner_client.get(f"/chat/{conversation.pk}/?before={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert older.count('class="msg ') == 30
    assert "Question 0" in older and "Answer 14" in older and "?before=" not in older


def test_it_answers_404_to_another_member_and_to_the_outsider(
    member_client, outsider_client, tenant_a, owner, in_tenant
):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    assert member_client.get(f"/chat/{conversation.pk}/").status_code == 404
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
    answer_id = conversation.current_leaf_id
    assert member_client.get(f"/chat/m/{answer_id}/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(tenant_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    response = tenant_client(tenant_a).get(f"/chat/{conversation.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_keeps_the_number_of_queries_flat(owner_client, tenant_a, owner, in_tenant, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        small = make_conversation(owner, turns=1)
        big = make_conversation(owner, turns=60)
        for i in range(20):
            make_conversation(owner, title=f"Other {i}")
    with django_assert_max_num_queries(20) as few:
        owner_client.get(f"/chat/{small.pk}/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_client.get(f"/chat/{big.pk}/").status_code == 200
