"""All open answer streams of a process share one Redis reader (chat.streaming.hub).

Before, every open SSE stream ran its own XREAD BLOCK on its own Redis connection: 500 streams were
500 connections and one round trip per event, and one uvicorn process fell behind at 10 000
events/s (docs/PERFORMANCE.md, "Streaming"). Waits here are on queues and events with timeouts, never
sleeps.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync

from chat.models import Message
from chat.streaming import hub as stream_hub
from chat.streaming import keys as stream_keys
from chat.streaming import writer
from chat.streaming.sse import parse_sse
from chat.tests.factories import make_conversation
from chat.tests.helpers import async_client_for

WAIT = 10  # seconds; a timeout here is a failure, not a synchronisation


def _open_answers(tenant, owner, in_tenant, count):
    with in_tenant(tenant):
        answers = [make_conversation(owner).current_leaf for _ in range(count)]
        Message.objects.filter(pk__in=[a.pk for a in answers]).update(status=Message.Status.STREAMING)
        keys = [stream_keys.stream_key(a.pk) for a in answers]
    for a in answers:
        writer.reset(a.pk, tenant.schema_name)
    return answers, keys


class Reader:
    """Consumes one SSE response in a task, like Django's ASGI handler does; records frames and chunks."""

    def __init__(self, response):
        self.response = response
        self.body = ""
        self.chunks = 0
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self):
        async for chunk in self.response.streaming_content:
            self.body += chunk.decode() if isinstance(chunk, bytes) else chunk
            self.chunks += 1
            self.changed.set()

    @property
    def frames(self):
        return parse_sse(self.body)

    async def until(self, predicate):
        async with asyncio.timeout(WAIT):
            while not predicate(self):
                self.changed.clear()
                if self.task.done():
                    self.task.result()
                    assert predicate(self), self.body
                    return
                await self.changed.wait()


def _hub_readers(name_prefix: str) -> list[dict]:
    """Redis connections blocked in (or last running) XREAD: this process's hub and any unnamed reader."""
    clients = stream_keys.client().client_list()
    return [c for c in clients if c.get("cmd") == "xread" and (not c.get("name") or c["name"].startswith(name_prefix))]


def test_it_reads_for_many_streams_on_one_redis_connection(tenant_a, owner, in_tenant):
    answers, keys = _open_answers(tenant_a, owner, in_tenant, 30)
    client = async_client_for(tenant_a, owner)

    async def run():
        responses = await asyncio.gather(*(client.get(f"/chat/m/{a.pk}/stream/") for a in answers))
        assert all(r.status_code == 200 for r in responses)
        readers = [Reader(r) for r in responses]
        for key in keys:
            writer.publish(key, "delta", {"text": "one"})
        for reader in readers:
            await reader.until(lambda r: any(f[1] == "delta" for f in r.frames))
        hub = stream_hub.get_hub()
        assert hub.subscriber_count == 30
        # Every reader is past its backlog now: "two" comes from the shared reader.
        for key in keys:
            writer.publish(key, "delta", {"text": "two"})
        for reader in readers:
            await reader.until(lambda r: len(r.frames) == 2)
        # (a hub of an earlier test's event loop may still be connected: only this hub's name counts)
        xreads = _hub_readers(hub.name)
        assert [c["name"] for c in xreads] == [hub.name]
        for key in keys:
            writer.publish(key, stream_keys.END, {"status": "complete"})
        for reader in readers:
            await reader.until(lambda r: r.task.done())
        return [[f[1] for f in r.frames] for r in readers], hub.starts

    kinds, starts = async_to_sync(run)()
    assert kinds == [["delta", "delta", "end"]] * 30
    assert starts == 1


def test_it_resumes_mid_stream_with_exactly_the_events_after_its_id(tenant_a, owner, in_tenant):
    (answer,), (key,) = _open_answers(tenant_a, owner, in_tenant, 1)
    client = async_client_for(tenant_a, owner)
    url = f"/chat/m/{answer.pk}/stream/"

    async def run():
        # A first reader keeps the key in the shared reader, whose cursor is then ahead of the
        # second reader's id: the second one must get its backlog, then the live part, once each.
        first = Reader(await client.get(url))
        ids = [writer.publish(key, "delta", {"text": str(i)}) for i in range(10)]
        await first.until(lambda r: len(r.frames) == 10)
        second = Reader(await client.get(url, headers={"Last-Event-ID": ids[3]}))
        await second.until(lambda r: len(r.frames) == 6)
        ids += [writer.publish(key, "delta", {"text": str(i)}) for i in range(10, 15)]
        ids.append(writer.publish(key, stream_keys.END, {"status": "complete"}))
        await first.until(lambda r: r.task.done())
        await second.until(lambda r: r.task.done())
        return ids, first.frames, second.frames

    ids, first, second = async_to_sync(run)()
    assert [f[0] for f in first] == ids
    assert [f[0] for f in second] == ids[4:]
    assert [f[2].get("text") for f in second[:-1]] == [str(i) for i in range(4, 15)]


