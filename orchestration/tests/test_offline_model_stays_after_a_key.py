"""Adding a key does not silently take the offline model away from a chat that was using it."""

from orchestration import engine
from orchestration.tests.conftest import ask, last, run


def test_it_keeps_offering_the_offline_model_and_answers_with_it(fake_llm, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        assert engine.choices()["models"] == ["offline:offline"]
        credential("openai", models=["gpt-4o"])
        assert engine.choices()["models"] == ["openai:gpt-4o", "offline:offline"]
        done = last(run(ask(model="offline:offline")), "done")
    assert done.data["model_name"] == "offline"
    assert fake_llm.requests == []  # the offline model calls nobody
