"""The versioned cache: a process keeps what it read until the data's service bumps the token on commit."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.versioned_cache import VersionedCache


@pytest.fixture
def vc(db):
    return VersionedCache(f"test:{uuid.uuid4().hex}", schema="public", ttl=60)


def _in_another_thread(fn):
    """Run ``fn`` as another process would: its own thread, its own database connection."""
    out = []

    def run():
        try:
            out.append(fn())
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert out, "the reader thread failed"
    return out[0]


def test_it_memoises_until_the_token_changes(vc, django_capture_on_commit_callbacks):
    assert vc.get("k", lambda: "first") == "first"
    assert vc.get("k", lambda: "not read") == "first"
    with django_capture_on_commit_callbacks(execute=True):
        vc.bump()
    assert _in_another_thread(lambda: vc.get("k", lambda: "second")) == "second"


def test_it_replaces_the_token_only_when_the_transaction_commits(vc, django_capture_on_commit_callbacks):
    before = vc.version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        vc.bump()
    assert vc.version() == before  # not yet committed: nothing to see for other processes
    for callback in callbacks:
        callback()
    assert vc.version() != before


def test_it_lets_no_reader_between_the_write_and_the_commit_pin_the_old_value(vc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vc.bump()  # the service wrote; its transaction is still open
        # another process reads the committed (old) row meanwhile and memoises it
        assert _in_another_thread(lambda: vc.get("k", lambda: "old")) == "old"
    # committed: the old value is under the old token and is read again
    assert _in_another_thread(lambda: vc.get("k", lambda: "new")) == "new"


def test_it_never_bumps_for_a_change_that_is_rolled_back(vc):
    before = vc.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        vc.bump()
        raise RuntimeError
    assert vc.version() == before


def test_it_serves_the_writer_its_own_uncommitted_change_and_memoises_none_of_it(
    vc, django_capture_on_commit_callbacks
):
    assert vc.get("k", lambda: "old") == "old"
    with pytest.raises(RuntimeError), transaction.atomic():
        vc.bump()
        assert vc.get("k", lambda: "uncommitted") == "uncommitted"
        raise RuntimeError
    assert _in_another_thread(lambda: vc.get("k", lambda: "committed")) == "committed"
    assert vc.get("k", lambda: "committed") == "committed"


def test_it_keeps_a_token_per_tenant_schema(db, tenant_a, tenant_b, django_capture_on_commit_callbacks):
    vc = VersionedCache(f"test:{uuid.uuid4().hex}", ttl=60)  # versioned per schema
    with schema_context(tenant_a.schema_name):
        assert vc.get("k", lambda: "a") == "a"
    with schema_context(tenant_b.schema_name):
        assert vc.get("k", lambda: "b") == "b"
        b_token = vc.version()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        vc.bump()
    with schema_context(tenant_b.schema_name):
        assert vc.version() == b_token
        assert vc.get("k", lambda: "not read") == "b"


def test_it_gives_each_caller_its_own_copy(vc):
    first = vc.get("k", lambda: {"nested": [1]})
    first["nested"].append(2)
    assert vc.get("k", lambda: {}) == {"nested": [1]}
