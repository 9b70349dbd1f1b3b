"""Django's Redis cache with one connection pool per process (not per thread).

Django keeps a cache backend instance per thread/async context, and its Redis backend gives each
instance its own connection pool. Under ASGI every request runs in its own thread, so each request
opened a new Redis connection, and a streaming response kept it for its whole life: 500 open SSE
streams held 500 idle cache connections. Sharing the pool per process and server URL keeps the
connections few and warm.

Django also builds a new ``redis.Redis`` client for every cache call, and each one copies redis-py's
~170 response callbacks into a fresh dict: ~0.15-0.35 ms of CPU per command on this machine, more
than the round trip itself (the conversation page makes eight). A client is only the pool plus
those callbacks and is thread-safe (each command checks a connection out of the pool), so one is
kept per pool and reused.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_pools: dict = {}
_clients: dict = {}  # id(pool) -> its one redis.Redis client (pools live as long as the process)
_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            with _lock:
                client = _clients.get(id(pool))
                if client is None:
                    client = _clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
