"""Request bodies capped before Django reads them: 413 by Content-Length, or by counting the bytes.

Django's ASGI handler reads the whole body into a spooled temporary file before any middleware or
view runs (past FILE_UPLOAD_MAX_MEMORY_SIZE it goes to disk), so a 400 MB body was written to a temp
file just to be refused. This wraps the ASGI application: a Content-Length above the path's cap is
refused before a byte is read; a body sent without one (chunked) is counted as it arrives and
refused as soon as it passes the cap, and Django is told the client went away (it stops and
answers nothing). The WSGI wrapper refuses by Content-Length (WSGI servers give Django no more
than Content-Length bytes, and none without one).

Caps (settings): REQUEST_BODY_MAX_BYTES everywhere, REQUEST_BODY_UPLOAD_MAX_BYTES on paths that
match one of REQUEST_BODY_UPLOAD_PATHS (regular expressions; apps that accept files add theirs).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header


@lru_cache(maxsize=16)
def _upload_patterns(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(p) for p in patterns]


def limit_for(path: str) -> int:
    """The largest body accepted on ``path``, in bytes."""
    for pattern in _upload_patterns(tuple(settings.REQUEST_BODY_UPLOAD_PATHS)):
        if pattern.search(path):
            return int(settings.REQUEST_BODY_UPLOAD_MAX_BYTES)
    return int(settings.REQUEST_BODY_MAX_BYTES)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _language(accept: str) -> str:
    for lang, _q in parse_accept_lang_header(accept or ""):
        if lang == "*":
            break
        try:
            return get_supported_language_variant(lang)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def refusal_body(limit: int, accept_language: str = "") -> bytes:
    with translation.override(_language(accept_language)):
        return render_to_string(
            "413.html", {"limit": _size(limit), "LANGUAGE_CODE": translation.get_language()}
        ).encode()


def _content_length(value: str | bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ASGIBodyLimit:
    """ASGI middleware around the Django application (config/asgi.py)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        length = _content_length(headers.get(b"content-length"))
        if length is not None and length > limit:
            return await self._refuse(send, limit, accept)
        received = 0
        refused = False

        async def counting_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await self._refuse(send, limit, accept)
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, send, limit: int, accept: str) -> None:
        body = refusal_body(limit, accept)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class WSGIBodyLimit:
    """WSGI middleware around the Django application (config/wsgi.py): refuses by Content-Length."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        limit = limit_for(environ.get("PATH_INFO", ""))
        length = _content_length(environ.get("CONTENT_LENGTH") or None)
        if length is not None and length > limit:
            body = refusal_body(limit, environ.get("HTTP_ACCEPT_LANGUAGE", ""))
            start_response(
                "413 Request Entity Too Large",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Connection", "close"),
                ],
            )
            return [body]
        return self.app(environ, start_response)
