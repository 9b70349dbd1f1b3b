"""A per-process LRU bounded by size, for values whose key names their content.

Only for entries that can never be stale: a key that changes whenever what it names changes (a
digest of the rows a fragment shows, say), so a process may keep a value without asking the
shared cache again. Keys are kept per schema; tests forget every instance before each test
(:func:`core.versioned_cache.forget_process_memos`).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from core.db import connection_schema

_all: weakref.WeakSet[ProcessLRU] = weakref.WeakSet()


class ProcessLRU:
    def __init__(self, *, max_bytes: int, size_of: Callable[[Any], int]) -> None:
        self.max_bytes = max_bytes
        self.size_of = size_of
        self._entries: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _all.add(self)

    def get(self, key: str) -> Any | None:
        full = (connection_schema(), key)
        hit = self._entries.get(full)
        if hit is None:
            return None
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
        return hit[0]

    def put(self, key: str, value: Any) -> None:
        size = self.size_of(value)
        if size > self.max_bytes:
            return
        full = (connection_schema(), key)
        with self._lock:
            old = self._entries.pop(full, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[full] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def forget_all() -> None:
    for lru in list(_all):
        lru.clear()
