"""The ``Embedder`` interface and the choice of one (docs/adr/0005-local-embedder.md).

An embedder names its model (``name``, stored on every chunk) and its ``dimension``; retrieval
compares only vectors of the current model. ``current()`` picks the workspace's embedder:
``DOCUMENTS_EMBEDDER`` ("local" by default, "openai", or "deterministic" for tests).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings


class Embedder(Protocol):
    name: str  # "<backend>:<model>", stored on each chunk
    dimension: int

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """Vectors of the passages (L2-normalised) and the tokens they cost."""

    def embed_query(self, text: str) -> list[float]: ...

    def count_tokens(self, text: str) -> int: ...


def current() -> Embedder:
    choice = getattr(settings, "DOCUMENTS_EMBEDDER", "local")
    if choice == "deterministic":
        from .deterministic import DeterministicEmbedder

        return DeterministicEmbedder()
    if choice == "openai":
        from .openai import OpenAIEmbedder

        return OpenAIEmbedder.from_settings()
    from .local import LocalEmbedder

    return LocalEmbedder()
