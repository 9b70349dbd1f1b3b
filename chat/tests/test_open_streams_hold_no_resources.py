"""An open answer stream may last minutes: it must hold no database connection and survive quiet spells.

Found by bench/stream_fanout.py: with a connection per open stream, PostgreSQL (max_connections
100) refused the ~100th concurrent stream; with redis-py's default 5 s socket timeout, every
stream that had no event for 5 s died inside XREAD BLOCK (15 s) with a TimeoutError.
"""

from django.db import connection

from chat import stream_hub, streams
from chat.tests.factories import make_conversation
from chat.tests.helpers import read_sse
from chat.views import stream


def test_the_view_gives_its_database_connection_back_before_streaming(tenant_a, owner, in_tenant, monkeypatch):
    released = []
    real = stream._release_db_connection
    monkeypatch.setattr(stream, "_release_db_connection", lambda: released.append(1) or real())
    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
        streams.reset(answer.pk)
    response, frames = read_sse(tenant_a, owner, answer.pk)
    assert response.status_code == 200 and frames[-1][1] == "end"
    assert released == [1]


def test_releasing_closes_the_connection_outside_a_transaction(django_db_blocker):
    with django_db_blocker.unblock():
        connection.ensure_connection()
        assert connection.connection is not None
        stream._release_db_connection()
        assert connection.connection is None


def test_a_quiet_stream_outlasts_the_blocking_read():
    client = streams.async_client()
    timeout = client.connection_pool.connection_kwargs["socket_timeout"]
    assert timeout is not None and timeout > stream.BLOCK_MS / 1000
    # The shared reader's clients use the same timeout, above its own (shorter) block.
    assert streams.ASYNC_SOCKET_TIMEOUT > stream_hub.BLOCK_MS / 1000
