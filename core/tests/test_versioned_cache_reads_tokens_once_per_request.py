"""In a web request the versioned caches read each schema's tokens once, in one MGET; a change the
request commits is seen by the rest of it, one another process commits by its next request."""

import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from core.versioned_cache import VersionedCache, request_tokens


@pytest.fixture
def commands(monkeypatch):
    """The Redis commands sent from here on (the cache keeps one client per pool, core/cache.py)."""
    sent = []
    client = cache._cache.get_client()
    real = client.execute_command

    def counting(*args, **kwargs):
        sent.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", counting)
    return sent


@pytest.fixture
def two(db):
    return [VersionedCache(f"test:{uuid.uuid4().hex}", schema="public", ttl=60) for _ in range(2)]


def _in_another_thread(fn):
    out = []

    def run():
        try:
            out.append(fn())
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert out, "the other thread failed"
    return out[0]


def test_it_reads_every_token_of_a_schema_in_one_round_trip(two, commands):
    a, b = two
    a.version(), b.version()  # the tokens exist (as after the first request of a process)
    commands.clear()
    with request_tokens():
        assert a.get("k", lambda: "a") == "a"
        assert b.get("k", lambda: "b") == "b"
        assert a.get("k", lambda: "not read") == "a"
    assert commands == ["MGET"]


def test_it_reads_again_in_every_request(two, commands):
    a, _ = two
    a.version()
    commands.clear()
    for _ in range(2):
        with request_tokens():
            a.get("k", lambda: "a")
    assert commands == ["MGET", "MGET"]


def test_it_sees_a_change_committed_in_another_process_from_the_next_request(two, django_capture_on_commit_callbacks):
    a, _ = two
    with request_tokens():
        assert a.get("k", lambda: "old") == "old"

    def change():
        with django_capture_on_commit_callbacks(execute=True):
            a.bump()
        return True

    assert _in_another_thread(change)
    with request_tokens():
        assert a.get("k", lambda: "new") == "new"


def test_it_sees_a_change_the_request_committed_at_once(two, django_capture_on_commit_callbacks):
    a, _ = two
    with request_tokens():
        assert a.get("k", lambda: "old") == "old"
        with django_capture_on_commit_callbacks(execute=True):
            a.bump()
        assert a.get("k", lambda: "new") == "new"
        assert _in_another_thread(a.version) == a.version()  # the shared token and the request's agree


def test_it_creates_a_token_missing_from_the_round_trip(db, commands):
    fresh = VersionedCache(f"test:{uuid.uuid4().hex}", schema="public", ttl=60)
    with request_tokens():
        assert fresh.get("k", lambda: 1) == 1
        first = fresh.version()
    assert first is not None and fresh.version() == first
