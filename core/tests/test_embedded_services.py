"""One embedded server per data directory, reused by every process, stopped by its starter."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core import embedded


def test_it_reuses_running_servers_from_another_process():
    data = Path(tempfile.mkdtemp(prefix="chorus-emb-", dir="/tmp"))  # unix socket paths must stay short
    try:
        first = embedded.ensure_services(data)
        assert set(embedded.started_by_me(data)) == {"postgres", "redis"}
        code = (
            "import sys; from core import embedded; "
            f"s = embedded.ensure_services({str(data)!r}); "
            f"print(s.database_url); print(embedded.started_by_me({str(data)!r}))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout.splitlines()
        assert out[0] == first.database_url
        assert out[1] == "[]"  # the second process started nothing
        import psycopg

        with psycopg.connect(dbname="chorus", user="postgres", host=str(data / "pg")) as conn:
            assert conn.execute("SELECT name FROM pg_available_extensions WHERE name = 'vector'").fetchone()
    finally:
        stopped = embedded.stop_services(data, names=embedded.started_by_me(data))
    assert set(stopped) == {"postgres", "redis"}
    assert not embedded._redis_answers(embedded._redis_socket(data))
    shutil.rmtree(data, ignore_errors=True)
