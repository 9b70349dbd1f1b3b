"""A revisit reads its thread as one row (chat.selectors._THREAD_DIGEST_SQL: how many messages, whether
one is open, and a digest of what the cached HTML shows) and the cached HTML; the messages' own rows
are read only when something must be rendered. The digest is a prepared statement on a pooled
connection that serves every workspace: it never reads another workspace's messages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import selectors
from chat.models import Message
from chat.services import message_rate
from chat.tests.factories import make_conversation


def _thread_statements(ctx) -> tuple[int, int]:
    sqls = [q["sql"] for q in ctx.captured_queries]
    return (
        sum("chat_attachment" in s and "sha256" in s for s in sqls),  # the digest row
        sum("chat_attachment" in s and "sha256" not in s for s in sqls),  # the messages' rows
    )


def test_it_reads_no_message_rows_on_a_revisit(owner_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=3)
        answer = conversation.current_leaf
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert _thread_statements(ctx) == (1, 0)
    assert again.count('data-role="assistant"') == 3 and first.count('data-role="assistant"') == 3
    with in_tenant(tenant_a):
        message_rate(message=Message.objects.get(pk=answer.pk), rating=1)
    with CaptureQueriesContext(connection) as ctx:
        rated = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert _thread_statements(ctx) == (1, 1)  # the digest moved: the rows are read, one message rendered
    assert 'aria-pressed="true" title="Good answer"' in rated
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404


def test_an_open_answer_has_no_digest_and_is_always_read(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
        assert selectors.thread_for(conversation=conversation).digest is not None
        Message.objects.filter(pk=conversation.current_leaf_id).update(status=Message.Status.STREAMING)
        thread = selectors.thread_for(conversation=conversation)
        assert thread.digest is None and [m.status for m in thread.messages][-1] == "streaming"


def test_the_prepared_digest_reads_only_the_current_workspace(tenant_a, tenant_b, owner, outsider, in_tenant):
    with in_tenant(tenant_a):
        mine = make_conversation(owner, turns=2)
        first = selectors.thread_for(conversation=mine)
        assert len(first.messages) == 4 and first.digest
    with in_tenant(tenant_b):  # the same connection, now on the other workspace's search_path
        theirs = make_conversation(outsider, turns=1)
        assert len(selectors.thread_for(conversation=theirs).messages) == 2
        ghost = selectors.thread_for(conversation=mine)  # tenant A's ids asked for under tenant B
        assert ghost.messages == [] and ghost.digest is None and ghost.older_cursor is None
    with in_tenant(tenant_a):
        assert selectors.thread_for(conversation=mine).digest == first.digest
