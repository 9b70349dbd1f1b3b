"""A PostgreSQL killed by a crash or a reboot leaves its socket and postmaster.pid behind: not running."""

import os
import subprocess
import sys

from core import embedded


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_it_sees_a_server_left_by_a_crash_as_not_running(tmp_path):
    pg = tmp_path / "pg"
    pg.mkdir()
    (pg / ".s.PGSQL.5432").touch()
    (pg / "postmaster.pid").write_text(f"{_dead_pid()}\n{pg}\n")

    assert embedded._pg_running(tmp_path) is False


def test_it_sees_a_live_server_as_running(tmp_path):
    pg = tmp_path / "pg"
    pg.mkdir()
    (pg / ".s.PGSQL.5432").touch()
    (pg / "postmaster.pid").write_text(f"{os.getpid()}\n{pg}\n")

    assert embedded._pg_running(tmp_path) is True
