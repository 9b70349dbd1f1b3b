"""The orchestration engine's public interface (DESIGN §3).

``chat`` calls :func:`run` from its generation task, in the tenant's schema, and persists the
events it yields; the engine knows nothing of chat models. Behind this module: the tenant's
settings and credentials (``selectors``), providers (``providers/``), strategies
(``strategies/``), prices (``pricing``), circuit breakers and rate limits (``resilience``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from django.utils.translation import gettext as _

EventType = Literal["phase", "delta", "sources", "usage", "done", "error"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Image:
    """An image sent with a user turn (issue 9 §1). Models that accept images get ``data`` as an
    image content part; the others, and images sent without ``data`` (too many in one
    conversation), get :meth:`note` in the text instead."""

    name: str
    mime_type: str
    width: int
    height: int
    data: bytes = field(default=b"", repr=False)

    def note(self) -> str:
        return f"[image: {self.name}, {self.width}×{self.height}]"


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant", "system"]
    content: str
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A retrieved document passage (the documents issue fills the retriever)."""

    text: str
    title: str
    url: str = ""
    document_id: str = ""
    chunk_id: str = ""
    score: float = 0.0
    page: int | None = None  # where the format has pages


class Retriever(Protocol):
    def search(self, query: str, *, limit: int = 5) -> list[Passage]: ...


class NullRetriever:
    """Finds nothing, and says so through ``available``."""

    available = False

    def search(self, query: str, *, limit: int = 5) -> list[Passage]:
        return []


@dataclass(frozen=True)
class Request:
    transcript: list[Turn]  # the conversation so far, ending with the user's question
    strategy: str | None = None  # None: the tenant's default
    model: str | None = None  # "provider:model" or None: the strategy chooses
    temperature: float | None = None
    max_tokens: int | None = None
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """One step of an answer.

    data by type:
      phase   {"name": str, "status": "started"|"completed", "provider": str, "detail": str,
               optional "ok": bool, "error": str (a failed call, followed by a fallback),
               "elapsed_ms": int (a completed call's duration)}
      delta   {"text": str}                      -- text of the final answer, in order
      sources {"sources": [{"url", "title", "access_date", "kind": "web"|"document", ...}]}
      usage   {"provider", "model", "prompt_tokens", "completion_tokens", "cost", "platform",
               "estimated": bool (the provider reported no usage, e.g. a stopped stream)}
      done    {"meta_data": <seed 000 message meta_data>, "model_name" ("provider:model" | "offline"), "prompt_tokens",
               "completion_tokens", "stopped": bool, "cost": float, "platform": bool}
      error   {"message": str (for the user), "code": str, "retryable": bool,
               optional "meta_data" (usage of the calls that ran), "failures": [...]}

    error codes: providers_failed (retryable), budget (max_cost_per_query refused the question),
    refusal (a provider declined), internal (retryable).
    """

    type: EventType
    data: dict


OFFLINE_MODEL = "offline:offline"
OFFLINE_NOTICE = "I am running offline: no language model provider is configured for this workspace."


def run(
    request: Request,
    *,
    retriever: Retriever | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Event]:
    """Answer the last user turn of ``request.transcript``; yields events, ends with done or error.

    Reads the current tenant's settings and credentials; no database access after that.
    """
    from orchestration import selectors

    snapshot, configs = selectors.snapshot_and_configs()
    if request.model == OFFLINE_MODEL and configs[0].provider != "offline":
        # the chat kept the offline model after a key was added (see choices()): it answers
        configs = [selectors.offline_config(snapshot)]
    yield from run_prepared(request, settings=snapshot, configs=configs, retriever=retriever, should_stop=should_stop)


def run_prepared(request: Request, *, settings, configs, retriever=None, should_stop=lambda: False) -> Iterator[Event]:
    """:func:`run` with the settings snapshot and provider configs given (benchmarks, tools)."""
    from orchestration.strategies import REGISTRY
    from orchestration.strategies.base import AllProvidersFailed, Context, Refused

    ctx = Context(request=request, settings=settings, configs=configs, retriever=retriever or NullRetriever(),
                  should_stop=should_stop, event=Event)  # fmt: skip
    name = _strategy_name(ctx)
    try:
        name, budget, refusal = _budget_before(ctx, name, REGISTRY)
        if refusal:
            yield Event("error", {"message": refusal, "code": "budget", "retryable": False,
                                  "meta_data": _meta(ctx, name, budget)})  # fmt: skip
            return
        if budget.get("downgraded"):
            yield ctx.phase("budget", "completed", "", budget["reason"], ok=True)
        yield from REGISTRY[name].run(ctx)
    except AllProvidersFailed as exc:
        detail = "; ".join(f["message"].rstrip(". ") for f in exc.failures[-3:])  # no ".;" or ".)." (issue 11)
        message = _("No language model could answer right now (%(detail)s). Your message is kept: please try again.")
        yield Event("error", {"message": message % {"detail": detail}, "code": "providers_failed", "retryable": True,
                              "failures": exc.failures, "meta_data": _meta(ctx, name, {})})  # fmt: skip
        return
    except Refused as exc:
        yield Event("error", {"message": exc.error.user_message, "code": "refusal", "retryable": False,
                              "meta_data": _meta(ctx, name, {})})  # fmt: skip
        return
    except Exception:  # noqa: BLE001 - the chat side must always get a final event
        log.exception("orchestration failed")
        yield Event("error", {"message": _("Something went wrong while answering. Please try again."),
                              "code": "internal", "retryable": True})  # fmt: skip
        return
    meta = _meta(ctx, name, budget)
    limit = budget.get("limit")
    total = meta["cost_breakdown"]["total_cost"]
    if limit and total > limit:
        budget["exceeded_after"] = True
        budget["actual"] = total
        yield ctx.phase("budget", "completed", "", f"actual cost ${total:.4f} above the limit ${limit:.4f}", ok=False)
    final = ctx.final
    yield Event("done", {
        "meta_data": meta,
        "model_name": _model_name(final),
        "prompt_tokens": sum(c.prompt_tokens for c in ctx.completions),
        "completion_tokens": sum(c.completion_tokens for c in ctx.completions),
        "stopped": ctx.stopped,
        "cost": total,
        "platform": meta["platform_usage"]["used"],
    })  # fmt: skip


