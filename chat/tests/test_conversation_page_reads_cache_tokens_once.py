"""The conversation page reads the versioned-cache tokens it needs (tenant, billing banner, the
orchestration settings) in one round trip per schema, not one per read (core.versioned_cache)."""

from chat.tests.factories import make_conversation
from chat.tests.helpers import recording_redis


def test_it_reads_the_tokens_in_one_round_trip_per_schema(owner_client, outsider_client, tenant_a, owner, in_tenant,
                                                          monkeypatch):  # fmt: skip
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=2)
    assert owner_client.get(f"/chat/{conversation.pk}/").status_code == 200  # tokens and fragments exist now
    sent = recording_redis(monkeypatch)
    assert owner_client.get(f"/chat/{conversation.pk}/").status_code == 200
    sidebar = [args for args in sent if any(":chat:sidebar:" in str(a) for a in args[1:])]
    token_reads = [args for args in sent if args not in sidebar and any(":versioned:" in str(a) for a in args[1:])]
    assert [args[0] for args in token_reads] == ["MGET", "MGET"]  # public (tenants), tenant A (banner, settings)
    assert [args[0] for args in sidebar] == ["MGET"]  # the sidebar's own tokens with its entry (chat.fragments)
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
