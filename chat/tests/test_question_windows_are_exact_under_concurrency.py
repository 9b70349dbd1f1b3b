"""Concurrent questions against the per-minute windows: exactly the limit is admitted, and a question
refused by the workspace's window is not charged to its user's own window (one atomic step)."""

import threading
import uuid

import pytest
from django_tenants.utils import schema_context

from chat import admission


@pytest.fixture(autouse=True)
def own_windows(monkeypatch):
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")


def _burst(schema: str, user_ids: list) -> dict:
    barrier = threading.Barrier(len(user_ids))
    admitted: dict = {}
    lock = threading.Lock()

    def ask(user_id):
        barrier.wait()
        with schema_context(schema):
            try:
                admission.question_admit(user_id=user_id)
                ok = True
            except admission.QuestionLimited as exc:
                assert exc.scope == "tenant" and exc.retry_after >= 1
                ok = False
        with lock:
            admitted[user_id] = admitted.get(user_id, 0) + int(ok)

    threads = [threading.Thread(target=ask, args=(u,)) for u in user_ids]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return admitted


def test_it_admits_exactly_the_workspace_limit_of_forty_concurrent_questions(tenant_a, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 100
    settings.QUESTIONS_PER_MINUTE_TENANT = 7
    admitted = _burst(tenant_a.schema_name, [uuid.uuid4() for _ in range(40)])
    assert sum(admitted.values()) == 7


def test_it_charges_a_user_only_for_the_questions_the_workspace_admitted(tenant_a, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 10
    settings.QUESTIONS_PER_MINUTE_TENANT = 10
    alice, bob = uuid.uuid4(), uuid.uuid4()
    admitted = _burst(tenant_a.schema_name, [alice, bob] * 10)
    assert admitted[alice] + admitted[bob] == 10
    settings.QUESTIONS_PER_MINUTE_TENANT = 1000  # the workspace has room again: each user's own window decides
    with schema_context(tenant_a.schema_name):
        for user_id in (alice, bob):
            more = 0
            for _ in range(12):
                try:
                    admission.question_admit(user_id=user_id)
                    more += 1
                except admission.QuestionLimited as exc:
                    assert exc.scope == "user"
            assert more == 10 - admitted[user_id]