def _model_name(final) -> str:
    """ "provider:model" of the call that wrote the answer ("offline" for the offline provider)."""
    if final is None:
        return ""
    return "offline" if final.provider == "offline" else f"{final.provider}:{final.model}"


def _strategy_name(ctx) -> str:
    from orchestration.strategies import REGISTRY

    s = ctx.settings
    wanted = ctx.request.strategy or s.default_strategy
    if wanted == "single_provider" and getattr(ctx.retriever, "available", False) and s.enabled("rag_enhanced"):
        # the conversation holds ready documents: answers draw on them (issue 9)
        ctx.notes.append("the conversation has documents: rag_enhanced answered")
        wanted = "rag_enhanced"
    if all(c.provider == "offline" for c in ctx.configs):
        if wanted not in ("single_provider", "rag_enhanced"):
            ctx.notes.append(f"{wanted} needs a language model provider; the offline provider answered")
        return "rag_enhanced" if wanted == "rag_enhanced" else "single_provider"
    if wanted in REGISTRY and s.enabled(wanted):
        return wanted
    fallback = s.default_strategy if s.enabled(s.default_strategy) else "single_provider"
    ctx.notes.append(f"strategy {wanted} is not enabled in this workspace; {fallback} answered")
    return fallback


def _budget_before(ctx, name: str, registry) -> tuple[str, dict, str | None]:
    """Check max_cost_per_query against the estimate: cheaper models, then single_provider, then refuse."""
    limit = Decimal(str(ctx.settings.max_cost_per_query or 0))
    if not limit:
        return name, {"limit": None}, None
    estimate = registry[name].estimate(ctx)
    budget = {"limit": float(limit), "estimate": float(estimate), "downgraded": False}
    if estimate <= limit:
        return name, budget, None
    ctx.force_cheap = True
    for candidate in dict.fromkeys([name, "single_provider"]):
        cheaper = registry[candidate].estimate(ctx)
        if cheaper <= limit:
            model = ctx.candidates()[0]
            budget.update(downgraded=True, estimate=float(cheaper), original_estimate=float(estimate),
                          from_strategy=name, to_strategy=candidate, model=f"{model[0].provider}:{model[1]}",
                          reason=_("Estimated cost $%(est).4f is above this workspace's limit of $%(limit).4f per "
                                   "question: answered with %(strategy)s and %(model)s instead.")
                          % {"est": estimate, "limit": limit, "strategy": candidate, "model": model[1]})  # fmt: skip
            return candidate, budget, None
    budget.update(refused=True)
    refusal = _(
        "This question would cost about $%(est).4f, above this workspace's limit of $%(limit).4f per question. "
        "Ask a shorter question or ask your workspace admin to raise the limit."
    ) % {"est": estimate, "limit": limit}
    budget["reason"] = refusal
    return name, budget, refusal


def _meta(ctx, name: str, budget: dict) -> dict:
    tokens: dict = {}
    costs: dict = {}
    for c in ctx.completions:
        tokens[c.provider] = tokens.get(c.provider, 0) + c.prompt_tokens + c.completion_tokens
        costs[c.provider] = costs.get(c.provider, Decimal("0")) + ctx.cost_of(c)
    total_cost = sum(costs.values(), Decimal("0"))
    used = list(dict.fromkeys(c.provider for c in ctx.completions))
    platform = sorted({c.provider for c in ctx.completions if c.platform})
    extra = {k: v for k, v in ctx.extra.items() if not k.startswith("_")}
    return {
        "orchestration": {
            "orchestration_strategy": name if name != "adaptive" else "adaptive",
            "providers_used": used,
            "models_used": list(dict.fromkeys(f"{c.provider}:{c.model}" for c in ctx.completions)),
            "processing_time_ms": int((time.monotonic() - ctx.started) * 1000),
            "confidence_score": ctx.confidence,
            "query_analysis": ctx.query_analysis,
            "phase_details": ctx.phases,
            "sources_included": ctx.sources,
            "fallbacks": ctx.failures,
            "notes": ctx.notes,
            "budget": budget,
            **extra,
        },
        "tokens_used": {**tokens, "total": sum(tokens.values())},
        "cost_breakdown": {
            "total_cost": float(total_cost),
            "per_provider": {p: float(v) for p, v in costs.items()},
            "currency": "USD",
        },
        "platform_usage": {"used": bool(platform), "providers": platform},
    }


def choices() -> dict:
    """What the chat picker may offer in the current tenant: enabled strategies and models."""
    from orchestration import selectors
    from orchestration.models import STRATEGIES

    snapshot = selectors.settings_snapshot()
    configs = selectors.provider_configs(snapshot)
    strategies = [s for s in STRATEGIES if snapshot.enabled(s)] or ["single_provider"]
    default = snapshot.default_strategy if snapshot.default_strategy in strategies else strategies[0]
    models = list(dict.fromkeys(m for c in configs for m in c.model_ids()))
    if OFFLINE_MODEL not in models:
        # stays last in the list once a key is added, so a chat that was using it keeps it
        # (and says so) until its user picks a model; it costs nothing and calls nobody
        models.append(OFFLINE_MODEL)
    return {"strategies": strategies, "models": models, "default_strategy": default}
