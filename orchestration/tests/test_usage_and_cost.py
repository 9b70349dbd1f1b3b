from decimal import Decimal

from orchestration import pricing
from orchestration.tests.conftest import ask, last, run


def test_it_records_tokens_and_cost_per_provider(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="one two three four", prompt_tokens=1000)
    with in_tenant(tenant_a):
        events = run(ask())
    usage = last(events, "usage").data
    expected = pricing.cost("openai", "gpt-4o", 1000, 4)
    assert usage == {
        "provider": "openai",
        "model": "gpt-4o",
        "prompt_tokens": 1000,
        "completion_tokens": 4,
        "cost": float(expected),
        "platform": True,
        "estimated": False,
    }
    done = last(events, "done").data
    meta = done["meta_data"]
    assert meta["tokens_used"] == {"openai": 1004, "total": 1004}
    assert meta["cost_breakdown"]["total_cost"] == float(expected)
    assert meta["cost_breakdown"]["per_provider"] == {"openai": float(expected)}
    assert (done["prompt_tokens"], done["completion_tokens"]) == (1000, 4)
    assert expected == Decimal("0.002540")


def test_it_marks_platform_usage_and_not_the_tenants_own_key(fake_llm, tenant_a, in_tenant, credential):
    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        credential("openai", key="sk-tenant-own", models=["gpt-4o"])
        own = last(run(ask()), "done").data
        platform = last(run(ask(model="anthropic:claude-sonnet-4-6")), "done").data
    assert own["platform"] is False and own["meta_data"]["platform_usage"] == {"used": False, "providers": []}
    assert platform["platform"] is True
    assert platform["meta_data"]["platform_usage"] == {"used": True, "providers": ["anthropic"]}
    auth = fake_llm.requests_for("gpt-4o")[-1].headers["authorization"]
    assert auth == "Bearer sk-tenant-own"


def test_it_uses_the_tenants_price_overrides(fake_llm, tenant_a, in_tenant, owner):
    from orchestration.services import settings_update

    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="a b", prompt_tokens=1_000_000)
    with in_tenant(tenant_a):
        settings_update(user=owner, price_overrides={"gpt-4o": {"input": 1, "output": 0}}, max_cost_per_query=0)
        done = last(run(ask()), "done").data
    assert done["meta_data"]["cost_breakdown"]["total_cost"] == 1.0
