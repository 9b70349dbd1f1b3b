"""Stop: a Redis flag the task reads between chunks; the partial text is saved as stopped."""

from chat.models import Message
from chat.services import conversation_start, generation
from chat.streaming import keys, writer
from chat.tasks import generate_answer
from chat.tests.factories import make_conversation
from orchestration import engine


def test_it_saves_the_partial_text_as_stopped(
    tenant_a, owner, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Tell me a long story")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        real = engine.run

        def run(request, **kwargs):
            for i, event in enumerate(real(request, **kwargs)):
                if i == 4:  # a few chunks in, the user presses stop
                    writer.request_stop(answer.pk)
                yield event

        monkeypatch.setattr(generation.engine, "run", run)
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "stopped"
        answer.refresh_from_db()
        events = keys.read_all(keys.stream_key(answer.pk))
    full = engine.OFFLINE_NOTICE
    assert answer.status == "stopped"
    assert 0 < len(answer.content) < len(full)
    assert full.startswith(answer.content)
    assert events[-1][1] == "end" and events[-1][2]["status"] == "stopped"


def test_it_stops_an_answer_that_has_not_started(
    owner_client, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Quick")
        answer = Message.objects.get(conversation=conversation, role="assistant")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/chat/m/{answer.pk}/stop/", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 204
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.status == "stopped"
        assert generate_answer(str(answer.pk)) == "stopped"  # the late task does nothing
        assert keys.read_all(keys.stream_key(answer.pk))[-1][1] == "end"


def test_it_answers_404_to_others_and_stops_nothing(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
        answer = Message.objects.create(
            conversation=conversation, parent=conversation.current_leaf, role="assistant", status="streaming"
        )
    assert member_client.post(f"/chat/m/{answer.pk}/stop/").status_code == 404
    assert outsider_client.post(f"/chat/m/{answer.pk}/stop/").status_code == 404
    with in_tenant(tenant_a):
        assert not writer.stop_requested(answer.pk)
        answer.refresh_from_db()
        assert answer.status == "streaming"


def test_it_keeps_generating_when_the_tab_closes(tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    # Nobody reads the stream: the task does not care, it completes and saves the answer.
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Closed the tab")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with django_capture_on_commit_callbacks(execute=True):
            generate_answer(str(answer.pk))
        answer.refresh_from_db()
        assert answer.status == "complete" and answer.content
