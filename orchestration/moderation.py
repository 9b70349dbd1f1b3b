"""Content moderation through the OpenAI moderation endpoint (seed 001).

``chat`` checks user input with :func:`checker` (concurrently with the answer) and persists the
result (chat.ModerationLog, chat.Violation). With an OpenAI key (the tenant's own, else the platform's) the text goes
through the official SDK's moderation endpoint; without one the answer is None ("not checked").
A failing moderation call must not block the chat: it answers a result with ``error`` set (not
flagged), which chat records as a failed check in the admin's moderation log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
MODEL = "omni-moderation-latest"


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    categories: dict[str, bool] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    model: str = ""
    provider: str = "openai"
    error: str = ""  # the check failed (no verdict): what went wrong, never the SDK's message

    @property
    def failed(self) -> bool:
        return bool(self.error)


def checker() -> Callable[[str], ModerationResult | None] | None:
    """The current tenant's moderation call, ready to run in any thread; None when none is configured.

    Resolves the key (tenant's own, else the platform's) and the SDK client here, in the caller's
    thread and tenant schema, so that the returned function only does the HTTP call: the chat runs
    it concurrently with the answer's first provider call.
    """
    from orchestration import selectors
    from orchestration.providers.openai import OpenAIProvider

    config = selectors.openai_config()
    if config is None:
        return None
    client = OpenAIProvider(config).client()
    return lambda text: _call(client, text)


def moderate(text: str) -> ModerationResult | None:
    """Check ``text`` in the current tenant's schema; None when no moderation provider is configured."""
    check = checker()
    return check(text) if check is not None else None


def _call(client, text: str) -> ModerationResult | None:
    import openai

    try:
        response = client.moderations.create(input=text, model=MODEL)
    except openai.OpenAIError as exc:
        status = getattr(exc, "status_code", None)
        log.warning("moderation call failed: %s (status %s)", type(exc).__name__, status)
        return ModerationResult(
            flagged=False, model=MODEL, error=type(exc).__name__ + (f" (HTTP {status})" if status else "")
        )
    result = response.results[0]
    categories = {k: bool(v) for k, v in result.categories.model_dump(by_alias=True).items() if v is not None}
    scores = {k: float(v) for k, v in result.category_scores.model_dump(by_alias=True).items() if v is not None}
    return ModerationResult(
        flagged=bool(result.flagged), categories=categories, scores=scores, model=response.model or MODEL
    )
