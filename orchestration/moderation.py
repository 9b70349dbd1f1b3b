"""Content moderation through the OpenAI moderation endpoint (seed 001).

``chat`` calls :func:`moderate` on user input and persists the result (chat.ModerationLog,
chat.Violation). This first version has no provider wiring and returns None ("not checked");
the orchestration issue implements it behind the same signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    categories: dict[str, bool] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    model: str = ""
    provider: str = "openai"


def moderate(text: str) -> ModerationResult | None:
    """Check ``text`` in the current tenant's schema; None when no moderation provider is configured."""
    return None
