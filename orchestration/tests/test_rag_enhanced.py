from orchestration import engine
from orchestration.tests.conftest import ask, last, run, text_of


class Library:
    available = True

    def search(self, query, *, limit=5):
        return [
            engine.Passage(
                text="Holidays: 25 days a year.", title="Handbook", document_id="d1", chunk_id="c1", score=0.8
            )
        ]


def test_it_says_it_found_nothing_with_the_null_retriever(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="General answer.")
    with in_tenant(tenant_a):
        events = run(ask(strategy="rag_enhanced"), retriever=engine.NullRetriever())
    text = text_of(events)
    assert text.startswith("I found nothing in your documents")
    assert text.endswith("General answer.")
    assert last(events, "done").data["meta_data"]["orchestration"]["retrieval"] == "nothing found"


def test_it_answers_from_retrieved_passages_and_cites_them(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="You get 25 days [1].")
    with in_tenant(tenant_a):
        events = run(ask("How many holidays?", strategy="rag_enhanced"), retriever=Library())
    assert text_of(events) == "You get 25 days [1]."
    system = fake_llm.requests[-1].body["messages"][0]["content"]
    assert "Holidays: 25 days a year." in system
    source = [e for e in events if e.type == "sources"][0].data["sources"][0]
    assert source["kind"] == "document" and source["document_id"] == "d1" and source["title"] == "Handbook"
    assert last(events, "done").data["meta_data"]["orchestration"]["confidence_score"] == 0.8


def test_it_quotes_passages_offline(fake_llm, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        events = run(ask(strategy="rag_enhanced"), retriever=Library())
    assert "offline" in text_of(events) and "25 days" in text_of(events)
