"""A conversation has at most one answer being written: a second regenerate, edit or question is "busy"."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django_tenants.utils import schema_context

from chat.models import Conversation, Message
from chat.services import message_edit, message_regenerate, message_send
from chat.services import messages as message_services
from chat.tests.factories import make_conversation

WAIT = 10  # seconds; running out is a failure, not a synchronisation


def _open(conversation):
    return Message.objects.filter(conversation=conversation, status__in=list(Message.OPEN)).count()


def test_it_refuses_a_regeneration_while_an_answer_is_open(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        answer = conversation.current_leaf
        message_regenerate(message=answer)
    response = owner_client.post(f"/chat/m/{answer.pk}/regenerate/", HTTP_HX_REQUEST="true")
    assert response["X-Chat-Problem"] == "409"
    with in_tenant(tenant_a):
        assert _open(conversation) == 1 and conversation.messages.count() == 3


def test_it_refuses_an_edit_while_an_answer_is_open(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        question = conversation.messages.get(role="user")
        message_regenerate(message=conversation.current_leaf)
        with pytest.raises(ValidationError) as refused:
            message_edit(message=question, user=owner, content="Edited while answering")
        assert refused.value.code == "busy"
    response = owner_client.post(f"/chat/m/{question.pk}/edit/", {"content": "Again"}, HTTP_HX_REQUEST="true")
    assert response["X-Chat-Problem"] == "409"
    with in_tenant(tenant_a):
        assert _open(conversation) == 1 and conversation.messages.count() == 3


def test_it_refuses_a_question_on_another_branch_while_an_answer_is_open(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        answer = conversation.current_leaf
        message_regenerate(message=answer)  # open, and the current leaf
        Conversation.objects.filter(pk=conversation.pk).update(current_leaf=answer)  # the other branch on screen
        with pytest.raises(ValidationError) as refused:
            message_send(conversation_id=conversation.pk, user=owner, content="And on this branch?")
        assert refused.value.code == "busy"
        assert _open(conversation) == 1


def test_it_keeps_a_second_open_answer_out_of_the_table(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        message_regenerate(message=conversation.current_leaf)
        with pytest.raises(IntegrityError), transaction.atomic():
            Message.objects.create(
                conversation=conversation, parent=conversation.current_leaf.parent, role="assistant", status="pending"
            )


def test_it_answers_404_to_others_regenerating(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        answer = conversation.current_leaf
    for client in (member_client, outsider_client):
        assert client.post(f"/chat/m/{answer.pk}/regenerate/").status_code == 404
    with in_tenant(tenant_a):
        assert conversation.messages.count() == 2


def _waiting_on_locks(n: int, results: list) -> None:
    """Until ``n`` other sessions wait for a row lock (the regenerations queued behind ours)."""
    import time

    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else this transaction sees its first snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= n:
                return
            assert time.monotonic() < deadline, f"the regenerations never reached the conversation's lock: {results}"


def test_it_makes_one_answer_for_two_concurrent_regenerations(django_db_blocker, monkeypatch):
    """Two requests for the same answer at once (a double click): one new answer, one LLM call."""
    from accounts.models import User
    from tenants.models import Tenant

    enqueued: list[str] = []
    monkeypatch.setattr(message_services, "_enqueue_generation", lambda m, **kw: enqueued.append(str(m.pk)))
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(subdomain="tenant-a")
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email="owner@a.example")
            conversation = make_conversation(owner, turns=1, title="Double click")  # committed: threads see it
            answer = conversation.current_leaf
        results: list[object] = []

        def regenerate():
            try:
                with schema_context(tenant.schema_name):
                    message = Message.objects.select_related("conversation").get(pk=answer.pk)  # "complete" for both
                    results.append(message_regenerate(message=message).pk)
            except ValidationError as exc:
                results.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                results.append(repr(exc))
            finally:
                connections.close_all()

        try:
            with schema_context(tenant.schema_name), transaction.atomic():
                # Hold the conversation's lock so both requests have read the answer before either writes.
                Conversation.objects.select_for_update().get(pk=conversation.pk)
                threads = [threading.Thread(target=regenerate) for _ in range(2)]
                for t in threads:
                    t.start()
                _waiting_on_locks(2, results)
            for t in threads:
                t.join(WAIT)
            assert not any(t.is_alive() for t in threads)
            with schema_context(tenant.schema_name):
                assert len(results) == 2 and results.count("busy") == 1, results
                assert Message.objects.filter(conversation=conversation, status="pending").count() == 1
                assert len(enqueued) == 1
        finally:
            with schema_context(tenant.schema_name):
                Conversation.objects.filter(pk=conversation.pk).update(current_leaf=None)
                Message.objects.filter(conversation=conversation).update(parent=None)
                Conversation.objects.filter(pk=conversation.pk).delete()
            connection.set_schema_to_public()
