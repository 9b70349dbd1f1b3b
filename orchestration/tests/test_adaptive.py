from orchestration import engine
from orchestration.resilience import CircuitBreaker
from orchestration.tests.conftest import ask, last, run


class Library:
    available = True

    def search(self, query, *, limit=5):
        return [engine.Passage(text="Policy text.", title="Policy")]


def enable_all(owner):
    from orchestration.services import settings_update

    settings_update(
        user=owner,
        strategies_enabled=dict.fromkeys(
            ["single_provider", "parallel_consensus", "sequential_enhance", "rag_enhanced", "adaptive"], True
        ),
    )


def adaptive_meta(events):
    return last(events, "done").data["meta_data"]["orchestration"]


def test_it_answers_a_simple_question_with_one_provider(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai", "anthropic")
    with in_tenant(tenant_a):
        enable_all(owner)
        orch = adaptive_meta(run(ask("Hi there", strategy="adaptive")))
    assert orch["orchestration_strategy"] == "adaptive"
    assert orch["adaptive"]["chosen_strategy"] == "single_provider"
    assert orch["query_analysis"]["complexity"] == "SIMPLE"
    assert orch["adaptive"]["reasons"]


def test_it_uses_web_research_for_current_questions(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai", "anthropic", "perplexity")
    with in_tenant(tenant_a):
        enable_all(owner)
        orch = adaptive_meta(run(ask("What are the latest news about Slovenian tax law today?", strategy="adaptive")))
    assert orch["query_analysis"]["requires_current_info"] is True
    assert orch["query_analysis"]["domain"] in ("legal", "finance")
    assert orch["adaptive"]["chosen_strategy"] == "sequential_enhance"


def test_it_uses_the_documents_when_the_question_refers_to_them(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai")
    with in_tenant(tenant_a):
        enable_all(owner)
        orch = adaptive_meta(
            run(ask("What does our policy document say about holidays?", strategy="adaptive"), retriever=Library())
        )
    assert orch["adaptive"]["chosen_strategy"] == "rag_enhanced"


def test_it_asks_several_models_for_complex_questions_and_skips_unhealthy_ones(fake_llm, tenant_a, in_tenant, owner):
    fake_llm.platform("openai", "anthropic", "perplexity")
    question = "Compare and analyze the pros and cons of Django versus Flask for a large API, step by step."
    with in_tenant(tenant_a):
        enable_all(owner)
        orch = adaptive_meta(run(ask(question, strategy="adaptive")))
        assert orch["adaptive"]["chosen_strategy"] == "parallel_consensus"
        for _ in range(5):
            CircuitBreaker(tenant_a.schema_name, "anthropic").record_failure()
        CircuitBreaker(tenant_a.schema_name, "perplexity").record_failure()
        orch = adaptive_meta(run(ask(question, strategy="adaptive")))
    assert any("unhealthy" in r and "anthropic" in r for r in orch["adaptive"]["reasons"]), orch
    assert "anthropic" not in orch["providers_used"]


def test_it_steps_down_to_one_provider_under_the_cost_limit(fake_llm, tenant_a, in_tenant, owner):
    from decimal import Decimal

    from orchestration.services import settings_update

    fake_llm.platform("openai", "anthropic")
    question = "Compare and analyze the pros and cons of Django versus Flask for a large API, step by step."
    with in_tenant(tenant_a):
        enable_all(owner)
        settings_update(user=owner, max_cost_per_query=Decimal("0.01"))
        orch = adaptive_meta(run(ask(question, strategy="adaptive")))
    assert orch["adaptive"]["chosen_strategy"] == "single_provider"
    assert any("above" in r for r in orch["adaptive"]["reasons"])
