"""A fake LLM provider server on 127.0.0.1 that speaks the real wire formats.

It serves, on one ephemeral port, what the official SDKs call through their base URLs:

- OpenAI ``POST /v1/chat/completions`` (streaming SSE with a final usage chunk when
  ``stream_options.include_usage``, and non-streaming), ``/v1/embeddings``, ``/v1/moderations``;
  the same paths without ``/v1`` for Perplexity, whose chunks also carry ``citations`` and
  ``search_results``;
- Anthropic ``POST /v1/messages`` (streaming message_start / content_block_* / message_delta /
  message_stop with usage, and non-streaming).

Behaviour is set per model name (``"*"`` is the default) with :meth:`FakeLLM.behave`: answer text,
latency before the first byte and between chunks, an error status (401, 429, 500, ...) for every
or only the first N requests, a hang after N chunks, a pause after N chunks until the test calls
:meth:`FakeLLM.resume` (so a test can act mid-answer without racing the stream), a malformed chunk
after N chunks, citations, a refusal. Every request is recorded with its headers, body, start/end
times and whether its response went out to the end (``sent_to_end``: False when the client hung up),
so tests assert on overlap and on early hang-ups instead of on durations.

    with FakeLLM() as fake:
        fake.behave("gpt-4o", text="Hi there", chunk_delay=0.01)
        client = openai.OpenAI(api_key="k", base_url=fake.openai_base_url)
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODERATION_CATEGORIES = [
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence",
    "violence/graphic",
]  # fmt: skip
DEFAULT_MODELS = ["fake-large", "fake-small"]
FLAG_WORD = "FLAGME"  # a moderation input containing this word is flagged (category "harassment")


@dataclass
class Behaviour:
    text: str = "This is the fake model's answer."
    first_delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between streamed chunks
    status: int | None = None  # answer with this HTTP error status
    fail_times: int | None = None  # only the first N requests fail with `status` (None: all)
    hang_after: int | None = None  # stream this many chunks, then hang (until hang_seconds or close)
    hang_seconds: float = 30.0
    pause_after: int | None = None  # stream this many chunks, then wait for FakeLLM.resume() (at most hang_seconds)
    malformed_after: int | None = None  # stream this many chunks, then a chunk that is not JSON
    citations: list[dict] = field(default_factory=list)  # [{"url", "title"}] (perplexity style)
    refusal: bool = False  # finish with a content-filter / refusal stop reason
    prompt_tokens: int = 12
    redirect_to: str | None = None  # answer 307 to this URL (clients must not follow it)
    calls: int = 0  # requests seen so far (for fail_times)


@dataclass
class Recorded:
    path: str
    model: str
    body: dict
    headers: dict
    started: float
    finished: float = 0.0
    status: int = 200
    sent_to_end: bool = False  # the whole response went out (False: the client hung up first)
    handled: bool = False  # the handler is done with it (wait_finished waits for this)
    nodelay: bool = False  # TCP_NODELAY was on for the connection (no delayed-ACK stall between writes)

    @property
    def images(self) -> list[dict]:
        """The image parts the request carried, in order, as {"mime_type", "data" (bytes)}:
        OpenAI ``image_url`` parts with base64 data URLs and Anthropic base64 ``image`` blocks."""
        found = []
        for message in self.body.get("messages") or []:
            content = message.get("content")
            for part in content if isinstance(content, list) else []:
                if part.get("type") == "image_url":
                    url = (part.get("image_url") or {}).get("url", "")
                    head, _sep, data = url.partition(",")
                    found.append({"mime_type": head.removeprefix("data:").split(";")[0],
                                  "data": base64.b64decode(data)})  # fmt: skip
                elif part.get("type") == "image":
                    source = part.get("source") or {}
                    found.append({"mime_type": source.get("media_type", ""), "data": base64.b64decode(source["data"])})
        return found

    def text(self) -> str:
        """Every text the request's messages carried (string contents and text parts), joined."""
        out = []
        for message in self.body.get("messages") or []:
            content = message.get("content")
            if isinstance(content, str):
                out.append(content)
            for part in content if isinstance(content, list) else []:
                if part.get("type") == "text":
                    out.append(part.get("text", ""))
        return "\n".join(out)


