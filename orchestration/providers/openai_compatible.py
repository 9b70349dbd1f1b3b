"""Any OpenAI-compatible server (Ollama, vLLM, LM Studio) at the credential's base URL."""

from __future__ import annotations

from .openai import OpenAICompatibleProvider

__all__ = ["OpenAICompatibleProvider"]
