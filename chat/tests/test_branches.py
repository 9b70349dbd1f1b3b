"""Editing a user message starts a branch; regenerating adds a sibling answer; ‹ n/m › switches."""

import re

from chat import selectors
from chat.models import Message
from chat.services import branch_switch, message_edit, message_finalize, message_regenerate
from chat.tests.factories import make_conversation


def _finish(conversation):
    conversation.refresh_from_db()
    message_finalize(message_id=conversation.current_leaf_id, status="complete", content="New answer")
    conversation.refresh_from_db()


def _contents(thread) -> list[str]:
    """The thread's rows are plain (ids, stamps, status): their text is read from the messages."""
    texts = dict(Message.objects.filter(pk__in=[m.pk for m in thread.messages]).values_list("pk", "content"))
    return [texts[m.pk] for m in thread.messages]


def test_it_edits_a_message_into_a_new_branch(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
        first_question = conversation.messages.get(content="Question 1")
        message_edit(message=first_question, user=owner, content="Question 1, rephrased")
        _finish(conversation)
        thread = selectors.thread_for(conversation=conversation)
        contents = _contents(thread)
        assert contents == ["Question 0", "Answer 0", "Question 1, rephrased", "New answer"]
        edited = thread.messages[2]
        assert thread.siblings[edited.pk]["position"] == 2 and thread.siblings[edited.pk]["count"] == 2
        # Switch back to the original branch: its own continuation comes back.
        branch_switch(message=first_question)
        conversation.refresh_from_db()
        contents = _contents(selectors.thread_for(conversation=conversation))
        assert contents == ["Question 0", "Answer 0", "Question 1", "Answer 1"]


def test_it_regenerates_an_answer_as_a_sibling(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        original = conversation.current_leaf
        message_regenerate(message=original)
        _finish(conversation)
        thread = selectors.thread_for(conversation=conversation)
        assert _contents(thread) == ["Question 0", "New answer"]
        assert thread.siblings[thread.messages[1].pk] == {"position": 2, "count": 2, "prev": original.pk, "next": None}


def test_it_edits_the_first_message_too(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        root = conversation.messages.get(content="Question 0")
        message_edit(message=root, user=owner, content="Another start")
        _finish(conversation)
        thread = selectors.thread_for(conversation=conversation)
        assert _contents(thread) == ["Another start", "New answer"]
        assert thread.siblings[thread.messages[0].pk]["count"] == 2


def test_it_switches_branches_through_the_page(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        original = conversation.current_leaf
        message_regenerate(message=original)
        _finish(conversation)
    body = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "2/2" in body and "New answer" in body
    response = owner_client.post(f"/chat/m/{original.pk}/switch/", HTTP_HX_REQUEST="true")
    thread = response.content.decode()
    assert "1/2" in thread and "Answer 0" in thread and "New answer" not in thread


def test_it_edits_through_the_page_and_others_get_404(
    owner_client, member_client, outsider_client, tenant_a, owner, in_tenant, counts, tenant_b
):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        question = conversation.messages.get(role="user")
    before = counts(tenant_a), counts(tenant_b)
    for client in (member_client, outsider_client):
        assert client.post(f"/chat/m/{question.pk}/edit/", {"content": "hijack"}).status_code == 404
        assert client.post(f"/chat/m/{question.pk}/switch/").status_code == 404
        assert client.post(f"/chat/m/{conversation.current_leaf_id}/regenerate/").status_code == 404
    assert (counts(tenant_a), counts(tenant_b)) == before
    response = owner_client.post(f"/chat/m/{question.pk}/edit/", {"content": "Better question"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Better question" in body and re.search(r'data-status="pending"', body)
    with in_tenant(tenant_a):
        assert Message.objects.filter(conversation=conversation, content="Question 0").exists()
