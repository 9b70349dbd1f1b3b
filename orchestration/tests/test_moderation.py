from orchestration.moderation import ModerationResult, moderate


def test_it_returns_none_without_an_openai_key(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        assert moderate("anything") is None
    assert fake_llm.requests == []


def test_it_checks_text_through_the_moderation_endpoint(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        flagged = moderate("you are FLAGME")
        clean = moderate("hello")
    assert isinstance(flagged, ModerationResult)
    assert flagged.flagged is True and flagged.categories["harassment"] is True
    assert flagged.scores["harassment"] > 0.9
    assert clean.flagged is False
    assert fake_llm.requests_for(path="/moderations")[0].headers["authorization"] == "Bearer sk-platform-openai"


def test_it_uses_the_tenants_own_openai_key(fake_llm, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        credential("openai", key="sk-tenant-mod", models=["gpt-4o"])
        assert moderate("hello").flagged is False
    assert fake_llm.requests_for(path="/moderations")[0].headers["authorization"] == "Bearer sk-tenant-mod"


def test_it_reports_a_failed_moderation_call_without_flagging(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("omni-moderation-latest", status=500)
    with in_tenant(tenant_a):
        result = moderate("hello")
    assert result.failed and result.flagged is False
    assert "500" in result.error
