"""Twelve questions at once in twelve chats of a workspace with three session places left: exactly
three are admitted (the count of open answers and the new answer are one step under the tenant's
session lock), the others are refused with the session limit and store nothing.

Threads have their own connections and commit, as concurrent requests do. The session limit is
set through ``limits_for`` (the plan rows are shared by every test); the test's conversations, and
the questions it took from the counters, are removed at the end."""

import dataclasses
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from billing import quotas
from billing.models import TENANT_WIDE
from billing.services import QuotaExceeded
from chat import admission
from chat.models import Conversation, Message
from chat.services import messages

from .helpers import in_thread

THREADS = 12
PLACES = 3


@pytest.fixture(autouse=True)
def own_windows(monkeypatch):
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")  # no per-minute limit in the way
    monkeypatch.setattr(messages, "_enqueue_generation", lambda answer, moderate: None)  # answers stay open


def test_it_admits_exactly_the_places_left_of_twelve_concurrent_questions(tenant_a, owner, monkeypatch):
    schema = tenant_a.schema_name

    def setup():
        with schema_context(schema):
            open_now = admission.sessions_open()
            chats = [Conversation.objects.create(user=owner, title=f"burst {i}") for i in range(THREADS)]
        return open_now, [c.pk for c in chats]

    open_before, chat_ids = in_thread(setup)
    original = quotas.limits_for

    def limits_for(**kwargs):  # the workspace's plan allows PLACES more sessions than are open (and any question)
        limits = original(**kwargs)
        return dataclasses.replace(limits, session_limit=open_before + PLACES, question_limit=None, user_questions=None)

    monkeypatch.setattr(quotas, "limits_for", limits_for)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def ask(chat_id):
        try:
            barrier.wait()
            with schema_context(schema):
                messages.message_send(conversation_id=chat_id, user=owner, content="All at once")
            result = "admitted"
        except QuotaExceeded as exc:
            result = exc.limit
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=ask, args=(c,)) for c in chat_ids]
    try:
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert outcomes.count("admitted") == PLACES, outcomes
        assert outcomes.count(quotas.SESSIONS) == THREADS - PLACES

        def stored():
            with schema_context(schema):
                return (
                    admission.sessions_open(),
                    Message.objects.filter(conversation_id__in=chat_ids, role="user").count(),
                )

        assert in_thread(stored) == (open_before + PLACES, PLACES)
    finally:

        def cleanup():
            admitted = outcomes.count("admitted")
            limits = original(schema=schema, user_id=owner.pk)
            month = quotas.month_of(timezone.now()).start
            quotas.give_back(tenant_a.pk, quotas.Kind.QUESTIONS, TENANT_WIDE, limits.period.start, admitted)
            quotas.give_back(tenant_a.pk, quotas.Kind.USER_QUESTIONS, owner.pk, month, admitted)
            with schema_context(schema):
                Conversation.objects.filter(pk__in=chat_ids).update(current_leaf=None)
                Message.objects.filter(conversation_id__in=chat_ids).delete()
                Conversation.objects.filter(pk__in=chat_ids).delete()

        in_thread(cleanup)
