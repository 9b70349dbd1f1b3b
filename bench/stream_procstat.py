"""Which process holds each server connection, and CPU split by process group (no Django here).

The scaled benches (bench/scale_processes.py, bench/stream_fanout.py --processes N) count the
connections PostgreSQL and Redis report themselves (``pg_stat_activity``: one backend pid per
connection; ``CLIENT LIST``: one ``fd`` of redis-server per client) and attribute each to the
process at the other end of its Unix socket. The kernel pairs the two ends: ``ss -xpn`` lists
every connected Unix socket with its inode, its peer's inode and the (pid, fd) that hold it.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_USER = re.compile(r'\("(?P<name>[^"]*)",pid=(?P<pid>\d+),fd=(?P<fd>\d+)\)')


@dataclass
class UnixSocket:
    path: str  # the bound path ("" for a client's unnamed end)
    inode: int
    peer: int  # the other end's inode
    holders: list[tuple[int, int]] = field(default_factory=list)  # (pid, fd), a forked fd has several


def parse_ss_unix(text: str) -> list[UnixSocket]:
    """The connected stream sockets of ``ss -xpn`` output (header and other lines ignored)."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[0] != "u_str" or parts[1] != "ESTAB":
            continue
        local, inode, _peer_addr, peer = parts[4], parts[5], parts[6], parts[7]
        if not (inode.isdigit() and peer.isdigit()):
            continue
        holders = [(int(m["pid"]), int(m["fd"])) for m in _USER.finditer(" ".join(parts[8:]))]
        out.append(UnixSocket("" if local == "*" else local, int(inode), int(peer), holders))
    return out


def unix_sockets() -> list[UnixSocket]:
    """This machine's connected Unix stream sockets (only the processes of this user show holders)."""
    result = subprocess.run(["ss", "-xpn"], capture_output=True, text=True, check=True)
    return parse_ss_unix(result.stdout)


def parent_pid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def opener(pids: list[int], parent_of=parent_pid) -> int:
    """Of the processes holding one socket, the one that opened it: a fork's children inherit their
    parent's sockets (a Celery pool process holds its main process's broker connections), so the
    holder whose parent does not hold it too."""
    held = set(pids)
    for pid in pids:
        if parent_of(pid) not in held:
            return pid
    return pids[0]


def client_of(sockets: list[UnixSocket], server_path: str, parent_of=parent_pid) -> dict[tuple[int, int], int]:
    """(server pid, server fd) -> pid of the client at the other end, for sockets accepted on ``server_path``."""
    by_inode = {s.inode: s for s in sockets}
    out = {}
    for s in sockets:
        if s.path != server_path:
            continue
        peer = by_inode.get(s.peer)
        if peer is None or not peer.holders:
            continue
        client = opener([pid for pid, _fd in peer.holders], parent_of)
        for holder in s.holders:
            out[holder] = client
    return out


def group_of(pid: int | None, groups: dict[str, set[int]]) -> str:
    """The name of the group holding ``pid`` ("other" when none does: another engineer's process)."""
    for name, pids in groups.items():
        if pid in pids:
            return name
    return "other"


def count_by_group(client_pids: list[int | None], groups: dict[str, set[int]]) -> dict[str, int]:
    """How many connections each group holds, groups in the order given, then "other" if any."""
    counts = Counter(group_of(pid, groups) for pid in client_pids)
    return {name: counts[name] for name in [*groups, "other"] if counts[name] or name in groups}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots {pid: cpu}; a pid that appeared counts from zero,
    one that ended counts nothing (what it used after the first snapshot is not known)."""
    return sum(after.get(pid, before.get(pid, 0.0)) - before.get(pid, 0.0) for pid in set(before) | set(after))
