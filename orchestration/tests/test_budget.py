"""max_cost_per_query: checked on the estimate before the calls and on the actual cost after."""

from decimal import Decimal

from orchestration.tests.conftest import ask, last, run

CLAUDE = "claude-sonnet-4-6"


def settings_for(owner, **values):
    from orchestration.services import settings_update

    return settings_update(user=owner, **values)


def test_it_downgrades_a_consensus_that_would_cost_too_much(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        # one gpt-4o-mini answer of 500 tokens costs ~$0.0003; a consensus of gpt-4o + claude ~$0.025
        settings_for(owner, max_cost_per_query=Decimal("0.004"), openai_model="gpt-4o-mini")
        events = run(ask(strategy="parallel_consensus"))
    done = last(events, "done").data
    budget = done["meta_data"]["orchestration"]["budget"]
    assert budget["downgraded"] is True
    assert budget["from_strategy"] == "parallel_consensus" and budget["to_strategy"] == "single_provider"
    assert budget["original_estimate"] > 0.004 >= budget["estimate"]
    assert done["model_name"] == "openai:gpt-4o-mini"
    notice = [e for e in events if e.type == "phase" and e.data["name"] == "budget"]
    assert notice and "limit" in notice[0].data["detail"]


def test_it_switches_to_a_cheaper_model_when_that_is_enough(fake_llm, tenant_a, in_tenant, owner, credential):
    fake_llm.platform()
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o", "gpt-4o-mini"], default_model="gpt-4o")
        settings_for(owner, max_cost_per_query=Decimal("0.001"), openai_model="gpt-4o")
        done = last(run(ask()), "done").data
    assert done["model_name"] == "openai:gpt-4o-mini"
    assert done["meta_data"]["orchestration"]["budget"]["to_strategy"] == "single_provider"


def test_it_refuses_when_even_the_cheapest_option_costs_too_much(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        settings_for(owner, max_cost_per_query=Decimal("0.0001"))
        events = run(ask())
    error = events[-1]
    assert error.type == "error"
    assert error.data["code"] == "budget" and error.data["retryable"] is False
    assert "limit" in error.data["message"]
    assert error.data["meta_data"]["orchestration"]["budget"]["refused"] is True
    assert fake_llm.requests == []


def test_it_flags_an_answer_whose_actual_cost_exceeded_the_limit(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="short", prompt_tokens=100_000)  # far more than the estimate
    with in_tenant(tenant_a):
        settings_for(owner, max_cost_per_query=Decimal("0.05"))
        events = run(ask())
    budget = last(events, "done").data["meta_data"]["orchestration"]["budget"]
    assert budget["exceeded_after"] is True and budget["actual"] > 0.05
    assert [e for e in events if e.type == "phase" and e.data["name"] == "budget" and e.data["ok"] is False]
