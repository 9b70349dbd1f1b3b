"""GET /chat/<id>/?m=<message> shows that message's branch and never saves a branch switch."""

from chat.models import Conversation
from chat.services import message_edit
from chat.tests.factories import make_conversation


def _edited(owner):
    conversation = make_conversation(owner, turns=1)
    original = conversation.messages.get(role="user")
    message_edit(message=original, user=owner, content="Edited away")
    conversation.refresh_from_db()
    return conversation, original


def test_it_shows_the_other_branch_without_saving_it(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation, original = _edited(owner)
        leaf, updated = conversation.current_leaf_id, conversation.updated_at
    page = owner_client.get(f"/chat/{conversation.pk}/?m={original.pk}").content.decode()
    thread = page.split('id="thread"')[1]
    assert "Question 0" in thread and "Edited away" not in thread
    assert "data-other-branch" in page and "data-composer" not in page  # continuing it is a POST
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        assert (conversation.current_leaf_id, conversation.updated_at) == (leaf, updated)


def test_it_continues_the_other_branch_through_a_post(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation, original = _edited(owner)
        answer = original.children.get()
    page = owner_client.get(f"/chat/{conversation.pk}/?m={original.pk}").content.decode()
    assert f'action="/chat/m/{answer.pk}/switch/"' in page
    response = owner_client.post(f"/chat/m/{answer.pk}/switch/")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=conversation.pk).current_leaf_id == answer.pk
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "Question 0" in page.split('id="thread"')[1] and "data-composer" in page


def test_it_shows_a_hit_on_the_current_branch_with_the_composer(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
        first = conversation.messages.filter(role="user").order_by("created_at").first()
    page = owner_client.get(f"/chat/{conversation.pk}/?m={first.pk}").content.decode()
    assert "data-other-branch" not in page and "data-composer" in page


def test_it_answers_404_to_the_member_and_the_outsider(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation, original = _edited(owner)
        leaf = conversation.current_leaf_id
    for client in (member_client, outsider_client):
        assert client.get(f"/chat/{conversation.pk}/?m={original.pk}").status_code == 404
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=conversation.pk).current_leaf_id == leaf
