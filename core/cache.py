"""Django's Redis cache with one connection pool per process (not per thread).

Django keeps a cache backend instance per thread/async context, and its Redis backend gives each
instance its own connection pool. Under ASGI every request runs in its own thread, so each request
opened a new Redis connection, and a streaming response kept it for its whole life: 500 open SSE
streams held 500 idle cache connections. Sharing the pool per process and server URL keeps the
connections few and warm.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_pools: dict = {}
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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
