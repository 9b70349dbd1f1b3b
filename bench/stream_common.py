"""Shared set-up of the streaming benchmarks (bench/stream_ttfb.py, bench/stream_fanout.py).

Import this module before anything from Django: it points the process at its own embedded
servers under .data/bench (unless CHORUS_DATA_DIR / DATABASE_URL / REDIS_URL say otherwise) and
calls django.setup(). It then offers: the schema set-up and a bench tenant with its owner, a
logged-in session cookie, child processes (uvicorn, a Celery worker) that are always stopped, and
process figures from /proc (RSS, CPU time).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every query in memory: not what is deployed

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from core import embedded  # noqa: E402

PASSWORD = "bench-password-123"
_CHILDREN: list[subprocess.Popen] = []


def prioritise(pid: int) -> None:
    """BENCH_NICE=-10 (with ``nice -n -10``): the CPU priority of ``pid``'s session. The kernel
    shares CPU between sessions first (sched_autogroup) and ``nice`` only orders processes inside
    one, so on a machine shared with other sessions the bench, each child (each starts a session
    of its own) and the embedded servers get the priority through their session's autogroup."""
    nice = os.environ.get("BENCH_NICE", "")
    if not nice:
        return
    try:
        Path(f"/proc/{pid}/autogroup").write_text(nice)
    except OSError as exc:  # no autogroups, or no right to raise the priority: say so once per pid
        print(f"BENCH_NICE: the autogroup of {pid} kept its priority ({exc})", file=sys.stderr)


prioritise(os.getpid())


def service_urls() -> dict[str, str]:
    """DATABASE_URL and REDIS_URL for child processes (so that they never start servers themselves)."""
    out = {}
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return out
    services = embedded.ensure_services(settings.DATA_DIR)  # already running (settings started them): reused
    out["DATABASE_URL"] = os.environ.get("DATABASE_URL") or services.database_url
    out["REDIS_URL"] = os.environ.get("REDIS_URL") or services.redis_url
    return out


def bench_tenant(subdomain: str, owner_email: str):
    """The bench tenant (created and provisioned on first use) and its owner."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from accounts.models import User
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_schema_ensure, tenant_create, tenant_provision

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_schema_ensure()
    public_tenant_ensure()
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is not None and tenant.state != Tenant.State.READY:
        tenant.delete(force_drop=True)
        tenant = None
    if tenant is None:
        tenant = tenant_create(
            name=f"Bench {subdomain}",
            subdomain=subdomain,
            owner_email=owner_email,
            owner_password=PASSWORD,
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk)
        assert tenant.ready, tenant.provisioning_error
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=owner_email)
    connection.set_schema_to_public()
    return tenant, owner


def session_cookie(tenant, user, host: str) -> str:
    """A ``sessionid=...`` cookie of a session of ``user`` in the tenant's schema."""
    from django.test import Client
    from django_tenants.utils import schema_context

    client = Client(HTTP_HOST=host)
    with schema_context(tenant.schema_name):
        client.force_login(user)
    connection.set_schema_to_public()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The benches measure throughput from one bench user: the per-user limits (questions per minute,
# open streams; chat/admission.py) would refuse it. A bench may pass its own values in ``extra``.
BENCH_LIMITS = {"QUESTIONS_PER_MINUTE_USER": "0", "QUESTIONS_PER_MINUTE_TENANT": "0", "STREAMS_PER_USER": "0"}


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **BENCH_LIMITS, **service_urls(), "PYTHONPATH": str(ROOT), **extra}
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a child in its own process group (stopped by stop_children, also on Ctrl-C)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    _CHILDREN.append(proc)
    prioritise(proc.pid)
    return proc


def start_uvicorn(
    port: int,
    env: dict[str, str],
    app: str = "config.asgi:application",
    log_name: str = "uvicorn.log",
    workers: int = 1,
) -> subprocess.Popen:
    """uvicorn on 127.0.0.1:``port``; ``workers`` > 1: that many processes behind the one port
    (uvicorn's supervisor binds it, the kernel hands each connection to one of them)."""
    log = settings.DATA_DIR / "logs" / log_name
    proc = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "3",
        ],
        env,
        log,
    )
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 60 s") from None
            time.sleep(0.1)


