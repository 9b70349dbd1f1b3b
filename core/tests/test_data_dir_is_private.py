"""The data directory is its owner's: not listable by other users, and Redis keeps no dump of sessions."""

import os
import shutil
import socket
import stat
import tempfile
from pathlib import Path

from core import embedded


def _redis(data: Path, command: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(embedded._redis_socket(data)))
        s.sendall(command)
        return s.recv(256)


def test_it_keeps_the_data_directory_private_and_redis_without_snapshots():
    data = Path(tempfile.mkdtemp(prefix="chorus-priv-", dir="/tmp"))  # unix socket paths must stay short
    data.chmod(0o755)
    (data / "redis").mkdir()
    old_dump = data / "redis" / "dump.rdb"
    old_dump.write_bytes(b"REDIS0009 session:abc")  # a dump left by an older version
    old_dump.chmod(0o644)
    try:
        embedded.ensure_services(data)
        mode = stat.S_IMODE(data.stat().st_mode)
        if os.geteuid() == 0:  # PostgreSQL runs as its own user in our group: the group may pass through
            assert mode == 0o710, oct(mode)
            assert data.stat().st_gid == os.getegid()
        else:
            assert mode == 0o700, oct(mode)
        assert stat.S_IMODE((data / "redis").stat().st_mode) == 0o700
        assert not old_dump.exists()
        reply = _redis(data, b"CONFIG GET save\r\n")
        assert reply.startswith(b"*2\r\n$4\r\nsave\r\n$0\r\n"), reply  # snapshots off
        assert _redis(data, b"SET chorus:probe 1\r\n").startswith(b"+OK")
    finally:
        embedded.stop_services(data)  # everything under this temporary directory is this test's
    assert not (data / "redis" / "dump.rdb").exists()  # nothing written on shutdown either
    assert stat.S_IMODE(data.stat().st_mode) & 0o007 == 0
    shutil.rmtree(data, ignore_errors=True)
