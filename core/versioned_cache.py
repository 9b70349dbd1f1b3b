"""One versioned cache for rows that are read on every request and change rarely.

Each namespace has a version token in the shared cache (Redis); each process keeps what it read in
a small memo, valid while the token is unchanged (and at most ``ttl`` seconds, a bound on
staleness should a write ever skip its service). The service that changes the data calls
:meth:`VersionedCache.bump`, which replaces the token **when the transaction commits**: a reader in
another process that looks between the write and the commit still sees the old token and the old
row, and the commit's new token makes it read again. Until then the writing thread bypasses its
memo (its uncommitted rows must never be cached: they may be rolled back).

Tokens go through the cache's key function (``django_tenants.cache.make_key``): a namespace is
versioned per tenant schema (the connection's), or under one explicit schema for data that lives in
``public``. Only tokens go to Redis, never the cached values (credential rows stay in the process).

    CONFIG = VersionedCache("orchestration:config", ttl=60)
    snapshot = CONFIG.get("snapshot", read_from_db)      # a reader
    CONFIG.bump()                                       # in the service that saved the row
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.db import connection_schema

log = logging.getLogger(__name__)
T = TypeVar("T")

_all: weakref.WeakSet[VersionedCache] = weakref.WeakSet()


class VersionedCache:
    def __init__(
        self,
        namespace: str,
        *,
        schema: str | None = None,
        ttl: float = 60.0,
        clone: Callable[[Any], Any] = copy.deepcopy,
    ) -> None:
        """``schema``: None versions the namespace per tenant schema (the connection's); a schema
        name versions it once, under that schema. ``clone`` copies a value for each caller."""
        self.namespace = namespace
        self.schema = schema
        self.ttl = ttl
        self.clone = clone
        self.version_key = f"versioned:{namespace}"
        self._memo: dict[tuple[str, str], tuple[str, float, Any]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()  # schemas this thread changed in a transaction still open
        _all.add(self)

    # --- reading -------------------------------------------------------------------------------
    def get(self, key: str, compute: Callable[[], T]) -> T:
        """The memoised value of ``key``, or ``compute()`` (memoised under the current token).

        The token is read before ``compute`` runs, so a value read while a change commits is kept
        under the old token and read again next time. An exception from ``compute`` is not cached.
        """
        schema = self._schema()
        if self._changed_here(schema):
            return compute()
        version = self.version(schema)
        if version is None:
            return compute()
        now = time.monotonic()
        hit = self._memo.get((schema, key))
        if hit is None or hit[0] != version or hit[1] <= now:
            value = compute()
            with self._lock:
                self._memo[(schema, key)] = (version, now + self.ttl, value)
        else:
            value = hit[2]
        return self.clone(value)

    def version(self, schema: str | None = None) -> str | None:
        """The namespace's current token (created on first use); None when the cache server is down."""
        try:
            with self._in(schema or self._schema()):
                version = cache.get(self.version_key)
                if version is None:
                    cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
                    version = cache.get(self.version_key)
            return version
        except Exception:  # noqa: BLE001 - no cache server: read the database every time
            log.warning("cache unavailable; %s read from the database", self.namespace, exc_info=True)
            return None

    # --- writing -------------------------------------------------------------------------------
    def bump(self, *, schema: str | None = None) -> None:
        """The data changed: every process reads it again, from the moment the transaction commits.

        Call it from the service that wrote, inside its transaction. Rolled back, nothing happens.
        """
        schema = schema or self._schema()
        self._forget(schema)
        if connection.in_atomic_block:
            self._changed().add(schema)
            transaction.on_commit(lambda: self._bump_now(schema))
        else:
            self._bump_now(schema)

    def _bump_now(self, schema: str) -> None:
        self._forget(schema)
        self._changed().discard(schema)
        try:
            with self._in(schema):
                cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
        except Exception:  # noqa: BLE001
            log.warning("cache unavailable; other processes see the %s change within %ss", self.namespace, self.ttl)

    # --- this process --------------------------------------------------------------------------
    def forget_process_memo(self) -> None:
        """Forget what this process memoised (tests: each test's rows are rolled back). Tokens stay."""
        with self._lock:
            self._memo.clear()
        self._changed().clear()

    def _forget(self, schema: str) -> None:
        with self._lock:
            for k in [k for k in self._memo if k[0] == schema]:
                del self._memo[k]

    def _changed(self) -> set[str]:
        if not hasattr(self._local, "schemas"):
            self._local.schemas = set()
        return self._local.schemas

    def _changed_here(self, schema: str) -> bool:
        changed = self._changed()
        if changed and not connection.in_atomic_block:
            changed.clear()  # the transaction ended: committed (bumped) or rolled back (nothing to bump)
        return schema in changed

    def _schema(self) -> str:
        return self.schema or connection_schema()

    def _in(self, schema: str):
        return nullcontext() if connection_schema() == schema else schema_context(schema)


def forget_process_memos() -> None:
    """Every versioned cache forgets this process's memo (the shared tokens stay)."""
    for vc in list(_all):
        vc.forget_process_memo()
