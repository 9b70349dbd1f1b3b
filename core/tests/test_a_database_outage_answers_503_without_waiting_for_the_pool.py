"""With the connection pool (the default outside tests) a request during a PostgreSQL outage answers
its 503 at once: it does not queue for a pooled connection and wait out the pool's timeout (10 s, the
old behaviour, docs/OPERATIONS.md), and once the server is back the next request gets a connection
at once, not after the pool's reconnect backoff (core/postgresql/pool.py).

A real outage: a child process starts an embedded PostgreSQL of its own (in a folder of the tests'
data directory: PostgreSQL runs as its own user, who cannot enter pytest's private tmp), fills its
pool, stops the server and requests a page three times; then starts the server again (in a fresh
process, as bench/faults.py does) and runs a query. It reports what the pool did (psycopg_pool's
counters) and which error each request failed with."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from django.conf import settings

from core import embedded

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, os, subprocess, sys, django
    from pathlib import Path
    from core import embedded

    data = Path(os.environ["OUTAGE_DATA"])
    os.environ["DATABASE_URL"] = embedded.ensure_services(data, need_redis=False).database_url
    django.setup()
    from django.core.signals import got_request_exception
    from django.db import close_old_connections, connection
    from django.test import Client

    errors = []
    got_request_exception.connect(
        lambda sender, request, **kw: errors.append(
            [type(sys.exc_info()[1]).__name__, type(sys.exc_info()[1].__cause__).__name__]
        ),
        weak=False,
    )
    connection.pool.open(wait=True)  # min_size idle connections, as in a process that served pages
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    close_old_connections()
    before = connection.pool.get_stats()
    embedded.stop_services(data, names=["postgres"])
    client = Client(HTTP_HOST=os.environ["OUTAGE_HOST"], raise_request_exception=False)
    pages = []
    for _ in range(3):
        response = client.get("/")
        pages.append([response.status_code, response.get("Retry-After")])
    down = connection.pool.get_stats()
    start = f"from core import embedded; embedded.ensure_services({str(data)!r}, need_redis=False)"
    subprocess.run([sys.executable, "-c", start], check=True)
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        back = cursor.fetchone()[0]
    close_old_connections()
    after = connection.pool.get_stats()
    embedded.stop_services(data, names=["postgres"])
    print(json.dumps({"pages": pages, "errors": errors, "before": before, "down": down,
                      "after": after, "back": back}))
    """
)


def test_it_answers_503_at_once_while_the_server_is_down_and_serves_again_at_once():
    data = Path(settings.DATA_DIR) / f"outage-{uuid.uuid4().hex[:8]}"
    embedded.private_dir(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_POOL_MAX": "20",  # the pool as `make run` has it (tests run without one)
        "REDIS_URL": settings.REDIS_URL,
        "OUTAGE_DATA": str(data),
        "OUTAGE_HOST": f"outage-{uuid.uuid4().hex[:8]}.{settings.BASE_DOMAIN}",  # not in any cache
        "PYTHONPATH": str(ROOT),
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        embedded.stop_services(data, names=["postgres"])  # also when the child failed half-way
        shutil.rmtree(data, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["pages"] == [[503, "10"]] * 3
    # each request failed with the server's own error (connection refused), not the pool's timeout
    assert report["errors"] == [["OperationalError", "OperationalError"]] * 3
    before, down, after = report["before"], report["down"], report["after"]
    # nobody queued for a connection or waited for one, while down and right after
    assert down.get("requests_queued", 0) == before.get("requests_queued", 0)
    assert down.get("requests_wait_ms", 0) == before.get("requests_wait_ms", 0)
    assert after.get("requests_queued", 0) == before.get("requests_queued", 0)
    assert down.get("connections_errors", 0) >= 3  # each request tried the server itself
    assert report["back"] == 1
