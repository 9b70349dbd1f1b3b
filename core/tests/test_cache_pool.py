"""The cache shares one Redis connection pool per process across threads (ASGI runs each request
in its own thread)."""

import threading

from django.core.cache import cache, caches


def test_it_shares_one_connection_pool_between_threads(db):
    cache.set("pool-probe", 1, 5)
    pools = []

    def in_another_thread():
        other = caches["default"]  # a new backend instance in this thread
        other.get("pool-probe")
        pools.append(other._cache._get_connection_pool(False))

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join(timeout=10)
    assert pools and pools[0] is cache._cache._get_connection_pool(False)
