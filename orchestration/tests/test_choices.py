from orchestration import engine


def test_it_offers_the_enabled_strategies_and_configured_models(fake_llm, tenant_a, in_tenant, owner, credential):
    from orchestration.services import settings_update

    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o", "gpt-4o-mini"])
        settings_update(
            user=owner, strategies_enabled={"single_provider": True, "adaptive": True}, default_strategy="adaptive"
        )
        choices = engine.choices()
    assert choices["strategies"] == ["single_provider", "adaptive"]
    assert choices["default_strategy"] == "adaptive"
    assert choices["models"] == [
        "openai:gpt-4o",
        "openai:gpt-4o-mini",
        "anthropic:claude-sonnet-4-6",
        "offline:offline",
    ]


def test_it_offers_the_offline_model_when_nothing_is_configured(fake_llm, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        choices = engine.choices()
    assert choices["models"] == ["offline:offline"]
    assert choices["default_strategy"] in choices["strategies"]


def test_it_falls_back_from_a_disabled_strategy_and_says_why(fake_llm, tenant_a, in_tenant, owner):
    from orchestration.services import settings_update
    from orchestration.tests.conftest import ask, last, run

    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled={"single_provider": True})
        orch = last(run(ask(strategy="parallel_consensus")), "done").data["meta_data"]["orchestration"]
    assert orch["orchestration_strategy"] == "single_provider"
    assert "not enabled" in orch["notes"][0]
