"""Files served by views, under WSGI and under ASGI.

Django's FileResponse iterates its file synchronously; under ASGI (uvicorn, production) Django then
warns "StreamingHttpResponse must consume synchronous iterators..." and reads the whole file in a
thread into a list before sending any of it. ``file_response`` keeps FileResponse's headers and its
closing of the file, and gives it a body of the request's kind: under ASGI an async iterator that
reads each block in a thread, under WSGI a plain one (or FileResponse's own for a whole file, which
WSGI servers may send with sendfile)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any, BinaryIO

from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse

CHUNK = 64 * 1024


def _blocks(fh: BinaryIO, start: int, length: int | None) -> Iterator[bytes]:
    fh.seek(start)
    while length is None or length > 0:
        block = fh.read(CHUNK if length is None else min(CHUNK, length))
        if not block:
            return
        if length is not None:
            length -= len(block)
        yield block


async def _ablocks(fh: BinaryIO, start: int, length: int | None) -> AsyncIterator[bytes]:
    await asyncio.to_thread(fh.seek, start)
    while length is None or length > 0:
        block = await asyncio.to_thread(fh.read, CHUNK if length is None else min(CHUNK, length))
        if not block:
            return
        if length is not None:
            length -= len(block)
        yield block


def file_response(request, fh: BinaryIO, *, start: int = 0, length: int | None = None, **kwargs: Any) -> FileResponse:
    """FileResponse(fh, **kwargs) sending ``length`` bytes from ``start`` (all of it by default);
    the file is closed when the response is."""
    response = FileResponse(fh, **kwargs)
    if length is not None:
        response["Content-Length"] = str(length)
    if isinstance(request, ASGIRequest):
        response.streaming_content = _ablocks(fh, start, length)
    elif start or length is not None:
        response.streaming_content = _blocks(fh, start, length)
    return response
