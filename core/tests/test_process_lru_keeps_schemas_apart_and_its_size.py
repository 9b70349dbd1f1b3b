"""core.process_lru: an entry is found only in the schema that stored it, and the oldest entries
go once the size is over the bound."""

from core.process_lru import ProcessLRU


def test_it_finds_an_entry_only_in_its_own_schema(tenant_a, tenant_b, in_tenant):
    lru = ProcessLRU(max_bytes=1000, size_of=len)
    with in_tenant(tenant_a):
        lru.put("k", "workspace A's thread")
        assert lru.get("k") == "workspace A's thread"
    with in_tenant(tenant_b):
        assert lru.get("k") is None
        lru.put("k", "workspace B's thread")
    with in_tenant(tenant_a):
        assert lru.get("k") == "workspace A's thread"


def test_it_drops_the_least_recently_used_entries_past_its_size(tenant_a, in_tenant):
    lru = ProcessLRU(max_bytes=10, size_of=len)
    with in_tenant(tenant_a):
        lru.put("a", "aaaa")
        lru.put("b", "bbbb")
        assert lru.get("a") == "aaaa"  # a is now the most recently used
        lru.put("c", "cccc")  # 12 > 10: b goes
        assert lru.get("b") is None and lru.get("a") == "aaaa" and lru.get("c") == "cccc"
        lru.put("big", "x" * 11)  # larger than the bound: not kept, nothing dropped for it
        assert lru.get("big") is None and len(lru) == 2
