"""OpenAI embeddings, or any OpenAI-compatible /v1/embeddings endpoint, through the official SDK.

The key and endpoint: the platform's (``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``) unless
``DOCUMENTS_OPENAI_EMBEDDING_*`` name others. Called only outside transactions (tasks)."""

from __future__ import annotations

import math

from django.conf import settings


class OpenAIEmbedder:
    def __init__(self, *, api_key: str, base_url: str = "", model: str = "text-embedding-3-small",
                 dimension: int = 1536, guarded: bool = False) -> None:  # fmt: skip
        self.api_key = api_key
        self.guarded = guarded  # a workspace-set URL: checked at connect time (core.egress)
        self.base_url = base_url or None
        self.model = model
        self.dimension = dimension
        self.name = f"openai:{model}:{dimension}"

    @classmethod
    def from_settings(cls) -> OpenAIEmbedder:
        return cls(
            api_key=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_KEY", "") or settings.OPENAI_API_KEY,
            base_url=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_BASE_URL", "") or settings.OPENAI_BASE_URL,
            model=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_MODEL", "text-embedding-3-small"),
            dimension=int(getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_DIMENSION", 1536)),
        )

    def _client(self):
        import httpx2
        import openai

        from core import egress

        t = httpx2.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
        return openai.OpenAI(api_key=self.api_key, base_url=self.base_url, timeout=t, max_retries=2,
                             http_client=egress.http_client(guarded=self.guarded, timeout=t))  # fmt: skip

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        response = self._client().embeddings.create(model=self.model, input=texts, dimensions=self.dimension)
        vectors = [_normalised(d.embedding) for d in sorted(response.data, key=lambda d: d.index)]
        tokens = response.usage.total_tokens if response.usage else sum(self.count_tokens(t) for t in texts)
        return vectors, tokens

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        return self._embed(list(texts)) if texts else ([], 0)

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0][0]

    def count_tokens(self, text: str) -> int:
        return max(1, math.ceil(len(text) / 4))


def _normalised(vec: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]
