"""An open answer stream may last minutes: it must hold no database connection and survive quiet spells.

Found by bench/stream_fanout.py: with a connection per open stream, PostgreSQL (max_connections
100) refused the ~100th concurrent stream; with redis-py's default 5 s socket timeout, every
stream that had no event for 5 s died inside its blocking read with a TimeoutError.
"""

import socket
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from django.db import connection

from chat.models import Message
from chat.streaming import hub, keys, sse, writer
from chat.tests.factories import make_conversation
from chat.tests.helpers import async_client_for

OPEN_STREAMS = 6


def _open_answer(user):
    """A question whose answer is being written (no event yet): its stream stays open."""
    conversation = make_conversation(user)
    answer = Message.objects.create(
        conversation=conversation, parent=conversation.current_leaf, role="assistant", status="streaming"
    )
    writer.reset(answer.pk)
    return answer


def _open_stream(live, answer) -> socket.socket:
    """GET the answer's stream from the live server; returns once its first bytes arrived (they
    are sent after the access check, so the view has done all its database work by then)."""
    from django.conf import settings

    url = urlsplit(live.base_url)
    sock = socket.create_connection((url.hostname.replace(live.host, "127.0.0.1"), url.port), timeout=30)
    sock.sendall(
        (
            f"GET /chat/m/{answer.pk}/stream/ HTTP/1.1\r\nHost: {live.host}\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={live.session}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    received = b""
    while b"retry:" not in received:
        data = sock.recv(4096)
        assert data, received
        received += data
    assert received.startswith(b"HTTP/1.1 200"), received[:200]
    return sock


def _database_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the transaction sees its first snapshot
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_it_holds_no_database_connection_while_streams_are_open(chat_live, django_db_blocker):
    """The real server (uvicorn) with several streams open at once: PostgreSQL sees no more
    connections than before they opened."""
    from django_tenants.utils import schema_context

    from accounts.models import User

    with django_db_blocker.unblock(), schema_context(chat_live.tenant.schema_name):
        user = User.objects.get(email=chat_live.user_email)
        answers = [_open_answer(user) for _ in range(OPEN_STREAMS)]
    with django_db_blocker.unblock():
        before = _database_connections()
        sockets = [_open_stream(chat_live, answer) for answer in answers]
        try:
            during = _database_connections()
        finally:
            for sock in sockets:
                sock.close()
    # One connection per open stream was the bug (+6 here); one is allowed for unrelated background
    # work (the worker's threads share this process) so that the test is about streams only.
    assert during <= before + 1, f"{during - before} more connections with {OPEN_STREAMS} streams open"


def test_releasing_closes_the_connection_outside_a_transaction(django_db_blocker):
    with django_db_blocker.unblock():
        connection.ensure_connection()
        assert connection.connection is not None
        sse._release_db_connection()
        assert connection.connection is None


def test_a_quiet_stream_keeps_delivering_after_its_blocking_reads(tenant_a, owner, in_tenant, monkeypatch):
    """No event for longer than the shared reader's blocking read, several keep-alives in a row:
    the stream is still there, and the next event and the end still arrive."""
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.2)
    quiet_keepalives = int(hub.BLOCK_MS / 1000 / sse.KEEPALIVE_SECONDS) + 3
    with in_tenant(tenant_a):
        answer = _open_answer(owner)
        key = keys.stream_key(answer.pk)
    client = async_client_for(tenant_a, owner)

    async def read():
        response = await client.get(f"/chat/m/{answer.pk}/stream/")
        assert response.status_code == 200
        body, keepalives = "", 0
        async for chunk in response.streaming_content:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            body += text
            keepalives += text.count(": keep-alive")
            if keepalives == quiet_keepalives:  # a quiet spell well past the reader's blocking read
                writer.publish(key, "delta", {"text": "still here"})
                writer.publish(key, keys.END, {"status": "complete", "message": ""})
                keepalives += 1
        return body

    frames = sse.parse_sse(async_to_sync(read)())
    assert [(kind, data) for _, kind, data in frames] == [
        ("delta", {"text": "still here"}),
        (keys.END, {"status": "complete", "message": ""}),
    ]
