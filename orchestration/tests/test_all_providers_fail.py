from orchestration.tests.conftest import ask, last, run


def test_it_ends_with_a_retryable_error_when_every_provider_fails(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic", "perplexity")
    fake_llm.behave("*", status=500)
    with in_tenant(tenant_a):
        events = run(ask())
    assert events[-1].type == "error"
    assert not [e for e in events if e.type == "done"]
    error = events[-1].data
    assert error["retryable"] is True
    assert error["code"] == "providers_failed"
    assert "try again" in error["message"]
    assert {f["provider"] for f in error["failures"]} == {"openai", "anthropic", "perplexity"}


def test_it_reports_the_usage_of_calls_that_ran_with_the_error(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", status=401)
    with in_tenant(tenant_a):
        error = last(run(ask()), "error").data
    assert "rejected the API key" in error["message"]
    assert error["meta_data"]["tokens_used"] == {"total": 0}
