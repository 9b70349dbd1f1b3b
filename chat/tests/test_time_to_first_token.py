"""The statements between a question and the provider call (docs/PERFORMANCE.md, "Streaming", TTFT).

Every statement costs a round trip plus django-tenants' ``SET search_path`` (counted here too).
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Message
from chat.services import generation_run
from chat.tests.factories import make_conversation
from orchestration import engine, selectors


def test_it_sends_a_message_in_few_statements(
    owner_client, tenant_a, owner, in_tenant, fake_llm, django_assert_max_num_queries
):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    owner_client.get("/chat/")  # the host lookup and the settings are cached by now
    # The search path once, the user, the locked conversation (owner check, leaf, suspension), one
    # INSERT of question and answer, the conversation update: 5 (+ the test transaction's savepoint
    # and its release). Before: 11 statements, each after a SET search_path; at first 15 plus 4
    # settings reads and the domain. Not counted: the session (read from the cache) and the search
    # index (with the answer, in message_finalize). Since issue 9: + the attachments of the messages
    # the answer fragment renders, in one query (chat/fragments.py). Since session 5: + the count of
    # the workspace's open answers for the plan's concurrent sessions (docs/adr/0013). + billing's own
    # two statements (limits with the session lock, counters), prepared statements on the same
    # connection (core.db.fetch_prepared), counted since session 8.
    with django_assert_max_num_queries(9 + 2):
        response = owner_client.post(
            f"/chat/{conversation.pk}/messages/", {"content": "And then?"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'data-status="pending"' in response.content.decode()
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        assert conversation.message_count == 4  # the fragment's counts come from the locked row
        assert conversation.current_leaf.status == "pending"


def test_it_calls_the_provider_after_one_statement(owner, tenant_a, in_tenant, fake_llm, monkeypatch):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
        question = Message.objects.create(
            conversation=conversation, parent=conversation.current_leaf, user=owner, role="user", content="Why?"
        )
        answer = Message.objects.create(conversation=conversation, parent=question, role="assistant", status="pending")
        selectors.provider_configs()  # a warm process
        seen = {}

        def run_prepared(request, *, settings, configs, **_kwargs):
            seen["statements"] = len(ctx.captured_queries)
            seen["turns"] = [t.content for t in request.transcript]
            yield engine.Event("delta", {"text": "Because."})
            yield engine.Event("done", {"model_name": "fake"})

        monkeypatch.setattr(engine, "run_prepared", run_prepared)
        with CaptureQueriesContext(connection) as ctx:
            assert generation_run(message_id=answer.pk) == "complete"
    # one: the claim returns the settings, the owner's language and the transcript (before: 3, then 8)
    # (the search path is already set on this connection: the test's own queries set it)
    assert seen["statements"] == 1
    assert seen["turns"][-1] == "Why?" and len(seen["turns"]) == 5