def _chunks(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: a JSON answer goes out as two writes (headers, body); with Nagle on, the body
    # waits for the client's delayed ACK of the headers on a kept-alive connection, ~40 ms per
    # non-streamed call (moderation, embeddings) that no real provider adds.
    disable_nagle_algorithm = True
    server: _Server
    _rec: Recorded

    def log_message(self, format, *args):  # noqa: A002 - quiet in tests
        pass

    # --- plumbing ------------------------------------------------------------------------
    def _done(self) -> None:
        """Mark the request finished before its last bytes go out, so a client that has the whole
        response also sees ``finished`` set."""
        self._rec.finished = time.monotonic()

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self._done()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self._rec.sent_to_end = True

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write(self, data: str) -> None:
        raw = data.encode()
        self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self._done()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self._rec.sent_to_end = True

    def _sse(self, payload: Any, event: str | None = None) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self._write((f"event: {event}\n" if event else "") + f"data: {data}\n\n")

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.server.closing.wait(seconds)

    # --- dispatch ------------------------------------------------------------------------
    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        path = self.path.split("?")[0]
        if path.startswith("/v1/"):
            path = path[3:]
        model = str(body.get("model", ""))
        rec = Recorded(
            path=path,
            model=model,
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
            started=time.monotonic(),
            nodelay=bool(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)),
        )
        self._rec = rec
        self.server.fake._record(rec)
        beh = self.server.fake._take(model)
        try:
            self._pause(beh.first_delay)
            if beh.status and (beh.fail_times is None or beh.calls <= beh.fail_times):
                rec.status = beh.status
                return self._error(path, beh.status)
            if beh.redirect_to:
                rec.status = 307
                moved = {"error": {"message": "moved", "type": "redirect"}}
                return self._json(307, moved, {"Location": beh.redirect_to})
            if path == "/chat/completions":
                return self._openai_chat(body, beh)
            if path == "/messages":
                return self._anthropic_messages(body, beh)
            if path == "/embeddings":
                return self._embeddings(body)
            if path == "/moderations":
                return self._moderations(body)
            rec.status = 404
            return self._json(404, {"error": {"message": f"unknown path {self.path}", "type": "not_found"}})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a stop, a timeout): that is the point of some tests
        finally:
            self.server.fake._finished(rec)

    def do_GET(self):  # noqa: N802 - the models list (OpenAI ``/v1/models``, Anthropic ``/v1/models``)
        path = self.path.split("?")[0]
        if path.startswith("/v1/"):
            path = path[3:]
        rec = Recorded(path=path, model="", body={}, headers={k.lower(): v for k, v in self.headers.items()},
                       started=time.monotonic())  # fmt: skip
        self._rec = rec
        self.server.fake._record(rec)
        try:
            if path != "/models":
                rec.status = 404
                return self._json(404, {"error": {"message": f"unknown path {self.path}", "type": "not_found"}})
            beh = self.server.fake._take("/models")
            if beh.status and (beh.fail_times is None or beh.calls <= beh.fail_times):
                rec.status = beh.status
                return self._error("/messages" if "anthropic-version" in rec.headers else path, beh.status)
            names = self.server.fake.models
            if "anthropic-version" in rec.headers:
                data = [{"type": "model", "id": n, "display_name": n, "created_at": "2026-01-01T00:00:00Z"}
                        for n in names]  # fmt: skip
                first, last = (names[0], names[-1]) if names else (None, None)
                return self._json(200, {"data": data, "has_more": False, "first_id": first, "last_id": last})
            data = [{"id": n, "object": "model", "created": 0, "owned_by": "fake"} for n in names]
            return self._json(200, {"object": "list", "data": data})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.server.fake._finished(rec)

    def _error(self, path: str, status: int) -> None:
        kinds = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error",
                 500: "api_error", 503: "overloaded_error", 529: "overloaded_error"}  # fmt: skip
        kind = kinds.get(status, "api_error")
        headers = {"retry-after-ms": "5"}
        if path == "/messages":
            return self._json(status, {"type": "error", "error": {"type": kind, "message": f"fake {kind}"}}, headers)
        return self._json(status, {"error": {"message": f"fake {kind}", "type": kind, "code": None}}, headers)

    # --- OpenAI / Perplexity -------------------------------------------------------------
    def _openai_chat(self, body: dict, beh: Behaviour) -> None:
        model = body.get("model", "")
        pieces = _chunks(beh.text)
        finish = "content_filter" if beh.refusal else "stop"
        usage = {"prompt_tokens": beh.prompt_tokens, "completion_tokens": len(pieces),
                 "total_tokens": beh.prompt_tokens + len(pieces)}  # fmt: skip
        extra: dict = {}
        if beh.citations:
            extra = {"citations": [c["url"] for c in beh.citations],
                     "search_results": [{"url": c["url"], "title": c.get("title", ""), "date": c.get("date")}
                                        for c in beh.citations]}  # fmt: skip
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        if not body.get("stream"):
            return self._json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": beh.text},
                             "finish_reason": finish, "logprobs": None}],
                "usage": usage, **extra,
            })  # fmt: skip
        self._start_stream()
        self._sse({**base, **extra, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                 "finish_reason": None}]})  # fmt: skip
        for i, piece in enumerate(pieces):
            if beh.hang_after is not None and i == beh.hang_after:
                self._pause(beh.hang_seconds)
                return
            if beh.pause_after is not None and i == beh.pause_after:
                self.server.fake._paused(beh.hang_seconds)
            if beh.malformed_after is not None and i == beh.malformed_after:
                self._write('data: {"choices": [ this is not json\n\n')
                self._end_stream()
                return
            self._pause(beh.chunk_delay if i else 0)
            self._sse({**base, **extra, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        self._sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._sse({**base, "choices": [], "usage": usage})
        self._sse("[DONE]")
        self._end_stream()

    def _embeddings(self, body: dict) -> None:
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        dims = int(body.get("dimensions") or 8)
        data = []
        as_base64 = body.get("encoding_format") == "base64"  # what the SDK asks for unless told otherwise
        for i, text in enumerate(inputs):
            digest = hashlib.sha256(str(text).encode()).digest()
            vec = [(digest[j % len(digest)] - 128) / 128 for j in range(dims)]
            # the real API answers base64 little-endian float32 when asked, and the SDK decodes it
            # (a float list instead makes the SDK build a model object per number: ~1 s per batch)
            embedding = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode() if as_base64 else vec
            data.append({"object": "embedding", "index": i, "embedding": embedding})
        tokens = sum(len(str(t).split()) for t in inputs)
        self._json(200, {"object": "list", "data": data, "model": body.get("model", ""),
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})  # fmt: skip

    def _moderations(self, body: dict) -> None:
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        results = []
        for text in inputs:
            flagged = FLAG_WORD in str(text)
            cats = {c: (flagged and c == "harassment") for c in MODERATION_CATEGORIES}
            scores = {c: (0.97 if cats[c] else 0.001) for c in MODERATION_CATEGORIES}
            results.append({"flagged": flagged, "categories": cats, "category_scores": scores,
                            "category_applied_input_types": {c: ["text"] for c in MODERATION_CATEGORIES}})  # fmt: skip
        self._json(200, {"id": "modr-fake", "model": body.get("model") or "omni-moderation-latest",
                         "results": results})  # fmt: skip

    # --- Anthropic -----------------------------------------------------------------------
    def _anthropic_messages(self, body: dict, beh: Behaviour) -> None:
        model = body.get("model", "")
        pieces = _chunks(beh.text)
        stop = "refusal" if beh.refusal else "end_turn"
        if not body.get("stream"):
            return self._json(200, {
                "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": beh.text}], "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": beh.prompt_tokens, "output_tokens": len(pieces)},
            })  # fmt: skip
        self._start_stream()
        self._sse({"type": "message_start", "message": {
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": beh.prompt_tokens, "output_tokens": 1},
        }}, event="message_start")  # fmt: skip
        self._sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                  event="content_block_start")  # fmt: skip
        self._sse({"type": "ping"}, event="ping")
        for i, piece in enumerate(pieces):
            if beh.hang_after is not None and i == beh.hang_after:
                self._pause(beh.hang_seconds)
                return
            if beh.pause_after is not None and i == beh.pause_after:
                self.server.fake._paused(beh.hang_seconds)
            if beh.malformed_after is not None and i == beh.malformed_after:
                self._write("event: content_block_delta\ndata: {this is not json\n\n")
                self._end_stream()
                return
            self._pause(beh.chunk_delay if i else 0)
            self._sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
                      event="content_block_delta")  # fmt: skip
        self._sse({"type": "content_block_stop", "index": 0}, event="content_block_stop")
        self._sse({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                   "usage": {"output_tokens": len(pieces)}}, event="message_delta")  # fmt: skip
        self._sse({"type": "message_stop"}, event="message_stop")
        self._end_stream()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeLLM
    closing: threading.Event

    def handle_error(self, request, client_address):
        pass  # clients that hang up mid-request (stops, timeouts) are expected here


