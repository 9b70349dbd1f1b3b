"""An answer's engine events folded into what is persisted, without a database (issue 8 §5.3).

``EventAccumulator`` takes the engine's events one by one and keeps what the answer is made of:
its text, its phases, its sources, and the tokens and cost per provider. ``outcome_of`` turns
that (plus a moderation refusal, if any) into an ``Outcome``: complete, stopped, or error with
the partial text kept. The outcome is persisted once by ``generation.outcome_persist``, and only
the call that moves the answer out of an open status records its usage (billing's key is the
message), so a redelivered or racing generation never charges twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

INTERRUPTED = gettext_noop("The answer was interrupted. Please try again.")
FAILED = gettext_noop("Something went wrong while writing the answer. Please try again.")

COMPLETE, STOPPED, ERROR = "complete", "stopped", "error"  # Message.Status values (no model import)


@dataclass
class ProviderUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: Decimal = Decimal("0")


@dataclass
class EventAccumulator:
    """Everything an answer's events said so far. Pure: feed it events, read its fields."""

    parts: list[str] = field(default_factory=list)
    phases: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    providers: dict[str, ProviderUsage] = field(default_factory=dict)
    done: dict | None = None
    error: dict | None = None

    def add(self, type_: str, data: dict) -> None:
        if type_ == "delta":
            self.parts.append(data.get("text", ""))
        elif type_ == "phase":
            self.phases.append(data)
        elif type_ == "sources":
            self.sources.extend(data.get("sources", []))
        elif type_ == "usage":
            usage = self.providers.setdefault(str(data.get("provider") or ""), ProviderUsage())
            usage.prompt_tokens += int(data.get("prompt_tokens") or 0)
            usage.completion_tokens += int(data.get("completion_tokens") or 0)
            usage.cost += Decimal(str(data.get("cost") or 0))
        elif type_ == "done":
            self.done = data
        elif type_ == "error":
            self.error = data

    def fail(self, message: str, code: str) -> None:
        """The run broke outside the engine's own events (an exception, the time limit)."""
        self.error = {"message": message, "code": code}

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def usage_cost(self) -> Decimal:
        return sum((u.cost for u in self.providers.values()), Decimal("0"))


@dataclass(frozen=True)
class Outcome:
    """What is persisted for the answer, once."""

    status: str
    content: str
    meta_data: dict
    model_name: str
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal
    processing_time_ms: int
    context_documents: list
    error_message: str
    moderation_flagged: bool = False


def outcome_of(acc: EventAccumulator, *, elapsed_ms: int, refusal: str | None = None, flagged: str = "") -> Outcome:
    """The outcome of an answer whose events were ``acc``. ``refusal``: the moderation's message
    (nothing of the answer is kept; ``flagged`` is the marker the page reads to offer no retry)."""
    done = acc.done or {}
    error = acc.error
    text = acc.text
    meta: dict
    if refusal is not None:
        status, text = ERROR, ""
        meta = {**(done.get("meta_data") or {}), "moderation": flagged}
        error = {"message": refusal, "code": "moderation"}
    elif error is not None:
        status, meta = ERROR, {}
    elif acc.done is not None:
        status = STOPPED if done.get("stopped") else COMPLETE
        meta = dict(done.get("meta_data") or {})
    else:
        status, meta = ERROR, {}
        error = {"message": _(INTERRUPTED), "code": "no_result"}
    orchestration = meta.setdefault("orchestration", {}) if meta else None
    if orchestration is not None:
        if not orchestration.get("processing_time_ms"):
            orchestration["processing_time_ms"] = elapsed_ms
        if acc.sources and not orchestration.get("sources_included"):
            orchestration["sources_included"] = acc.sources
    cost = Decimal(str((meta.get("cost_breakdown") or {}).get("total_cost") or 0)) or acc.usage_cost
    return Outcome(
        status=status,
        content=text,
        meta_data=meta,
        model_name=done.get("model_name", ""),
        prompt_tokens=int(done.get("prompt_tokens") or 0),
        completion_tokens=int(done.get("completion_tokens") or 0),
        cost=cost,
        processing_time_ms=elapsed_ms,
        context_documents=[
            {k: s.get(k) for k in ("document_id", "chunk_id", "title") if s.get(k)}
            for s in acc.sources
            if s.get("kind") == "document"
        ],
        error_message=(error or {}).get("message", ""),
        moderation_flagged=refusal is not None,
    )
