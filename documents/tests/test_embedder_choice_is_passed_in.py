"""documents does not import orchestration (DESIGN §3): the workspace's embedder choice comes from
the callable named by DOCUMENTS_EMBEDDER_CONFIG, whichever app provides it."""

from documents.embedders import EmbedderConfig, current
from documents.embedders.local import LocalEmbedder
from documents.embedders.openai import OpenAIEmbedder

CHOICE: dict = {}


def chosen() -> EmbedderConfig | None:
    return CHOICE.get("config")


def test_it_builds_the_embedder_the_configured_callable_names(tenant_a, in_tenant, settings):
    settings.DOCUMENTS_EMBEDDER = "auto"
    settings.DOCUMENTS_EMBEDDER_CONFIG = f"{__name__}.chosen"
    CHOICE["config"] = EmbedderConfig(provider="openai", api_key="sk-passed-in", base_url="http://127.0.0.1:9/v1",
                                      model="text-embedding-3-large", guarded=True)  # fmt: skip
    with in_tenant(tenant_a):
        emb = current()
        assert isinstance(emb, OpenAIEmbedder)
        assert (emb.api_key, emb.base_url, emb.model, emb.guarded) == (
            "sk-passed-in", "http://127.0.0.1:9/v1", "text-embedding-3-large", True)  # fmt: skip
        CHOICE["config"] = EmbedderConfig(provider="openai", api_key="")  # chose OpenAI, has no key
        assert isinstance(current(), LocalEmbedder)
        CHOICE["config"] = None
        assert isinstance(current(), LocalEmbedder)
