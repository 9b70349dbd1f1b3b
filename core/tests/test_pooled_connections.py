"""With the connection pool (the default outside tests) a physical connection serves one workspace,
goes back to the pool and serves the next: every statement must still run in the right schema,
although django-tenants now sets search_path once per checkout (TENANT_LIMIT_SET_CALLS).

Runs in a child process with the settings `make run` uses and a pool of ONE connection, so that
two threads and two workspaces take turns on the same PostgreSQL backend."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, threading, django
    django.setup()
    from django.conf import settings
    from django.db import close_old_connections, connection

    assert settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] == 1
    assert settings.TENANT_LIMIT_SET_CALLS
    schemas = os.environ["SCHEMAS"].split(",")
    seen = []

    def work(schema, rounds):
        connection.set_schema(schema)  # once, like a worker thread serving one workspace
        for _ in range(rounds):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema(), pg_backend_pid()")
                first = cursor.fetchone()
                cursor.execute("SELECT count(*) FROM accounts_user")  # a tenant table, unqualified
                cursor.execute("SELECT current_schema()")
                seen.append((schema, first[0], cursor.fetchone()[0], first[1]))
            # end of a request or task: the connection goes back to the pool, and the other
            # workspace's thread may take it (its search_path still set) before this one's next turn
            close_old_connections()

    threads = [threading.Thread(target=work, args=(s, 20)) for s in schemas]
    [t.start() for t in threads]
    [t.join() for t in threads]
    wrong = [s for s in seen if not (s[0] == s[1] == s[2])]
    print(len(seen), len({s[3] for s in seen}), len(wrong))
    """
)


def test_a_pooled_connection_always_runs_in_the_schema_of_its_current_workspace(tenant_a, tenant_b):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}",
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_POOL_MAX": "1",
        "SCHEMAS": f"{tenant_a.schema_name},{tenant_b.schema_name}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    statements, backends, wrong = map(int, result.stdout.split())
    assert statements == 40 and backends == 1  # both workspaces took turns on one connection
    assert wrong == 0
