"""One model price table (USD per million tokens, plus a per-request fee where a provider
charges one). Tenants override entries with ``OrchestrationSettings.price_overrides``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

D = Decimal


@dataclass(frozen=True)
class Price:
    input: Decimal  # per million prompt tokens
    output: Decimal  # per million completion tokens
    request: Decimal = D("0")  # per request (Perplexity's search fee)


PRICES: dict[str, Price] = {
    # OpenAI
    "gpt-4o": Price(D("2.50"), D("10.00")),
    "gpt-4o-mini": Price(D("0.15"), D("0.60")),
    "gpt-4.1": Price(D("2.00"), D("8.00")),
    "gpt-4.1-mini": Price(D("0.40"), D("1.60")),
    "gpt-4.1-nano": Price(D("0.10"), D("0.40")),
    "o3-mini": Price(D("1.10"), D("4.40")),
    # Anthropic (the retired models stay for answers already recorded with them)
    "claude-sonnet-4-6": Price(D("3.00"), D("15.00")),
    "claude-sonnet-4-5": Price(D("3.00"), D("15.00")),
    "claude-haiku-4-5": Price(D("1.00"), D("5.00")),
    "claude-3-5-sonnet-20241022": Price(D("3.00"), D("15.00")),
    "claude-3-5-haiku-20241022": Price(D("0.80"), D("4.00")),
    "claude-sonnet-4-20250514": Price(D("3.00"), D("15.00")),
    "claude-opus-4-20250514": Price(D("15.00"), D("75.00")),
    # Perplexity
    "sonar": Price(D("1.00"), D("1.00"), D("0.005")),
    "sonar-pro": Price(D("3.00"), D("15.00"), D("0.006")),
    "llama-3.1-sonar-large-128k-online": Price(D("1.00"), D("1.00"), D("0.005")),
    # No cost
    "offline": Price(D("0"), D("0")),
}

# A model missing from the table: self-hosted servers cost nothing per token; for the hosted
# providers assume a mid-range price so that budgets stay meaningful.
PROVIDER_FALLBACK: dict[str, Price] = {
    "openai": Price(D("2.50"), D("10.00")),
    "anthropic": Price(D("3.00"), D("15.00")),
    "perplexity": Price(D("1.00"), D("1.00"), D("0.005")),
    "openai_compatible": Price(D("0"), D("0")),
    "offline": Price(D("0"), D("0")),
}


def provider_of(model: str) -> str:
    """Which provider a model of the price table belongs to (by its name)."""
    if model.startswith(("gpt-", "o1", "o3", "o4")):
        return "openai"
    if model.startswith("claude-"):
        return "anthropic"
    if "sonar" in model:
        return "perplexity"
    return "offline" if model == "offline" else ""


def known_models(provider: str) -> list[str]:
    """The models of ``provider`` in the price table, newest names first as listed."""
    return [m for m in PRICES if provider_of(m) == provider]


MILLION = D(1_000_000)
QUANTUM = D("0.000001")


def _from_override(raw: dict) -> Price | None:
    try:
        return Price(D(str(raw.get("input", 0))), D(str(raw.get("output", 0))), D(str(raw.get("request", 0))))
    except (ArithmeticError, AttributeError, ValueError):
        return None


def price_for(provider: str, model: str, overrides: dict | None = None) -> Price:
    if overrides and model in overrides:
        price = _from_override(overrides[model])
        if price is not None:
            return price
    return PRICES.get(model) or PROVIDER_FALLBACK.get(provider, PROVIDER_FALLBACK["openai"])


def cost(
    provider: str, model: str, prompt_tokens: int, completion_tokens: int, overrides: dict | None = None
) -> Decimal:
    price = price_for(provider, model, overrides)
    total = (price.input * prompt_tokens + price.output * completion_tokens) / MILLION + price.request
    return total.quantize(QUANTUM)


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters per token) for estimates before a call."""
    return max(1, len(text) // 4)
