from orchestration.tests.conftest import ask, last, run, text_of

CLAUDE = "claude-sonnet-4-6"


def test_it_calls_the_providers_concurrently(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic", "perplexity")
    for model in ("gpt-4o", CLAUDE, "sonar"):
        fake_llm.behave(model, text="Ljubljana is the capital of Slovenia", chunk_delay=0.05)
    with in_tenant(tenant_a):
        events = run(ask(strategy="parallel_consensus"))
    first_three = sorted(fake_llm.requests, key=lambda r: r.started)[:3]  # the synthesis call comes after
    assert {r.model for r in first_three} == {"gpt-4o", CLAUDE, "sonar"}
    # every call started before any of them finished: they overlapped
    assert max(r.started for r in first_three) < min(r.finished for r in first_three)
    assert last(events, "done").type == "done"


def test_it_synthesises_one_answer_and_keeps_each_models_own(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="Ljubljana is the capital")
    fake_llm.behave(CLAUDE, text="The capital is Ljubljana")
    with in_tenant(tenant_a):
        events = run(ask(strategy="parallel_consensus"))
    orch = last(events, "done").data["meta_data"]["orchestration"]
    consensus = orch["consensus"]
    assert {a["provider"]: a["text"] for a in consensus["answers"]} == {
        "openai": "Ljubljana is the capital",
        "anthropic": "The capital is Ljubljana",
    }
    assert 0 < consensus["agreement_score"] < 1
    assert orch["confidence_score"] == consensus["agreement_score"]
    assert consensus["synthesized_by"] in ("openai:gpt-4o", f"anthropic:{CLAUDE}")
    synthesis = fake_llm.requests[-1]
    assert "Answer 1" in synthesis.body["messages"][-1]["content"]
    assert text_of(events)  # the synthesis was streamed
    assert set(orch["providers_used"]) == {"openai", "anthropic"}


def test_it_gives_identical_answers_full_agreement(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("*", text="Same words here")
    with in_tenant(tenant_a):
        events = run(ask(strategy="parallel_consensus"))
    assert last(events, "done").data["meta_data"]["orchestration"]["consensus"]["agreement_score"] == 1.0


def test_it_answers_with_the_models_that_did_not_fail(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic", "perplexity")
    fake_llm.behave("*", text="An answer")
    fake_llm.behave("sonar", status=500)
    with in_tenant(tenant_a):
        events = run(ask(strategy="parallel_consensus"))
    orch = last(events, "done").data["meta_data"]["orchestration"]
    assert len(orch["consensus"]["answers"]) == 2
    assert [f["provider"] for f in orch["fallbacks"]] == ["perplexity"]
