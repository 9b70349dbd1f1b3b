"""A pooled connection keeps the catalog cache of every workspace it served (~58 kB each,
docs/SCALING.md §5), so the pool recycles connections: after DATABASE_POOL_MAX_LIFETIME (600 s)
and, above min_size, after 120 s idle (psycopg_pool's defaults are 1 h and 10 min)."""

from config.settings import base
from core.postgresql.pool import FailFastPool


def _pool(options: dict) -> FailFastPool:
    return FailFastPool(kwargs={}, open=False, **options["pool"])


def test_it_caps_a_pooled_connections_lifetime_and_idle_time(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_MAX", "20")
    monkeypatch.delenv("DATABASE_POOL_MAX_LIFETIME", raising=False)
    pool = _pool(base._pool_options())
    assert pool.max_lifetime == 600.0
    assert pool.max_idle == 120.0
    assert (pool.min_size, pool.max_size, pool.timeout) == (2, 20, 10)


def test_it_takes_the_lifetime_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_MAX", "20")
    monkeypatch.setenv("DATABASE_POOL_MAX_LIFETIME", "300")
    assert _pool(base._pool_options()).max_lifetime == 300.0


def test_it_has_no_pool_when_switched_off(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_MAX", "0")
    assert base._pool_options() == {}
