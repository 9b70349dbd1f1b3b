"""The browser tests' one live-server set-up, used by every app's browser tests (chat, documents,
accounts): uvicorn (ASGI, for SSE) and a real Celery worker in threads (:class:`Servers`,
:func:`serve`), a committed workspace served by them (:func:`live_workspace`), Chromium
(:func:`browser_instance`) and pages signed in to it (:func:`open_context`).

pytest-django wraps tests in transactions other threads cannot see, so a workspace the servers
serve is committed once, in its own tenant, and dropped at the end.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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


SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@dataclass
class Live:
    base_url: str
    host: str
    tenant: object
    user_email: str
    password: str
    session: str
    port: int = 0

    @property
    def public_url(self) -> str:
        """The public host (landing page, workspace signup) of the same servers."""
        return f"http://localhost:{self.port}"


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
    """uvicorn and a Celery worker (threads pool) on ``queues``: ``orchestration`` answers,
    ``documents`` processes uploads, ``celery`` (the default queue) provisions workspaces and
    sends e-mails. Each queue is emptied first (tasks other tests left in the broker)."""

    def __init__(self, queues: Iterable[str] = ("orchestration",)):
        self.queues = list(queues)
        self.server = None
        self.thread = None
        self.worker_cm = None

    def start(self) -> int:
        import uvicorn
        from celery.contrib.testing.worker import start_worker

        from config.celery_app import app

        with app.connection_for_write() as conn:
            for queue in self.queues:
                conn.default_channel.queue_declare(queue, passive=False, durable=True, auto_delete=False)
                conn.default_channel.queue_purge(queue)
        self.worker_cm = start_worker(
            app,
            pool="threads",
            concurrency=4,
            perform_ping_check=False,
            loglevel="WARNING",
            queues=self.queues,
            # it waits for its running tasks (an answer, a document job) when it stops: 10 s was
            # too short at load 16 (docs/PERFORMANCE.md, streamed markdown); a hang still fails
            shutdown_timeout=60,
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


def _drop_server_connections() -> None:
    """End the database sessions the server and worker threads kept open (their threads are gone)."""
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@contextmanager
def serve(django_db_blocker, *, queues: Iterable[str] = ("orchestration",)) -> Iterator[int]:
    """uvicorn and a Celery worker on ``queues`` for the block; yields the port. Call it outside a
    test's transaction (a session- or module-scoped fixture)."""
    from django.db import connections

    servers = Servers(queues)
    with django_db_blocker.unblock():
        port = servers.start()
        try:
            yield port
        finally:
            servers.stop()
            _drop_server_connections()
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()


def drop_workspaces(django_db_blocker, **lookup) -> None:
    """Delete the workspaces matching ``lookup`` (rows and schemas), committed."""
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        for tenant in Tenant.objects.filter(**lookup):
            tenant.delete(force_drop=True)


@contextmanager
def live_workspace(
    django_db_blocker,
    *,
    subdomain: str,
    name: str,
    owner_email: str,
    owner_name: str,
    queues: Iterable[str] = ("orchestration",),
) -> Iterator[Live]:
    """A committed, provisioned workspace whose owner has a session, served by :func:`serve`;
    dropped at the end (with every connection the servers kept open)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from conftest import PASSWORD
    from tenants.models import Tenant
    from tenants.services import tenant_create, tenant_provision

    with django_db_blocker.unblock():
        Tenant.objects.filter(subdomain=subdomain).delete()
        tenant = tenant_create(
            name=name,
            subdomain=subdomain,
            owner_email=owner_email,
            owner_password=PASSWORD,
            owner_name=owner_name,
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk)
        with schema_context(tenant.schema_name):
            client = Client(HTTP_HOST=f"{subdomain}.localhost")
            client.force_login(User.objects.get(email=owner_email))
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
        connection.set_schema_to_public()
    try:
        with serve(django_db_blocker, queues=queues) as port:
            yield Live(
                base_url=f"http://{subdomain}.localhost:{port}",
                host=f"{subdomain}.localhost",
                tenant=tenant,
                user_email=owner_email,
                password=PASSWORD,
                session=session,
                port=port,
            )
    finally:
        drop_workspaces(django_db_blocker, pk=tenant.pk)


@pytest.fixture(scope="module")
def browser_instance():
    """Chromium for one test module. Playwright's sync API keeps an event loop running in this thread,
    which Django's async-safety check would take for an async context: allowed for the module only."""
    import os

    from playwright.sync_api import sync_playwright

    chromium = chromium_or_fail()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_context(browser, live: Live | None = None, *, signed_in: bool = True, language: str | None = None, **options):
    """A browser context (``options``: Playwright's, e.g. ``viewport``) with the cookies of ``live``'s
    owner session (``signed_in``) and of a chosen ``language``; the caller closes it."""
    from django.conf import settings

    context = browser.new_context(**options)
    cookies = []
    if live is not None and signed_in:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": live.session, "domain": live.host, "path": "/"})
    if live is not None and language:
        cookies.append({"name": "django_language", "value": language, "domain": live.host, "path": "/"})
    if cookies:
        context.add_cookies(cookies)
    return context


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot in test-artifacts/ (issue 11's test artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
