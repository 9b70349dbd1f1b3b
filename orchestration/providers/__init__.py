"""Provider modules, one per provider, all with the shape of :class:`base.Provider`."""

from __future__ import annotations

from .anthropic import AnthropicProvider
from .base import Call, Completion, Provider, ProviderConfig, ProviderError
from .offline import OfflineProvider
from .openai import OpenAIProvider
from .openai_compatible import OpenAICompatibleProvider
from .perplexity import PerplexityProvider

REGISTRY: dict[str, type[Provider]] = {
    "openai": OpenAIProvider,
    "anthropic": AnthropicProvider,
    "perplexity": PerplexityProvider,
    "openai_compatible": OpenAICompatibleProvider,
    "offline": OfflineProvider,
}


def get(config: ProviderConfig) -> Provider:
    return REGISTRY[config.provider](config)


__all__ = ["REGISTRY", "Call", "Completion", "Provider", "ProviderConfig", "ProviderError", "get"]
