"""The engine's events fold into one outcome without a database (chat.services.answer)."""

from decimal import Decimal

from chat.services.answer import EventAccumulator, outcome_of


def _fed(*events) -> EventAccumulator:
    acc = EventAccumulator()
    for type_, data in events:
        acc.add(type_, data)
    return acc


def test_it_keeps_text_phases_sources_and_usage_per_provider():
    acc = _fed(
        ("phase", {"name": "analysis", "status": "running"}),
        ("delta", {"text": "Hel"}),
        ("usage", {"provider": "openai", "prompt_tokens": 3, "completion_tokens": 2, "cost": 0.25}),
        ("usage", {"provider": "openai", "prompt_tokens": 1, "completion_tokens": 1, "cost": 0.5}),
        ("usage", {"provider": "anthropic", "prompt_tokens": 7, "completion_tokens": 0, "cost": 1}),
        ("sources", {"sources": [{"kind": "document", "document_id": "d1", "chunk_id": "c1", "title": "T", "x": 1}]}),
        ("delta", {"text": "lo"}),
    )
    assert acc.text == "Hello"
    assert [p["name"] for p in acc.phases] == ["analysis"]
    assert acc.providers["openai"].prompt_tokens == 4 and acc.providers["openai"].cost == Decimal("0.75")
    assert acc.providers["anthropic"].prompt_tokens == 7
    assert acc.usage_cost == Decimal("1.75")
    outcome = outcome_of(acc, elapsed_ms=5)
    # no ``done``: the answer ended without a result, an error that keeps the partial text
    assert outcome.status == "error" and outcome.content == "Hello" and "interrupted" in outcome.error_message
    assert outcome.cost == Decimal("1.75")
    assert outcome.context_documents == [{"document_id": "d1", "chunk_id": "c1", "title": "T"}]


def test_it_completes_with_the_engines_result():
    done = {"model_name": "gpt", "prompt_tokens": 4, "completion_tokens": 2,
            "meta_data": {"orchestration": {}, "cost_breakdown": {"total_cost": 0.1}}}  # fmt: skip
    outcome = outcome_of(_fed(("delta", {"text": "Hi"}), ("done", done)), elapsed_ms=42)
    assert (outcome.status, outcome.content, outcome.model_name) == ("complete", "Hi", "gpt")
    assert outcome.meta_data["orchestration"]["processing_time_ms"] == 42
    assert outcome.cost == Decimal("0.1") and outcome.prompt_tokens == 4


def test_it_stops_and_keeps_the_partial_text():
    outcome = outcome_of(_fed(("delta", {"text": "Half"}), ("done", {"stopped": True})), elapsed_ms=1)
    assert (outcome.status, outcome.content) == ("stopped", "Half")


def test_it_ends_with_the_engines_error_and_the_partial_text():
    acc = _fed(("delta", {"text": "Par"}), ("error", {"message": "Provider down", "code": "providers_failed"}))
    outcome = outcome_of(acc, elapsed_ms=1)
    assert (outcome.status, outcome.content, outcome.error_message) == ("error", "Par", "Provider down")


def test_it_shows_nothing_of_a_refused_answer():
    acc = _fed(("delta", {"text": "secret"}), ("done", {"meta_data": {"orchestration": {}}}))
    outcome = outcome_of(acc, elapsed_ms=1, refusal="Not allowed", flagged="flagged")
    assert (outcome.status, outcome.content, outcome.error_message) == ("error", "", "Not allowed")
    assert outcome.meta_data["moderation"] == "flagged" and outcome.moderation_flagged
