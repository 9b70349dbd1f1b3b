"""The conversation page reads the conversation row, the composer's documents check and its thread's
digest in one prepared statement (chat.selectors._PAGE_READ_SQL). It finds only the user's own, not
deleted conversation, and on a connection shared by workspaces never another workspace's."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import selectors
from chat.forms import documents_exists_sql
from chat.models import Conversation
from chat.tests.factories import make_conversation


def test_a_revisit_reads_the_row_and_the_thread_in_one_statement(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=3)
    owner_client.get(f"/chat/{conversation.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    reads = [q["sql"] for q in ctx.captured_queries if "chat_conversation" in q["sql"] or "chat_message" in q["sql"]]
    assert len(reads) == 1 and "sha256" in reads[0]
    assert page.count('data-role="assistant"') == 3 and conversation.title in page


def test_it_gives_the_row_the_documents_flag_and_the_thread(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
        read, has_documents, thread = selectors.conversation_page_read(
            user=owner, conversation_id=conversation.pk, exists=documents_exists_sql(owner)
        )
        assert read.pk == conversation.pk and read.current_leaf_id == conversation.current_leaf_id
        assert has_documents is False  # the owner has no document yet
        assert thread.digest == selectors.thread_for(conversation=conversation).digest
        assert [m.pk for m in thread.messages] == [
            m.pk for m in selectors.thread_for(conversation=conversation).messages
        ]
        _, flag, _ = selectors.conversation_page_read(user=owner, conversation_id=conversation.pk)
        assert flag is None  # no documents check asked for


def test_it_finds_no_one_elses_and_no_deleted_conversation(tenant_a, tenant_b, owner, member, outsider, in_tenant):
    with in_tenant(tenant_a):
        mine = make_conversation(owner, turns=1)
        with pytest.raises(Http404):
            selectors.conversation_page_read(user=member, conversation_id=mine.pk)  # a colleague's
        gone = make_conversation(owner, turns=1)
        Conversation.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
        with pytest.raises(Http404):
            selectors.conversation_page_read(user=owner, conversation_id=gone.pk)
        selectors.conversation_page_read(user=owner, conversation_id=mine.pk)  # prepared on this connection
    with in_tenant(tenant_b):  # the same connection, on the other workspace's search_path
        theirs = make_conversation(outsider, turns=1)
        assert selectors.conversation_page_read(user=outsider, conversation_id=theirs.pk)[0].pk == theirs.pk
        with pytest.raises(Http404):
            selectors.conversation_page_read(user=outsider, conversation_id=mine.pk)
        with pytest.raises(Http404):  # even with the owner's id: tenant A's row is not on this path
            selectors.conversation_page_read(user=owner, conversation_id=mine.pk)
