"""The web pages a provider cites in the answer it streams (Perplexity) become the answer's sources.

Found by running the browser tests on the real engine: a single-provider Perplexity answer lost its
citations (only sequential_enhance's research phase kept them)."""

from orchestration.tests.conftest import ask, last, run, text_of


def test_it_lists_the_citations_of_the_answering_provider_as_sources(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("perplexity")
    fake_llm.behave("sonar", text="Ljubljana.", citations=[{"url": "https://www.gov.si/", "title": "GOV.SI"}])
    with in_tenant(tenant_a):
        events = run(ask(strategy="single_provider"))
    assert text_of(events) == "Ljubljana."
    (sources,) = [e.data["sources"] for e in events if e.type == "sources"]
    assert [(s["url"], s["title"], s["kind"]) for s in sources] == [("https://www.gov.si/", "GOV.SI", "web")]
    included = last(events, "done").data["meta_data"]["orchestration"]["sources_included"]
    assert [s["url"] for s in included] == ["https://www.gov.si/"]


def test_it_lists_no_sources_for_an_answer_without_citations(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="Ljubljana.")
    with in_tenant(tenant_a):
        events = run(ask(strategy="single_provider"))
    assert not [e for e in events if e.type == "sources"]
    assert last(events, "done").data["meta_data"]["orchestration"]["sources_included"] == []
