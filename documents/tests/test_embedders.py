"""The local model runs for real on two short texts; the OpenAI embedder speaks to the fake
server through the official SDK; vectors of two models are never compared."""

import uuid

from documents.embedders.local import LocalEmbedder
from documents.embedders.openai import OpenAIEmbedder
from documents.retrieval import ConversationRetriever
from documents.tests.helpers import PLANTED_EN


def test_the_local_model_embeds_two_short_texts_meaningfully():
    emb = LocalEmbedder()
    (drill, bananas), tokens = emb.embed_passages([PLANTED_EN, "Bananas are a yellow tropical fruit."])
    query = emb.embed_query("Koliko časa traja garancija za vrtalnik?")  # Slovenian question, English passage
    assert len(drill) == len(query) == emb.dimension == 384
    assert tokens > 10

    def dot(a, b):
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert abs(dot(drill, drill) - 1.0) < 1e-3
    assert dot(query, drill) > dot(query, bananas) + 0.05


def test_the_openai_embedder_calls_the_embeddings_endpoint(fake_llm):
    fake_llm.platform("openai")
    emb = OpenAIEmbedder.from_settings()
    vectors, tokens = emb.embed_passages(["one text", "another text here"])
    assert len(vectors) == 2 and len(vectors[0]) == 1536
    assert tokens == 5
    request = fake_llm.requests_for(path="/embeddings")[-1]
    assert request.body["model"] == "text-embedding-3-small" and request.body["input"] == [
        "one text",
        "another text here",
    ]


def test_retrieval_never_compares_vectors_of_two_models(tenant_a, owner, in_tenant, upload, settings, fake_llm):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "w.txt", PLANTED_EN.encode(), conversation_id=cid, scope="conversation")  # deterministic
    fake_llm.platform("openai")
    settings.DOCUMENTS_EMBEDDER = "openai"
    with in_tenant(tenant_a):
        from documents.retrieval import hybrid_search

        result = hybrid_search(doc_ids=[d.pk for d in owner.documents.all()], query="zzz unrelated", languages={"en"})
    assert result.hits == []  # no full-text match, and the deterministic vectors are not the current model's
    with in_tenant(tenant_a):
        passages = ConversationRetriever(user_id=owner.pk, conversation_id=cid).search("Zephyr warranty")
    assert passages and passages[0].score > 0  # full text still finds it until reembed_documents runs


def test_a_workspace_that_chose_openai_embeds_with_its_own_key(tenant_a, in_tenant, settings, fake_llm, credential):
    from documents.embedders import current
    from orchestration.models import OrchestrationSettings
    from orchestration.selectors import config_cache_clear

    settings.DOCUMENTS_EMBEDDER = "auto"
    with in_tenant(tenant_a):
        assert isinstance(current(), LocalEmbedder)  # the default: no key needed
        credential("openai", key="sk-tenant-embed-123456")
        OrchestrationSettings.objects.update_or_create(singleton=True, defaults={"embedding_provider": "openai"})
        config_cache_clear()
        emb = current()
        assert isinstance(emb, OpenAIEmbedder)
        emb.embed_query("hello")
    request = fake_llm.requests_for(path="/embeddings")[-1]
    assert request.headers.get("authorization", request.headers.get("Authorization")) == "Bearer sk-tenant-embed-123456"
