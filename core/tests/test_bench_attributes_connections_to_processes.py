"""bench/stream_procstat.py: the scaled benches' connection counts per process (parsed from ``ss -xpn``)."""

import os
import socket
import tempfile
from pathlib import Path

from bench.stream_procstat import client_of, count_by_group, cpu_delta, opener, parse_ss_unix, unix_sockets

SS = """\
Netid State Recv-Q Send-Q                 Local Address:Port    Peer Address:Port   Process
u_str ESTAB 0      0                                  * 100            * 200 users:(("python",pid=11,fd=6))
u_str ESTAB 0      0        /d/pg/.s.PGSQL.5432 200            * 100 users:(("postgres",pid=21,fd=8))
u_str ESTAB 0      0         /d/redis/redis.sock 300            * 400 users:(("redis-server",pid=31,fd=7))
u_str ESTAB 0      0  * 400  * 300 users:(("celery",pid=13,fd=9),("celery",pid=12,fd=9))
u_str ESTAB 0      0         /d/redis/redis.sock 500            * 999 users:(("redis-server",pid=31,fd=10))
u_str LISTEN 0     0         /d/redis/redis.sock 600            * 0
"""


def test_it_pairs_each_server_socket_with_the_client_process():
    sockets = parse_ss_unix(SS)

    assert [(s.path, s.inode, s.peer) for s in sockets][:2] == [("", 100, 200), ("/d/pg/.s.PGSQL.5432", 200, 100)]
    parents = {11: 1, 12: 1, 13: 12}.get  # 13 is a fork of 12 (a Celery pool process of its main process)
    assert client_of(sockets, "/d/pg/.s.PGSQL.5432", parents) == {(21, 8): 11}
    # a socket inherited by a fork counts for the process that opened it; a peer not listed is left out
    assert client_of(sockets, "/d/redis/redis.sock", parents) == {(31, 7): 12}


def test_it_takes_the_holder_whose_parent_does_not_hold_the_socket_as_its_opener():
    assert opener([30, 20, 10], {30: 20, 20: 10, 10: 1}.get) == 10
    assert opener([5], {}.get) == 5


def test_it_counts_connections_per_group_and_the_rest_as_other():
    groups = {"web": {11}, "worker": {12, 13}, "bench": {14}}

    assert count_by_group([11, 12, 13, 12, 99, None], groups) == {"web": 1, "worker": 3, "bench": 0, "other": 2}
    assert count_by_group([11], groups) == {"web": 1, "worker": 0, "bench": 0}


def test_it_adds_cpu_of_processes_that_came_and_leaves_out_those_that_went():
    assert cpu_delta({1: 2.0, 2: 5.0}, {1: 3.5, 3: 0.25}) == 1.75


def test_it_finds_this_process_at_the_end_of_a_real_unix_socket():
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "s.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(path)
        accepted, _ = server.accept()
        fd = accepted.fileno()
        try:
            pairs = client_of(unix_sockets(), path)
        finally:
            for s in (accepted, client, server):
                s.close()

    assert pairs == {(os.getpid(), fd): os.getpid()}
