"""The ``Embedder`` interface and the choice of one (docs/adr/0008-local-embedder.md).

An embedder names its model (``name``, stored on every chunk) and its ``dimension``; retrieval
compares only vectors of the current model. ``current()`` picks the workspace's embedder: what
the workspace chose (the local model, or OpenAI with the workspace's own key or the platform's),
unless the operator forces one with ``DOCUMENTS_EMBEDDER`` ("local", "openai", or "deterministic"
for tests; "auto" follows the workspace).

The workspace's choice lives in orchestration's settings, and documents must not import
orchestration (DESIGN §3: chat -> orchestration -> documents). So the choice is passed in: the
callable named by ``DOCUMENTS_EMBEDDER_CONFIG`` (a dotted path, default
``orchestration.selectors.embedder_config``) returns an :class:`EmbedderConfig` or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class EmbedderConfig:
    """The workspace's embedder, as its settings name it (filled by the configured callable)."""

    provider: str = "local"  # "local" | "openai"
    api_key: str = ""
    base_url: str = ""
    model: str = "text-embedding-3-small"
    guarded: bool = False  # a workspace-set base URL: checked at connect time (core.egress)


class Embedder(Protocol):
    name: str  # "<backend>:<model>", stored on each chunk
    dimension: int

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """Vectors of the passages (L2-normalised) and the tokens they cost."""

    def embed_query(self, text: str) -> list[float]: ...

    def count_tokens(self, text: str) -> int: ...


def current() -> Embedder:
    choice = getattr(settings, "DOCUMENTS_EMBEDDER", "auto")
    if choice == "deterministic":
        from .deterministic import DeterministicEmbedder

        return DeterministicEmbedder()
    if choice == "openai":
        from .openai import OpenAIEmbedder

        return OpenAIEmbedder.from_settings()
    if choice == "auto":
        workspace = _workspace_embedder()
        if workspace is not None:
            return workspace
    from .local import LocalEmbedder

    return LocalEmbedder()


def _workspace_embedder() -> Embedder | None:
    """OpenAI when the workspace chose it and has a key (its own, else the platform's)."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    if getattr(connection, "schema_name", get_public_schema_name()) == get_public_schema_name():
        return None
    path = getattr(settings, "DOCUMENTS_EMBEDDER_CONFIG", "")
    config: EmbedderConfig | None = import_string(path)() if path else None
    if config is None or config.provider != "openai" or not config.api_key:
        return None
    from .openai import OpenAIEmbedder

    return OpenAIEmbedder(api_key=config.api_key, base_url=config.base_url, model=config.model,
                          dimension=int(getattr(settings, "DOCUMENTS_OPENAI_EMBEDDING_DIMENSION", 1536)),
                          guarded=config.guarded)  # fmt: skip
