from orchestration.tests.conftest import ask, last, run, text_of


def test_it_streams_the_answer_through_the_engine_and_ends_with_done(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="Ljubljana is the capital.")
    with in_tenant(tenant_a):
        events = run(ask())
    assert text_of(events) == "Ljubljana is the capital."
    assert [e.type for e in events][-1] == "done"
    done = last(events, "done").data
    assert done["model_name"] == "openai:gpt-4o"
    assert done["stopped"] is False
    orch = done["meta_data"]["orchestration"]
    assert orch["orchestration_strategy"] == "single_provider"
    assert orch["providers_used"] == ["openai"]
    assert orch["processing_time_ms"] >= 0
    assert set(orch) >= {"confidence_score", "query_analysis", "phase_details", "sources_included"}


def test_it_answers_offline_when_nothing_is_configured(fake_llm, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        events = run(ask())
    assert "offline" in text_of(events)
    assert last(events, "done").data["meta_data"]["orchestration"]["providers_used"] == ["offline"]
    assert fake_llm.requests == []


def test_it_sends_the_tenant_system_message_and_the_transcript(fake_llm, tenant_a, in_tenant, owner):
    from orchestration import engine
    from orchestration.services import settings_update

    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        settings_update(user=owner, system_message="You answer in Slovenian.")
        run(
            engine.Request(
                transcript=[
                    engine.Turn("user", "Hi"),
                    engine.Turn("assistant", "Hello"),
                    engine.Turn("user", "Capital?"),
                ]
            )
        )
    sent = fake_llm.requests_for("gpt-4o")[-1].body["messages"]
    assert sent[0] == {"role": "system", "content": "You answer in Slovenian."}
    assert [m["content"] for m in sent[1:]] == ["Hi", "Hello", "Capital?"]


def test_it_uses_a_pinned_model(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        events = run(ask(model="anthropic:claude-haiku-4-5"))
    assert last(events, "done").data["model_name"] == "anthropic:claude-haiku-4-5"
    assert fake_llm.requests_for("gpt-4o") == []


def test_it_quotes_document_passages_offline_and_lists_them_as_sources(fake_llm, tenant_a, in_tenant):
    from orchestration import engine

    class Library:
        available = True

        def search(self, query, *, limit=5):
            return [engine.Passage(text="Ljubljana has 300k people.", title="Atlas", document_id="d1")]

    with in_tenant(tenant_a):
        events = run(ask(), retriever=Library())
    assert "Ljubljana has 300k people." in text_of(events)
    sources = last(events, "sources").data["sources"]
    assert sources[0]["title"] == "Atlas" and sources[0]["kind"] == "document"
    assert last(events, "done").data["model_name"] == "offline"


def test_it_skips_a_credential_whose_key_cannot_be_decrypted(fake_llm, tenant_a, in_tenant, credential, settings):
    from cryptography.fernet import Fernet

    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
        settings.FERNET_KEYS = [Fernet.generate_key().decode()]
        events = run(ask())
    assert last(events, "done").data["model_name"].startswith("anthropic:")
    assert fake_llm.requests_for("gpt-4o") == []
