"""A user holds at most STREAMS_PER_USER answer streams open at once; one more answers 429 with a
retry time, and a stream whose browser went away gives its place back."""

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync

from chat import admission
from chat.models import Message
from chat.services import conversation_start
from chat.streaming import keys, sse, writer
from chat.tests.helpers import async_client_for, read_sse

WAIT = 10  # seconds; a timeout here is a failure, not a synchronisation


@pytest.fixture(autouse=True)
def _own_places(monkeypatch, settings):
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")
    settings.STREAMS_PER_USER = 2


def _open_answer(tenant, user, in_tenant):
    with in_tenant(tenant):
        conversation = conversation_start(user=user, content="Stream me")
        answer = Message.objects.get(conversation=conversation, role="assistant")
    writer.reset(answer.pk, tenant.schema_name)
    return answer  # pending: its stream stays open


class Open:
    """One open stream, read in a task as Django's ASGI handler reads it."""

    def __init__(self, response):
        self.response = response
        self.chunks: list[str] = []
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self):
        async for chunk in self.response.streaming_content:
            self.chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
            self.changed.set()

    async def until_live(self, text: str):
        async with asyncio.timeout(WAIT):
            while not any(text in c for c in self.chunks):
                self.changed.clear()
                await self.changed.wait()

    async def go_away(self):
        """The browser disconnects: Django cancels the task that is sending the response."""
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task
        await asyncio.gather(*sse._background)  # the place is given back in a task of the loop


def test_it_refuses_a_stream_past_the_cap_and_frees_the_place_of_one_that_was_left(tenant_a, owner, member, in_tenant):
    answer = _open_answer(tenant_a, owner, in_tenant)
    mine = _open_answer(tenant_a, member, in_tenant)
    key = keys.stream_key(answer.pk, tenant_a.schema_name)
    url = f"/chat/m/{answer.pk}/stream/"
    owner_client = async_client_for(tenant_a, owner)
    member_client = async_client_for(tenant_a, member)

    def places():
        return admission.open_streams(schema=tenant_a.schema_name, user_id=owner.pk)

    async def run():
        first = await owner_client.get(url)
        second = await owner_client.get(url)
        assert first.status_code == second.status_code == 200
        refused = await owner_client.get(url)
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= admission.STREAM_TTL
        assert "at most 2" in refused.content.decode()
        other = await member_client.get(f"/chat/m/{mine.pk}/stream/")
        assert other.status_code == 200  # each user has places of their own
        assert places() == 2

        readers = [Open(first), Open(second)]
        writer.publish(key, "delta", {"text": "live"})
        for reader in readers:
            await reader.until_live("live")
        await readers[0].go_away()
        assert places() == 1
        again = await owner_client.get(url)
        assert again.status_code == 200
        await readers[1].go_away()
        assert places() == 1  # the one opened again (never read here: its place expires, STREAM_TTL)

    async_to_sync(run)()


def test_a_finished_stream_gives_its_place_back(tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    from chat.tasks import generate_answer

    answer = _open_answer(tenant_a, owner, in_tenant)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        generate_answer(str(answer.pk))
    for _ in range(3):  # more streams than places, one after another
        response, frames = read_sse(tenant_a, owner, answer.pk)
        assert response.status_code == 200 and frames[-1][1] == "end"
    assert admission.open_streams(schema=tenant_a.schema_name, user_id=owner.pk) == 0
