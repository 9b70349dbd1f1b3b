"""The answer's event stream (SSE): an async view relaying the message's Redis stream.

Access is checked before the first byte (the owner only; everyone else gets 404). The stream
resumes after ``Last-Event-ID`` (the browser sends it when it reconnects) or ``?last_id=``, and
ends with the ``end`` event. An open stream holds no thread and no Redis connection of its own: it
waits on a queue fed by the event loop's one shared reader (chat.streaming.hub).
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import aclosing

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import ngettext

from .. import admission
from ..models import Message
from . import hub as stream_hub
from .keys import END, heartbeat_key, stream_key

KEEPALIVE_SECONDS = 15  # a keep-alive comment at least this often
BLOCK_MS = KEEPALIVE_SECONDS * 1000
BACKLOG_PAGE = 500
MAX_SECONDS = 600  # then the browser reconnects with Last-Event-ID
_EVENT_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


def _release_db_connection() -> None:
    """Close this thread's database connection (outside a transaction; tests run inside one).

    Under ASGI each request's sync code runs in the request's own thread, and its connection stays
    open until the response ends, which for a stream is minutes later; the stream itself needs no
    database, so one connection per open stream would exhaust PostgreSQL (max_connections=100)."""
    if not connection.in_atomic_block:
        connection.close()


def _access(request, message_id):
    """The stream's schema and the message's status and error, for its owner; else Http404.

    One trip to a thread for the user (session) and the message."""
    if getattr(request, "tenant", None) is not None:
        connection.set_tenant(request.tenant)  # before the user is read: this thread's connection may be elsewhere
    user = request.user
    if not user.is_authenticated:
        _release_db_connection()
        raise Http404
    row = (
        Message.objects.filter(
            pk=message_id,
            conversation__user=user,
            conversation__deleted_at__isnull=True,
            deleted_at__isnull=True,
        )
        .values_list("status", "error_message")
        .first()
    )
    schema = connection.schema_name
    _release_db_connection()
    if row is None:
        raise Http404
    return schema, row[0], row[1]


def _recover(schema: str, message_id) -> str:
    """A quiet stream whose writer has no heartbeat: recover its answer (chat.services.generation)."""
    from django_tenants.utils import schema_context

    from ..services.generation import generation_recover

    try:
        with schema_context(schema):
            return generation_recover(message_id=message_id)
    finally:
        _release_db_connection()


async def _events(key: str, last_id: str, status: str, error: str, watch=None):
    """Backlog after ``last_id`` from Redis, then live entries from the loop's shared reader.

    Subscribes before reading the backlog (see chat.streaming.hub): nothing is missed, and ids at or
    below the last one sent are dropped, so nothing is sent twice. Whatever is queued when the
    response gets to run is sent as one chunk. ``watch``: awaited when the stream was quiet for a
    keep-alive (it checks the writer's heartbeat)."""
    hub = stream_hub.get_hub()
    sub = hub.subscribe(key, last_id)
    try:
        yield "retry: 1500\n\n"
        r = hub.commands
        if status in Message.FINAL and not await r.exists(key):
            # Finished long ago (the stream expired): say so and end.
            yield sse_frame(None, END, {"status": status, "message": error})
            return
        last = stream_hub.id_key(last_id) if last_id != "0" else (0, 0)
        start = f"({last_id}" if last_id != "0" else "-"
        while True:  # the backlog, a page at a time
            page = await r.xrange(key, min=start, count=BACKLOG_PAGE)
            if not page:
                break
            chunk, last, ended = _frames(page, last)
            if chunk:
                yield chunk
            if ended:
                return
            hub.advance(key, page[-1][0])
            if len(page) < BACKLOG_PAGE:
                break
            start = f"({page[-1][0]}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_SECONDS
        while not sub.overflowed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            entries = sub.drain()
            if not entries:
                try:
                    async with asyncio.timeout(min(KEEPALIVE_SECONDS, remaining)):
                        entries = await sub.queue.get()
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    if watch is not None:
                        await watch()
                    continue
                entries = entries + sub.drain()
            chunk, last, ended = _frames(entries, last)
            if chunk:
                yield chunk
            if ended:
                return
        # Overflowed (the client reads too slowly): end here; the browser resumes after the last id.
    finally:
        hub.unsubscribe(sub)


_END_FRAME = f"\nevent: {END}\n"
_background: set[asyncio.Task] = set()


async def _holding_place(events, release):
    """``events``, giving the user's stream place back when they end: before the ``end`` frame goes
    out (so the response still ends the moment it is sent), or, when the client went away or the
    stream stopped early, in a task of the loop."""
    released = False
    try:
        async with aclosing(events):
            async for chunk in events:
                if not released and _END_FRAME in "\n" + chunk:
                    released = True
                    await release()
                yield chunk
    finally:
        if not released:
            task = asyncio.get_running_loop().create_task(release())
            _background.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(_background.discard)


def _frames(entries, last: tuple[int, int]) -> tuple[str, tuple[int, int], bool]:
    """SSE frames of the entries after ``last`` (up to and including ``end``), as one string."""
    parts = []
    for event_id, fields in entries:
        current = stream_hub.id_key(event_id)
        if current <= last:
            continue  # already sent (backlog and the shared reader overlap)
        last = current
        parts.append(sse_frame(event_id, fields["type"], fields["data"]))
        if fields["type"] == END:
            return "".join(parts), last, True
    return "".join(parts), last, False


async def message_stream(request, message_id):
    schema, status, error = await sync_to_async(_access)(request, message_id)
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last_id") or "0"
    if last_id != "0" and not _EVENT_ID.match(last_id):
        last_id = "0"
    key = stream_key(message_id, schema)
    # A cap on the streams one user holds open (each costs the server a subscription).
    user_id = request.user.pk  # already read by _access
    token, retry_after = await admission.stream_open(stream_hub.get_hub().commands, schema=schema, user_id=user_id)
    if token is None:
        return _too_many_streams(retry_after)

    async def release():
        await admission.stream_close(stream_hub.get_hub().commands, schema=schema, user_id=user_id, token=token)

    async def watch():  # a quiet stream: is its writer alive? (a dead one's answer is redelivered)
        if not await stream_hub.get_hub().commands.exists(heartbeat_key(message_id, schema)):
            await sync_to_async(_recover)(schema, message_id)

    response = StreamingHttpResponse(
        _holding_place(_events(key, last_id, status, error, watch), release), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


def _too_many_streams(retry_after: int) -> HttpResponse:
    text = ngettext(
        "You have too many answers open at once (at most %(n)d). Close some tabs, or try again in %(s)d second.",
        "You have too many answers open at once (at most %(n)d). Close some tabs, or try again in %(s)d seconds.",
        retry_after,
    ) % {"n": admission.streams_cap(), "s": retry_after}
    response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def sse_frame(event_id: str | None, type_: str, data: dict | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {type_}\ndata: {payload}\n\n"


def parse_sse(body: str) -> list[tuple[str | None, str, dict]]:
    """(id, event, data) of each frame of an SSE body; used by tests and benchmarks."""
    frames = []
    for block in body.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if "event" in fields:
            frames.append((fields.get("id"), fields["event"], json.loads(fields.get("data") or "{}")))
    return frames
