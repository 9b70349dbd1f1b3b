from orchestration.tests.conftest import ask, last, run, text_of


def test_it_stops_within_one_chunk_and_keeps_the_partial_text(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text=" ".join(f"w{i}" for i in range(200)), chunk_delay=0.01)
    seen = []

    def should_stop():
        return len(seen) >= 3

    from orchestration import engine

    events = []
    with in_tenant(tenant_a):
        for event in engine.run(ask(), should_stop=should_stop):
            events.append(event)
            if event.type == "delta":
                seen.append(event.data["text"])
    deltas = [e for e in events if e.type == "delta"]
    assert len(deltas) == 3  # the chunk during which the stop came is the last one
    done = last(events, "done").data
    assert done["stopped"] is True
    assert text_of(events) == "w0 w1 w2"
    fake_llm.wait_finished()
    recorded = fake_llm.requests_for("gpt-4o")[-1]
    assert not recorded.sent_to_end  # the engine hung up: the server could not send the other 197 words


def test_it_stops_a_consensus_run(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("*", text=" ".join(f"w{i}" for i in range(300)), chunk_delay=0.01)
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 3

    with in_tenant(tenant_a):
        events = run(ask(strategy="parallel_consensus"), should_stop=should_stop)
    assert last(events, "done").data["stopped"] is True
    fake_llm.wait_finished()
    assert fake_llm.requests and not any(r.sent_to_end for r in fake_llm.requests)  # every stream hung up


def test_it_stops_the_consensus_threads_when_the_consumer_goes_away(fake_llm, tenant_a, in_tenant):
    from orchestration import engine

    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="quick")
    fake_llm.behave("claude-sonnet-4-6", text=" ".join(["slow"] * 300), chunk_delay=0.01)
    with in_tenant(tenant_a):
        gen = engine.run(ask(strategy="parallel_consensus"))
        for event in gen:
            if event.type == "phase" and event.data["name"] == "consensus" and event.data["status"] == "completed":
                break
        gen.close()
    fake_llm.wait_finished()  # ~3 s of words if nobody hung up: then the stream would be sent to its end
    slow = fake_llm.requests_for("claude-sonnet-4-6")[0]
    assert not slow.sent_to_end  # closing the generator hung up the slow model's stream
    (quick,) = fake_llm.requests_for("gpt-4o")
    assert quick.sent_to_end


def test_it_stops_during_a_research_phase_that_the_user_does_not_see(fake_llm, tenant_a, in_tenant, owner):
    from orchestration.services import settings_update

    fake_llm.platform("openai", "perplexity")
    fake_llm.behave("sonar", text=" ".join(["fact"] * 300), chunk_delay=0.01)
    checks = {"n": 0}

    def should_stop():
        checks["n"] += 1
        return checks["n"] > 5

    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled={"single_provider": True, "sequential_enhance": True})
        events = run(ask(strategy="sequential_enhance"), should_stop=should_stop)
    assert last(events, "done").data["stopped"] is True
    assert [r.model for r in fake_llm.requests] == ["sonar"]  # no analysis or structure call after the stop
    fake_llm.wait_finished()
    assert not fake_llm.requests[0].sent_to_end


def test_it_estimates_the_usage_of_a_stopped_stream(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text=" ".join(f"w{i}" for i in range(100)), chunk_delay=0.01)
    with in_tenant(tenant_a):
        events = run(ask("A question of some length"), should_stop=lambda: True)
    usage = last(events, "usage").data
    assert usage["estimated"] is True
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0 and usage["cost"] > 0
