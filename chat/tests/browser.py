"""Browser test set-up: a committed tenant, uvicorn (ASGI, for SSE) and a Celery worker in threads.

pytest-django wraps tests in transactions other threads cannot see, and transactional tests flush
the public schema, so this data is committed once, in its own tenant, and dropped at the end.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SUBDOMAIN = "chat-browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

ANSWER = """Here is a **short comparison** of the three options:

| Option | Speed | Cost |
|:--|:--:|--:|
| Redis streams | fast | low |
| Polling | slow | low |
| WebSockets | fast | medium |

```python
def relay(stream):
    for event in stream:
        yield f"data: {event}\\n\\n"
```

1. Streams survive a reload.
2. Polling wastes requests.

See [the docs](https://redis.io/docs/latest/develop/data-types/streams/) for more."""


@dataclass
class Live:
    base_url: str
    host: str
    tenant: object
    user_email: str
    password: str
    session: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SOURCES = [{"url": "https://redis.io/docs/", "title": "Redis streams"}]
PROMPT_TOKENS = 42
CHUNK_DELAY = 0.02  # between the fake provider's words: the answer streams in visibly
PAUSE_AT = 5  # ``paused`` answers stop after "Here is a **short comparison**" until fake_llm.resume()


def completion_tokens(text: str = ANSWER) -> int:
    """What the fake provider reports for ``text``: one token per streamed word."""
    return len(text.split(" "))


def answer_like_a_provider(fake_llm, *, paused: bool = False, text: str = ANSWER) -> None:
    """Point the platform at the fake provider server: Perplexity (through the OpenAI SDK) answers
    ``text`` word by word with web citations; the real engine, Celery task and stream do the rest.

    ``paused``: the provider stops after :data:`PAUSE_AT` words and goes on at ``fake_llm.resume()``,
    so a test acts mid-answer (stop, reload) on an event instead of racing the stream."""
    fake_llm.platform("perplexity")
    fake_llm.behave(
        text=text,
        chunk_delay=CHUNK_DELAY,
        citations=SOURCES,
        prompt_tokens=PROMPT_TOKENS,
        pause_after=PAUSE_AT if paused else None,
    )


def chromium_or_fail() -> str:
    """The Chromium to drive (core.tools: CHORUS_CHROMIUM, Debian's, Playwright's); a missing one fails
    the browser tests with the line that says what to install, never skips them."""
    import pytest

    from core import tools

    path = tools.chromium()
    if path is None:
        pytest.fail(
            f"Chromium is missing for the browser tests ({tools.chromium_path()} not found): "
            "run `make test` (installs it), `sudo apt-get install chromium`, or set CHORUS_CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    return path


def _uvicorn_server(config):
    """uvicorn's Server, saying through ``listening`` (an Event) when it listens or gave up,
    instead of being polled."""
    import uvicorn

    class Server(uvicorn.Server):
        listening = threading.Event()

        async def startup(self, sockets=None):
            try:
                await super().startup(sockets=sockets)
            finally:
                self.listening.set()

    return Server(config)


class Servers:
    def __init__(self):
        self.server = None
        self.thread = None
        self.worker_cm = None

    def start(self) -> int:
        import uvicorn
        from celery.contrib.testing.worker import start_worker

        from config.celery_app import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_declare("orchestration", passive=False, durable=True, auto_delete=False)
            conn.default_channel.queue_purge("orchestration")
        self.worker_cm = start_worker(
            app,
            pool="threads",
            concurrency=4,
            perform_ping_check=False,
            loglevel="WARNING",
            queues=["orchestration"],
            shutdown_timeout=10,
        )
        self.worker_cm.__enter__()
        port = free_port()
        config = uvicorn.Config(
            "config.asgi:application", host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self.server = _uvicorn_server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        if not self.server.listening.wait(timeout=30) or not self.server.started:
            raise RuntimeError("uvicorn did not start")
        return port

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        if self.worker_cm is not None:
            self.worker_cm.__exit__(None, None, None)
