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


def test_it_reuses_one_redis_client_per_pool(db):
    """A new redis.Redis per call copies ~170 response callbacks each time (CPU on every request)."""
    first = cache._cache.get_client("a")
    cache.set("client-probe", 2, 5)
    clients = []

    def in_another_thread():
        other = caches["default"]
        assert other.get("client-probe") == 2
        clients.append(other._cache.get_client("b"))

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join(timeout=10)
    assert clients and clients[0] is first is cache._cache.get_client("c", write=True)
