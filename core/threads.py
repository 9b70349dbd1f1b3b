"""Run work in a thread of its own, with its own database connections (tests and benches).

A test's own connection is inside the test's transaction; work that must commit as it goes (a
backup read by ``pg_dump``, a restore, a concurrent admitter) runs here instead: the thread's
connections autocommit and are closed when it ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def in_own_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a new thread; returns its result or raises its exception here."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")
