"""The web process's side: one shared reader per event loop for the answers' Redis streams.

Each open SSE response subscribes its stream key here. The hub's reader task issues ONE
``XREAD BLOCK COUNT STREAMS k1 k2 ... id1 id2 ...`` over every subscribed key on ONE Redis
connection and pushes the entries into each subscriber's ``asyncio.Queue``. Before, every open stream
ran its own blocking XREAD on its own connection: 500 streams meant 500 connections and one round
trip per event, which made one uvicorn process CPU-bound at ~10 000 events/s
(docs/PERFORMANCE.md, "Streaming").

Correctness of joining mid-stream: a subscriber registers first and only then reads its backlog
(XRANGE after its id). Every entry the hub reads after the registration reaches the subscriber's
queue; every entry at or below the hub's cursor existed before the registration, so the backlog
read sees it. The subscriber drops ids it has already delivered, so there are no gaps and no
duplicates.

A new key must not wait for the current blocking read to time out (that would delay the first
token): the reader also reads a private wake stream, and adding a key XADDs to it. Entries stay in
Redis until read, so a wake sent before the XREAD reaches the server still wakes it.

The hub belongs to one event loop (redis.asyncio connections do), created lazily per loop: uvicorn
has one loop per process, Django's test client and async_to_sync make one per call. The reader
stops when the last subscriber leaves (after a short linger) and starts again on demand. A Redis
error is logged and retried with back-off from the same cursors, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
import weakref
from collections.abc import Iterable

import redis.asyncio as aredis
from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BLOCK_MS = 1000  # the reader's XREAD BLOCK; bounded so a lost wake costs at most this much
COUNT = 500  # entries per key per read
IDLE_LINGER = 2.0  # seconds the reader stays up after the last subscriber left
BACKOFF_FIRST = 0.1  # seconds after a Redis error; doubles up to BACKOFF_MAX
BACKOFF_MAX = 5.0
QUEUE_MAX = 2000  # queued batches per subscriber; beyond that the subscriber is cut off (it resumes)
WAKE_TTL = 300
COMMAND_CONNECTIONS = 8  # for backlogs and EXISTS while streams open (opening 40 at once queues here)

Entry = tuple[str, dict]

# Socket timeout of the SSE view's client: above its XREAD BLOCK (15 s, then a keep-alive). redis-py
# 8 defaults to 5 s, which cut every stream that had no event for 5 s (a queued or slow answer).
ASYNC_SOCKET_TIMEOUT = 30


def async_client() -> aredis.Redis:
    # One client per event loop: redis.asyncio connections belong to the loop that made them.
    return aredis.Redis.from_url(settings.REDIS_URL, decode_responses=True, socket_timeout=ASYNC_SOCKET_TIMEOUT)


def id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


class Subscription:
    """One open stream's view of the hub: a queue of entry batches, in stream order."""

    __slots__ = ("key", "queue", "overflowed", "__weakref__")

    def __init__(self, key: str):
        self.key = key
        self.queue: asyncio.Queue[list[Entry]] = asyncio.Queue(maxsize=QUEUE_MAX)
        self.overflowed = False

    def push(self, entries: list[Entry]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(entries)
        except asyncio.QueueFull:
            # The client does not read fast enough: end its response; the browser reconnects with
            # Last-Event-ID and replays from Redis. Better than unbounded memory.
            self.overflowed = True

    def drain(self) -> list[Entry]:
        """Every entry queued so far (without waiting)."""
        out: list[Entry] = []
        while True:
            try:
                out.extend(self.queue.get_nowait())
            except asyncio.QueueEmpty:
                return out


class StreamHub:
    def __init__(self, loop: asyncio.AbstractEventLoop, url: str | None = None):
        self.loop = loop
        self.url = url or settings.REDIS_URL
        self.name = f"chorus-stream-hub-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.wake_key = f"{self.name}:wake"
        self._subs: dict[str, set[Subscription]] = {}
        self._cursors: dict[str, str] = {}
        self._wake_cursor = "0-0"
        self._wake_pending = False
        self._task: asyncio.Task | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._commands: aredis.Redis | None = None
        self.idle = asyncio.Event()  # set while no reader runs (tests wait on it)
        self.idle.set()
        # Instrumentation (tests, diagnostics): XREAD calls, reader starts, Redis errors.
        self.reads = 0
        self.starts = 0
        self.errors = 0

    # -- commands other than the shared read (backlog, EXISTS, wake): a pooled client of this loop --

    @property
    def commands(self) -> aredis.Redis:
        if self._commands is None:
            pool = aredis.BlockingConnectionPool.from_url(
                self.url,
                decode_responses=True,
                socket_timeout=ASYNC_SOCKET_TIMEOUT,
                max_connections=COMMAND_CONNECTIONS,
                timeout=ASYNC_SOCKET_TIMEOUT,
            )
            self._commands = aredis.Redis.from_pool(pool)  # closes the pool with the client
        return self._commands

    # -- subscriptions --

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subs.values())

    def subscribe(self, key: str, last_id: str = "0") -> Subscription:
        """Register a subscriber; entries read from now on reach its queue. Synchronous, so nothing
        is read between the caller's decision and the registration."""
        sub = Subscription(key)
        subs = self._subs.get(key)
        if subs is None:
            self._subs[key] = {sub}
            self._cursors[key] = last_id if last_id != "0" else "0-0"
            self._wake()
        else:
            subs.add(sub)
            # An earlier cursor for a joined key would re-read what others got: their backlog
            # covers it; this subscriber reads its own backlog, so the hub's cursor stays.
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self._task is None:
            self._start()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Synchronous: safe from ``finally`` of a cancelled or closed generator."""
        subs = self._subs.get(sub.key)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.key]
                self._cursors.pop(sub.key, None)
        if not self._subs and self._task is not None and self._linger is None and not self.loop.is_closed():
            self._linger = self.loop.call_later(IDLE_LINGER, self._stop_if_idle)

    def advance(self, key: str, event_id: str) -> None:
        """A sole subscriber read its backlog up to ``event_id``: the reader need not read it again.
        Only with one subscriber (another one may still be reading an older backlog)."""
        subs = self._subs.get(key)
        cursor = self._cursors.get(key)
        if subs is not None and len(subs) == 1 and cursor is not None and id_key(event_id) > id_key(cursor):
            self._cursors[key] = event_id

    # -- the reader --

    def _start(self) -> None:
        self.starts += 1
        self.idle.clear()
        self._wake_pending = False
        self._task = self.loop.create_task(self._run(), name=self.name)

    def _stop_if_idle(self) -> None:
        self._linger = None
        if not self._subs and self._task is not None:
            task, self._task = self._task, None
            task.cancel()

    def _wake(self) -> None:
        """Make a running XREAD return so that the next one includes the new key."""
        if self._task is None or self._wake_pending:
            return
        self._wake_pending = True
        self.loop.create_task(self._send_wake())

    async def _send_wake(self) -> None:
        if self._task is None:
            return  # stopped meanwhile: the next reader reads every key anyway
        try:
            async with self.commands.pipeline(transaction=False) as pipe:
                pipe.xadd(self.wake_key, {"w": "1"}, maxlen=10, approximate=True)
                pipe.expire(self.wake_key, WAKE_TTL)
                await pipe.execute()
        except (RedisError, OSError) as exc:  # the reader re-reads within BLOCK_MS anyway
            if self._task is not None:  # not the hub closing its clients under it
                logger.warning("stream hub: wake failed: %s", exc)

    async def _run(self) -> None:
        reader = aredis.Redis.from_url(
            self.url,
            decode_responses=True,
            socket_timeout=ASYNC_SOCKET_TIMEOUT,
            single_connection_client=True,
            client_name=self.name,
        )
        backoff = BACKOFF_FIRST
        try:
            while self._subs:
                self._wake_pending = False  # a key added from here on wakes the read below
                request = dict(self._cursors)
                request[self.wake_key] = self._wake_cursor
                try:
                    self.reads += 1
                    result = await reader.xread(request, count=COUNT, block=BLOCK_MS)
                    if result:
                        # RESP2: [[key, entries], ...]; RESP3 (protocol=3 in REDIS_URL): {key: [entries]}
                        if isinstance(result, dict):
                            result = [(k, v[0] if v else v) for k, v in result.items()]
                        self._dispatch(result)
                except Exception as exc:  # noqa: BLE001 - log, back off, retry: never end every open stream
                    self.errors += 1
                    if isinstance(exc, RedisError | OSError):
                        logger.warning("stream hub: XREAD failed (%s); retrying in %.1f s", exc, backoff)
                    else:
                        logger.exception("stream hub: reading failed; retrying in %.1f s", backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)
                    continue
                backoff = BACKOFF_FIRST
        finally:
            if self._task is asyncio.current_task():
                self._task = None
            closing = [reader]
            if self._task is None and not self._subs and self._commands is not None:
                closing.append(self._commands)  # a later subscriber makes a new one
                self._commands = None
            for client in closing:
                try:
                    await asyncio.shield(client.aclose())
                except (RedisError, OSError, asyncio.CancelledError):
                    pass
            if self._task is None:
                self.idle.set()

    def _dispatch(self, result: Iterable) -> None:
        for key, entries in result:
            if not entries:
                continue
            last = entries[-1][0]
            if key == self.wake_key:
                self._wake_cursor = last
                continue
            cursor = self._cursors.get(key)
            if cursor is None:
                continue  # nobody left
            if id_key(last) > id_key(cursor):
                self._cursors[key] = last
            for sub in self._subs.get(key, ()):
                sub.push(entries)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StreamHub] = weakref.WeakKeyDictionary()


def get_hub() -> StreamHub:
    """The running loop's hub (created on first use)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = StreamHub(loop)
    return hub