def test_it_stops_delivering_after_a_disconnect_and_stops_reading_when_idle(tenant_a, owner, in_tenant, monkeypatch):
    monkeypatch.setattr(stream_hub, "IDLE_LINGER", 0)
    answers, keys = _open_answers(tenant_a, owner, in_tenant, 2)
    client = async_client_for(tenant_a, owner)

    async def run():
        gone = Reader(await client.get(f"/chat/m/{answers[0].pk}/stream/"))
        stays = Reader(await client.get(f"/chat/m/{answers[1].pk}/stream/"))
        hub = stream_hub.get_hub()
        writer.publish(keys[0], "delta", {"text": "seen"})
        await gone.until(lambda r: len(r.frames) == 1)
        assert hub.subscriber_count == 2
        gone.task.cancel()  # what Django's ASGI handler does when the client disconnects
        with pytest.raises(asyncio.CancelledError):
            await gone.task
        assert hub.subscriber_count == 1
        writer.publish(keys[0], "delta", {"text": "not seen"})
        writer.publish(keys[1], "delta", {"text": "later"})  # after the one above, on the same reader
        await stays.until(lambda r: len(r.frames) == 1)
        assert len(gone.frames) == 1
        assert hub._task is not None and not hub.idle.is_set()
        stays.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stays.task
        assert hub.subscriber_count == 0
        async with asyncio.timeout(WAIT):
            await hub.idle.wait()
        assert hub._task is None and hub._commands is None
        return [t for t in asyncio.all_tasks() if t.get_name() == hub.name and not t.done()]

    assert async_to_sync(run)() == []


def _collect_until_end(sub, into):
    async def collect():
        async with asyncio.timeout(WAIT):
            while True:
                for event_id, fields in await sub.queue.get():
                    into.append(event_id)
                    if fields["type"] == stream_keys.END:
                        return

    return collect()


def test_it_loses_no_events_when_the_reader_connection_is_killed():
    key = f"msg:hub-test:{uuid.uuid4()}"

    async def run():
        hub = stream_hub.get_hub()
        sub = hub.subscribe(key)
        try:
            first = writer.publish(key, "delta", {"n": 1})
            async with asyncio.timeout(WAIT):
                assert [e[0] for e in await sub.queue.get()] == [first]
            (conn,) = [c for c in stream_keys.client().client_list() if c.get("name") == hub.name]
            stream_keys.client().client_kill_filter(_id=conn["id"])
            ids = [writer.publish(key, "delta", {"n": n}) for n in range(2, 6)]
            ids.append(writer.publish(key, stream_keys.END, {"status": "complete"}))
            got: list[str] = []
            await _collect_until_end(sub, got)
            return ids, got
        finally:
            hub.unsubscribe(sub)

    try:
        ids, got = async_to_sync(run)()
        assert got == ids
    finally:
        stream_keys.client().delete(key)


def test_it_retries_after_redis_errors_from_the_same_position(monkeypatch):
    key = f"msg:hub-test:{uuid.uuid4()}"
    monkeypatch.setattr(stream_hub, "BACKOFF_FIRST", 0.01)
    real = stream_hub.aredis.Redis.xread
    failures = {"left": 0}

    async def flaky(self, *args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise stream_hub.RedisError("hiccup")
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(stream_hub.aredis.Redis, "xread", flaky)

    async def run():
        hub = stream_hub.get_hub()
        failures["left"] = 3  # the reader's first three reads fail
        sub = hub.subscribe(key)
        try:
            ids = [writer.publish(key, "delta", {"n": n}) for n in range(1, 5)]
            ids.append(writer.publish(key, stream_keys.END, {"status": "complete"}))
            got: list[str] = []
            await _collect_until_end(sub, got)
            return ids, got, hub.errors
        finally:
            hub.unsubscribe(sub)

    try:
        ids, got, errors = async_to_sync(run)()
        assert got == ids
        assert errors == 3
    finally:
        stream_keys.client().delete(key)


def test_it_sends_what_is_queued_as_one_chunk(tenant_a, owner, in_tenant):
    (answer,), (key,) = _open_answers(tenant_a, owner, in_tenant, 1)
    client = async_client_for(tenant_a, owner)

    async def run():
        response = await client.get(f"/chat/m/{answer.pk}/stream/")
        iterator = aiter(response.streaming_content)
        assert b"retry:" in await anext(iterator)
        # Events published before the response reads again: one backlog page, one chunk.
        ids = [writer.publish(key, "delta", {"text": str(i)}) for i in range(20)]
        ids.append(writer.publish(key, stream_keys.END, {"status": "complete"}))
        chunks = [chunk async for chunk in iterator]
        return ids, chunks

    ids, chunks = async_to_sync(run)()
    assert len(chunks) == 1
    assert [f[0] for f in parse_sse(chunks[0].decode())] == ids