class FakeLLM:
    """The server; start with ``FakeLLM()`` (it listens at once), stop with :meth:`close`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a request finished
        self._behaviours: dict[str, Behaviour] = {}
        self.requests: list[Recorded] = []
        self.models: list[str] = list(DEFAULT_MODELS)  # what GET /models reports (behave("/models", ...) fails it)
        self._gate = threading.Event()  # set by resume(): paused streams go on
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._server.closing = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    @property
    def perplexity_base_url(self) -> str:
        return self.url

    def behave(self, model: str = "*", **kwargs) -> Behaviour:
        """Set how requests for ``model`` are answered (``"*"``: every model without its own)."""
        with self._lock:
            beh = Behaviour(**kwargs)
            self._behaviours[model] = beh
            return beh

    def reset(self) -> None:
        with self._lock:
            self._behaviours.clear()
            self.requests.clear()
            self.models = list(DEFAULT_MODELS)
            self._gate.set()  # a stream still paused from an earlier test goes on
            self._gate = threading.Event()

    def resume(self) -> None:
        """Let every stream paused by ``pause_after`` go on (and later ones not pause)."""
        with self._lock:
            self._gate.set()

    def _paused(self, seconds: float) -> None:
        with self._lock:
            gate = self._gate
        gate.wait(seconds)

    def requests_for(self, model: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests if (model is None or r.model == model) and (path is None or r.path == path)
            ]

    def wait_finished(self, timeout: float = 5.0) -> None:
        """Wait until the server has finished (or given up on) every request it received."""
        with self._changed:
            if not self._changed.wait_for(lambda: all(r.handled for r in self.requests), timeout):
                raise TimeoutError("the fake LLM server is still answering")

    def _finished(self, rec: Recorded) -> None:
        with self._changed:
            rec.finished = rec.finished or time.monotonic()
            rec.handled = True
            self._changed.notify_all()

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _take(self, model: str) -> Behaviour:
        with self._lock:
            beh = self._behaviours.get(model) or self._behaviours.setdefault("*", Behaviour())
            beh.calls += 1
            return replace(beh)

    def close(self) -> None:
        self._server.closing.set()  # releases hanging handlers
        self._gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLM:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
