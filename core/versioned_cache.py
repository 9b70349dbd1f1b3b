"""One versioned cache for rows that are read on every request and change rarely.

Each namespace has a version token in the shared cache (Redis); each process keeps what it read in
a small memo, valid while the token is unchanged (and at most ``ttl`` seconds, a bound on
staleness should a write ever skip its service). The service that changes the data calls
:meth:`VersionedCache.bump`, which replaces the token **when the transaction commits**: a reader in
another process that looks between the write and the commit still sees the old token and the old
row, and the commit's new token makes it read again. Until then the writing thread bypasses its
memo (its uncommitted rows must never be cached: they may be rolled back).

Within a web request (``request_tokens``, opened by core.middleware.RequestContextMiddleware) the
tokens of one schema are read once, all namespaces in one ``MGET``, and kept for the rest of the
request: a page that reads three namespaces (some twice) makes one round trip per schema instead of
one per read. The bound this adds: a change another process commits while a request runs is seen
from that process's next request on (the request keeps one snapshot of the tokens); a change the
request commits itself replaces its snapshot's token at once.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.db import connection_schema

log = logging.getLogger(__name__)
T = TypeVar("T")

_all: weakref.WeakSet[VersionedCache] = weakref.WeakSet()
_per_key: weakref.WeakSet[TokenPerKey] = weakref.WeakSet()
# schema -> {version key: token} read in this request (None outside a request: every read asks Redis)
_request: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar("versioned_cache_request", default=None)


@contextmanager
def request_tokens() -> Iterator[None]:
    """For the code inside (one web request): each schema's tokens are read once, in one MGET."""
    token = _request.set({})
    try:
        yield
    finally:
        _request.reset(token)


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
        schema = schema or self._schema()
        seen = _request.get()
        if seen is not None:
            tokens = seen.get(schema)
            if tokens is None:
                tokens = seen[schema] = self._tokens_many(schema)
            if tokens.get(self.version_key) is not None:
                return tokens[self.version_key]
        try:
            with self._in(schema):
                version = cache.get(self.version_key)
                if version is None:
                    cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
                    version = cache.get(self.version_key)
            if seen is not None and version is not None:
                seen[schema][self.version_key] = version
            return version
        except Exception:  # noqa: BLE001 - no cache server: read the database every time
            log.warning("cache unavailable; %s read from the database", self.namespace, exc_info=True)
            return None

    def _tokens_many(self, schema: str) -> dict[str, Any]:
        """Every namespace's token under ``schema`` in one round trip (missing ones are created on use)."""
        keys = sorted({vc.version_key for vc in list(_all) if vc.schema in (None, schema)} | {self.version_key})
        try:
            with self._in(schema):
                return cache.get_many(keys)
        except Exception:  # noqa: BLE001 - no cache server: version() says so and reads the database
            return {}

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
            new = uuid.uuid4().hex
            with self._in(schema):
                cache.set(self.version_key, new, timeout=None)
            seen = _request.get()
            if seen is not None and schema in seen:  # this request committed the change: it sees it too
                seen[schema][self.version_key] = new
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
    """Every versioned cache forgets this process's memo (the shared tokens stay), and every
    :class:`core.process_lru.ProcessLRU` its entries."""
    from core.process_lru import forget_all

    forget_all()
    for vc in list(_all):
        vc.forget_process_memo()
    for tokens in list(_per_key):
        tokens.forget_process_memo()


class TokenPerKey:
    """A version token per key (one per user, say) for HTML or rows the caller caches under it.

    Where :class:`VersionedCache` versions a whole namespace per schema and memoises values in the
    process, this keeps one token per ``part`` (a user id) in the shared cache; the caller stores its
    entry together with the token it was built under, reads both in one round trip (:meth:`key`
    names the token, so it goes in the caller's ``get_many``) and compares. :meth:`bump` replaces the
    token when the transaction commits, as ``VersionedCache.bump`` does: a reader between the write
    and the commit keeps the old token, and what it stores is dead once the commit bumps. Until then
    the writing thread must neither read nor store an entry for that part (:meth:`changed_here`): its
    uncommitted rows may be rolled back. Tenant-scoped by the cache's key function."""

    TTL = (
        24 * 3600
    )  # longer than any entry built under it; an expired token is a new one: entries built under the old one are dead

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.prefix = f"versioned:{namespace}:"
        self._local = threading.local()  # keys this thread changed in a transaction still open
        _per_key.add(self)

    def key(self, part: object) -> str:
        return f"{self.prefix}{part}"

    def forget_process_memo(self) -> None:
        """Tests: each test's rows are rolled back without a bump, so each test starts under tokens
        of its own (new token keys; the old ones age out). Production never calls it."""
        self.prefix = f"versioned:{self.namespace}:{uuid.uuid4().hex[:8]}:"
        self._changed().clear()

    def create(self, part: object) -> str | None:
        """The token of ``part`` when none was read: a new one, or the one another process just created."""
        key = self.key(part)
        try:
            cache.add(key, uuid.uuid4().hex, timeout=self.TTL)
            return cache.get(key)
        except Exception:  # noqa: BLE001 - no cache server: the caller builds its value every time
            return None

    def bump(self, part: object) -> None:
        """What ``part`` versions changed: from the commit on, entries built under the old token are dead.

        Call it from the service that wrote, inside its transaction. Rolled back, nothing happens."""
        key = self.key(part)
        if connection.in_atomic_block:
            self._changed().add(key)
            transaction.on_commit(lambda: self._set(key))
        else:
            self._set(key)

    def replace_now(self, part: object) -> None:
        """A new token at once, whether or not a transaction is open: for writes whose readers share
        the writer's transaction (tests' factories write rows inside the test's transaction)."""
        self._set(self.key(part))

    def changed_here(self, part: object) -> bool:
        """This thread changed ``part`` in a transaction not yet committed: build, do not cache."""
        changed = self._changed()
        if changed and not connection.in_atomic_block:
            changed.clear()  # the transaction ended: committed (bumped) or rolled back (nothing to bump)
        return self.key(part) in changed

    def _changed(self) -> set[str]:
        if not hasattr(self._local, "keys"):
            self._local.keys = set()
        return self._local.keys

    def _set(self, key: str) -> None:
        self._changed().discard(key)
        try:
            cache.set(key, uuid.uuid4().hex, timeout=self.TTL)
        except Exception:  # noqa: BLE001
            log.warning("cache unavailable; %s not bumped", key)
