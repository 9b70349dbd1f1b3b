"""Request bodies over the cap are refused with 413 before Django reads them: by Content-Length
without reading a byte, and by counting a body sent without one, so nothing is spooled to disk.

Found by trying it: a 400 MB body was written to a temporary file before anything looked at it.
"""

import io
import tempfile

import pytest
from asgiref.sync import async_to_sync

from config.asgi import application
from config.wsgi import application as wsgi_application
from core.body_limit import ASGIBodyLimit, limit_for

CHUNK = 64 * 1024


def _scope(path="/chat/new/", headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"tenant-a.localhost"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


class Body:
    """An ASGI receive() sending ``total`` bytes in chunks, counting what was read."""

    def __init__(self, total: int):
        self.total = total
        self.read = 0

    async def __call__(self):
        if self.read >= self.total:
            return {"type": "http.disconnect"}
        size = min(CHUNK, self.total - self.read)
        self.read += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.read < self.total}


def _call(app, scope, receive):
    sent = []

    async def send(message):
        sent.append(message)

    async_to_sync(app)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


@pytest.fixture
def temp_files(monkeypatch):
    """Every temporary file created (a spooled body rolls over into one)."""
    made = []
    real = tempfile.TemporaryFile

    def recording(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    return made


def test_it_refuses_by_content_length_without_reading_the_body(settings):
    settings.REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024
    body = Body(400 * 1024 * 1024)
    status, headers, page = _call(application, _scope(headers=[(b"content-length", b"419430400")]), body)
    assert status == 413 and body.read == 0
    assert b"at most 2 MB" in page


def test_it_refuses_a_streamed_body_as_soon_as_it_passes_the_cap_and_spools_nothing(settings, temp_files):
    settings.REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024
    body = Body(10 * 1024 * 1024)  # chunked: no Content-Length
    status, _headers, _page = _call(application, _scope(), body)
    assert status == 413
    assert body.read <= settings.REQUEST_BODY_MAX_BYTES + CHUNK  # stopped at the cap, not at 10 MB
    assert temp_files == []  # nothing reached a file


def test_upload_paths_may_send_up_to_the_upload_cap(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    settings.REQUEST_BODY_UPLOAD_MAX_BYTES = 5000
    settings.REQUEST_BODY_UPLOAD_PATHS = [r"^/documents/", r"^/chat/[0-9a-f-]{36}/files/"]
    assert limit_for("/documents/") == limit_for("/chat/6f1c2d4e-0000-4000-8000-000000000000/files/") == 5000
    assert limit_for("/chat/new/") == limit_for("/documents-not/") == 1000

    async def echo(scope, receive, send):  # the application behind: reads the whole body
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})

    guarded = ASGIBodyLimit(echo)
    assert _call(guarded, _scope("/documents/"), Body(4000))[::2] == (200, b"4000")
    assert _call(guarded, _scope("/documents/"), Body(6000))[0] == 413
    assert _call(guarded, _scope("/chat/new/"), Body(1000))[::2] == (200, b"1000")
    assert _call(guarded, _scope("/chat/new/"), Body(1001))[0] == 413


def test_the_wsgi_application_refuses_by_content_length(settings):
    settings.REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    statuses = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/chat/new/",
        "CONTENT_LENGTH": str(400 * 1024 * 1024),
        "HTTP_HOST": "tenant-a.localhost",
        "HTTP_ACCEPT_LANGUAGE": "sl",
        "wsgi.input": Unreadable(),
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
    }
    body = b"".join(wsgi_application(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["413 Request Entity Too Large"]
    assert b'lang="sl"' in body
