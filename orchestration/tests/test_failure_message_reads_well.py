"""When every provider fails, the one error message lists the failures without doubled punctuation."""

import re

from orchestration.tests.conftest import ask, last, run


def test_it_lists_the_failures_without_doubled_punctuation(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", status=500)
    fake_llm.behave("claude-sonnet-4-6", status=401)
    with in_tenant(tenant_a):
        events = run(ask())
    message = last(events, "error").data["message"]
    assert "OpenAI had a server error; Anthropic rejected the API key" in message
    assert not re.search(r"[.;,]\s*[.;,)]", message), message
