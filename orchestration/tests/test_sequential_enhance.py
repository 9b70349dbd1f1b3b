from orchestration.tests.conftest import ask, last, run, text_of

CLAUDE = "claude-sonnet-4-6"


def test_it_researches_analyses_and_structures_keeping_the_sources(fake_llm, tenant_a, in_tenant, owner):
    from orchestration.services import settings_update

    fake_llm.platform("openai", "anthropic", "perplexity")
    fake_llm.behave("sonar", text="Research notes.", citations=[{"url": "https://www.gov.si/", "title": "GOV.SI"}])
    fake_llm.behave(CLAUDE, text="Analysis notes.")
    fake_llm.behave("gpt-4o", text="Final structured answer [1].")
    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled={"single_provider": True, "sequential_enhance": True})
        events = run(ask("What changed in Slovenian building law this year?", strategy="sequential_enhance"))
    assert text_of(events) == "Final structured answer [1]."
    assert [r.model for r in fake_llm.requests] == ["sonar", CLAUDE, "gpt-4o"]
    assert "Research notes." in fake_llm.requests[1].body["messages"][-1]["content"]
    assert "Analysis notes." in fake_llm.requests[2].body["messages"][-1]["content"]
    sources = [e for e in events if e.type == "sources"][0].data["sources"]
    assert sources[0]["url"] == "https://www.gov.si/" and sources[0]["kind"] == "web" and sources[0]["access_date"]
    orch = last(events, "done").data["meta_data"]["orchestration"]
    assert set(orch["phase_details"]) == {"research_phase", "analysis_phase", "structure_phase"}
    assert orch["providers_used"] == ["perplexity", "anthropic", "openai"]
    assert orch["sources_included"][0]["title"] == "GOV.SI"
    assert [e.data["name"] for e in events if e.type == "phase" and e.data["status"] == "completed"] == [
        "research",
        "analysis",
        "structure",
    ]


def test_it_falls_back_when_the_web_search_provider_fails(fake_llm, tenant_a, in_tenant, owner):
    from orchestration.services import settings_update

    fake_llm.platform("openai", "perplexity")
    fake_llm.behave("sonar", status=500)
    fake_llm.behave("gpt-4o", text="From model knowledge.")
    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled={"single_provider": True, "sequential_enhance": True})
        events = run(ask(strategy="sequential_enhance"))
    orch = last(events, "done").data["meta_data"]["orchestration"]
    assert "model knowledge" in orch["phase_details"]["research_phase"]
    assert orch["fallbacks"][0]["provider"] == "perplexity"
