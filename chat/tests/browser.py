"""Browser test set-up: a committed tenant, uvicorn (ASGI, for SSE) and a Celery worker in threads.

pytest-django wraps tests in transactions other threads cannot see, and transactional tests flush
the public schema, so this data is committed once, in its own tenant, and dropped at the end.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SUBDOMAIN = "chat-browser"
CHROMIUM = "/usr/bin/chromium"
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


def slow_engine(delay: float = 0.04, text: str = ANSWER):
    """An engine.run stand-in for the browser: the real event shapes, a markdown answer, word by word."""
    from orchestration import engine

    def run(request, *, retriever=None, should_stop=lambda: False):
        yield engine.Event("phase", {"name": "answer", "status": "started", "provider": "offline", "detail": ""})
        yield engine.Event(
            "sources",
            {
                "sources": [
                    {
                        "title": "Redis streams",
                        "url": "https://redis.io/docs/",
                        "kind": "web",
                        "access_date": "2026-11-23",
                    }
                ]
            },
        )
        stopped = False
        words = text.split(" ")
        for i, word in enumerate(words):
            if should_stop():
                stopped = True
                break
            time.sleep(delay)
            yield engine.Event("delta", {"text": word if i == 0 else " " + word})
        yield engine.Event(
            "usage",
            {
                "provider": "offline",
                "model": "offline",
                "prompt_tokens": 42,
                "completion_tokens": 120,
                "cost": 0.0021,
                "platform": True,
            },
        )
        yield engine.Event(
            "done",
            {
                "meta_data": {
                    "orchestration": {
                        "orchestration_strategy": "single_provider",
                        "providers_used": ["offline"],
                        "processing_time_ms": 0,
                        "confidence_score": 0.9,
                        "query_analysis": {"complexity": "SIMPLE"},
                        "phase_details": {"answer_phase": "offline provider"},
                        "sources_included": [
                            {"title": "Redis streams", "url": "https://redis.io/docs/", "access_date": "2026-11-23"}
                        ],
                    },
                    "tokens_used": {"offline": 162, "total": 162},
                    "cost_breakdown": {"total_cost": 0.0021, "per_provider": {"offline": 0.0021}},
                },
                "model_name": "offline",
                "prompt_tokens": 42,
                "completion_tokens": 120,
                "stopped": stopped,
            },
        )

    return run


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
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return port

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        if self.worker_cm is not None:
            self.worker_cm.__exit__(None, None, None)
