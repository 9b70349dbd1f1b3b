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
        # passages per request: the API takes up to 2,048 inputs; 128 keeps a request ~1 MB of text
        # while cancel and the heartbeat still come every few seconds
        self.batch_size = int(getattr(settings, "DOCUMENTS_OPENAI_EMBED_BATCH", 128))
        self._sdk = None

    @classmethod
    def from_settings(cls) -> OpenAIEmbedder:
        return cls(
            api_key=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_KEY", "") or settings.OPENAI_API_KEY,
            base_url=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_BASE_URL", "") or settings.OPENAI_BASE_URL,
            model=getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_MODEL", "text-embedding-3-small"),
            dimension=int(getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_DIMENSION", 1536)),
        )

    def _client(self):
        """One SDK client per embedder (one per processing job): its connection is kept alive
        between batches instead of a client and a TCP connection per batch."""
        if self._sdk is None:
            import httpx2
            import openai

            from core import egress

            t = httpx2.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
            self._sdk = openai.OpenAI(api_key=self.api_key, base_url=self.base_url, timeout=t, max_retries=2,
                                      http_client=egress.http_client(guarded=self.guarded, timeout=t))  # fmt: skip
        return self._sdk

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        response = self._client().embeddings.create(model=self.model, input=texts, dimensions=self.dimension)
        vectors = _normalised([d.embedding for d in sorted(response.data, key=lambda d: d.index)])
        tokens = response.usage.total_tokens if response.usage else sum(self.count_tokens(t) for t in texts)
        return vectors, tokens

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        return self._embed(list(texts)) if texts else ([], 0)

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0][0]

    def count_tokens(self, text: str) -> int:
        return max(1, math.ceil(len(text) / 4))


def _normalised(vectors: list) -> list[list[float]]:
    """Each vector scaled to unit length (numpy: one pass over the batch)."""
    import numpy as np

    if not vectors:
        return []
    m = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).tolist()