def start_worker(
    env: dict[str, str],
    *,
    name: str = "bench",
    pool: list[str] | None = None,
    queues: str = "celery,orchestration",
    log_name: str = "celery.log",
) -> subprocess.Popen:
    """One Celery worker of the project (``bench.stream_worker``: plus per-task timestamps when
    $BENCH_TRACE_FILE is set); ``pool`` defaults to prefork with 2 processes, as ``make run``."""
    return start(
        [sys.executable, "-m", "celery", "-A", "bench.stream_worker", "worker", "-l", "warning", "-n", f"{name}@%h",
         "-Q", queues, "--without-gossip", "--without-mingle", *(pool or ["--pool", "prefork", "-c", "2"])],
        env,
        settings.DATA_DIR / "logs" / log_name,
    )  # fmt: skip


def wait_workers(procs: list[subprocess.Popen], timeout: float = 90) -> None:
    """Until every one of ``procs`` (Celery workers) answers a ping."""
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError(f"a Celery worker exited; see {settings.DATA_DIR / 'logs'}")
        if len(app.control.ping(timeout=0.5)) >= len(procs):
            return
    raise RuntimeError(f"{len(procs)} Celery workers did not all answer a ping within {timeout:.0f} s")


def stop_children(procs: list[subprocess.Popen] | None = None) -> None:
    """SIGTERM each child's process group (only the groups this process started), then SIGKILL;
    ``procs``: only those of the children."""
    chosen = list(_CHILDREN) if procs is None else [p for p in _CHILDREN if p in procs]
    for proc in chosen:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 15
    for proc in chosen:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
        _CHILDREN.remove(proc)


def cleanup() -> None:
    """Stop the children, then the embedded servers this process started (none if they were running)."""
    try:
        stop_children()
    finally:
        mine = embedded.started_by_me(settings.DATA_DIR)
        if mine:
            stopped = embedded.stop_services(settings.DATA_DIR, names=mine)
            print(f"stopped embedded {', '.join(stopped)}")


def sigterm_as_interrupt() -> None:
    """SIGTERM ends the run like Ctrl-C: through the finally blocks that stop everything."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` (and nothing else) in MiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024  # type: ignore[union-attr]


def cpu_seconds(pid: int) -> float:
    """user+system CPU time of ``pid`` so far (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def tree_pids(pid: int) -> list[int]:
    """``pid`` and its descendants (Celery prefork children)."""
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out.extend(tree_pids(int(child)))
    return out


def pg_socket() -> str:
    db = settings.DATABASES["default"]
    return f"{db['HOST']}/.s.PGSQL.{db['PORT'] or 5432}"


def redis_socket() -> str:
    return settings.REDIS_URL.removeprefix("unix://").split("?", 1)[0]


def server_pids() -> dict[str, int]:
    """The pids of the bench's postmaster (its backends are its children) and redis-server, by their own word."""
    import redis

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])  # the backend's parent
    r = redis.Redis.from_url(settings.REDIS_URL)
    redis_pid = int(r.info("server")["process_id"])
    r.close()
    prioritise(postmaster)
    prioritise(redis_pid)
    return {"postgres": postmaster, "redis": redis_pid}


def cpu_snapshot(pids) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            out[pid] = cpu_seconds(pid)
        except OSError:  # ended meanwhile
            pass
    return out


def connections(groups: dict[str, set[int]]) -> dict[str, dict[str, int]]:
    """Connections to the bench database and Redis, as the servers list them (``pg_stat_activity``
    client backends, ``CLIENT LIST``), each counted for the group holding the client's end of the
    socket (bench/stream_procstat.py); the bench's own asking connections are in "bench"."""
    import redis

    from bench.stream_procstat import client_of, count_by_group, unix_sockets

    groups = {**groups, "bench": {os.getpid()}}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
        )
        backends = [row[0] for row in cursor.fetchall()]
    r = redis.Redis.from_url(settings.REDIS_URL)
    redis_pid = int(r.info("server")["process_id"])
    clients = [int(c["fd"]) for c in r.client_list() if int(c.get("fd", -1)) >= 0]
    r.close()
    sockets = unix_sockets()
    pg_pairs = {server_pid: client for (server_pid, _fd), client in client_of(sockets, pg_socket()).items()}
    redis_pairs = client_of(sockets, redis_socket())
    return {
        "postgres": count_by_group([pg_pairs.get(pid) for pid in backends], groups),
        "redis": count_by_group([redis_pairs.get((redis_pid, fd)) for fd in clients], groups),
    }


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}, load average {load}"
