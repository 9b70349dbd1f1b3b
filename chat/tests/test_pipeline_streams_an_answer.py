"""A message goes through the generation task into the Redis stream and out of the SSE view."""

from asgiref.sync import async_to_sync

from chat.models import Message
from chat.services import conversation_start
from chat.streaming import keys, writer
from chat.tasks import generate_answer
from chat.tests.helpers import read_sse


def _sse(tenant, user, message_id, headers=None):
    return read_sse(tenant, user, message_id, headers=headers)


def test_it_streams_the_answer_through_the_task_and_saves_it(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=False) as enqueued:
            conversation = conversation_start(user=owner, content="Hello there")
        tasks = [c for c in enqueued if c.__qualname__.startswith("enqueue.")]  # (and the sidebar's token)
        assert len(tasks) == 1  # generation is enqueued on commit
        answer = Message.objects.get(conversation=conversation, role="assistant")
        assert answer.status == "pending"
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "complete"
        answer.refresh_from_db()
        conversation.refresh_from_db()
        events = keys.read_all(keys.stream_key(answer.pk))

    types = [t for _, t, _ in events]
    assert types[0] == "status" and types[-1] == "end"
    assert "delta" in types and "done" in types
    text = "".join(d["text"] for _, t, d in events if t == "delta")
    assert answer.content == text and "offline" in text
    assert answer.html.startswith("<p>")
    assert answer.meta_data["orchestration"]["providers_used"] == ["offline"]
    assert conversation.title == "Hello there"
    assert conversation.meta_data["providers_used"] == ["offline"]
    assert conversation.message_count == 2

    response, frames = _sse(tenant_a, owner, answer.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert [f[1] for f in frames] == types
    assert "".join(d["text"] for _, t, d in frames if t == "delta") == text


def test_it_resumes_after_last_event_id(tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Resume me")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            generate_answer(str(answer.pk))
        events = keys.read_all(keys.stream_key(answer.pk))
    cut = len(events) // 2
    last_id = events[cut - 1][0]
    _response, frames = _sse(tenant_a, owner, answer.pk, headers={"Last-Event-ID": last_id})
    assert [f[0] for f in frames] == [e[0] for e in events[cut:]]


def test_it_answers_404_to_anyone_but_the_owner(tenant_a, tenant_b, owner, member, outsider, in_tenant):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Private")
        answer = Message.objects.get(conversation=conversation, role="assistant")
    response, _ = _sse(tenant_a, member, answer.pk)
    assert response.status_code == 404
    response, _ = _sse(tenant_b, outsider, answer.pk)
    assert response.status_code == 404


def test_it_does_nothing_when_the_task_runs_twice(tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Twice")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            generate_answer(str(answer.pk))
        before = len(keys.read_all(keys.stream_key(answer.pk)))
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "complete"
        assert len(keys.read_all(keys.stream_key(answer.pk))) == before


def test_it_ends_at_once_for_an_answer_whose_stream_expired(tenant_a, owner, in_tenant):
    from chat.tests.factories import make_conversation

    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
        writer.reset(answer.pk)
    response, frames = _sse(tenant_a, owner, answer.pk)
    assert response.status_code == 200
    assert frames == [(None, "end", {"status": "complete", "message": ""})]


def test_it_answers_404_to_anonymous_visitors(tenant_a, owner, in_tenant):
    from chat.tests.helpers import async_client_for

    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Anyone?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
    response = async_to_sync(async_client_for(tenant_a).get)(f"/chat/m/{answer.pk}/stream/")
    assert response.status_code == 404
