"""psycopg's connection pool, failing at once while PostgreSQL refuses connections.

psycopg_pool makes a client that finds no idle connection wait up to ``timeout`` (10 s here) for
one, also when the server is down: every page of an outage then took 10 s to show its 503. Like
PgBouncer's fast-fail, this pool remembers whether its last attempt to connect failed:

- a client that finds no idle connection while the server is known unreachable does not queue: it
  connects once itself (``CONNECT_TIMEOUT``) and gets that error at once, or, the server back, that
  connection (so the first request after an outage does not wait out the pool's reconnect backoff);
- a failed attempt fails the clients already waiting, with its error;
- an idle connection that fails its health check is discarded and the next is tried without the
  pool's backoff sleep (psycopg sleeps 1 s, 2 s, ... between failed checks); when none is left,
  the client connects itself as above.

A waiting client that the server does not refuse waits as before (a busy pool under load)."""

from __future__ import annotations

from typing import Any

from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT = 2  # seconds a client's own attempt may take (a refused or missing socket fails in ms)


class FailFastPool(ConnectionPool):
    def __init__(self, *args: Any, check: Any = None, **kwargs: Any) -> None:
        # The health check runs in getconn() below, not in psycopg's loop (which sleeps between failures).
        super().__init__(*args, check=None, **kwargs)
        self._check_healthy = check
        self.unreachable: BaseException | None = None  # the error of the last attempt, None once one succeeded

    def getconn(self, timeout: float | None = None):
        while True:
            if self.unreachable is not None and not self._pool:
                conn = self._connect_for_client()  # raises at once while the server refuses connections
                if conn is not None:
                    return conn
            conn = super().getconn(timeout)
            if self._check_healthy is None:
                return conn
            try:
                self._check_healthy(conn)
            except Exception as exc:  # noqa: BLE001 - psycopg's own loop discards on any failure too
                self._putconn(conn, from_getconn=True)  # broken: discarded, another opened in the background
                self.unreachable = self.unreachable or exc  # the server may be gone: no queueing next
                continue
            return conn

    def _connect_for_client(self):
        """One attempt in the client's thread; the connection is the pool's own (counted in its size)."""
        conn = self._connect(timeout=CONNECT_TIMEOUT)
        with self._lock:
            room = self._nconns < self._max_size
            if room:
                self._nconns += 1
        if not room:  # the pool is full of connections being (re)opened: wait for one of them
            conn.close()
            return None
        self._stats[self._REQUESTS_NUM] += 1
        return conn

    def _connect(self, timeout: float | None = None):
        try:
            conn = super()._connect(timeout)
        except Exception as exc:
            self.unreachable = exc
            with self._lock:
                while self._waiting:
                    self._waiting.popleft().fail(exc)
            raise
        self.unreachable = None
        return conn
