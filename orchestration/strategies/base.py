"""What every strategy shares: the run's context, candidate ordering, fallback streaming and
the accounting of tokens, cost, phases and sources that ends up in the message's meta_data."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from core.weburl import web_url
from orchestration import pricing
from orchestration.providers import Call, Completion, ProviderConfig, ProviderError, get
from orchestration.resilience import CircuitBreaker

Candidate = tuple[ProviderConfig, str]  # a provider and one of its models


class AllProvidersFailed(Exception):
    def __init__(self, failures: list[dict]) -> None:
        self.failures = failures
        super().__init__(f"{len(failures)} provider call(s) failed")


class Refused(Exception):
    """A provider declined to answer (not an outage: no fallback)."""

    def __init__(self, error: ProviderError) -> None:
        self.error = error
        super().__init__(str(error))


@dataclass
class Context:
    request: object  # engine.Request
    settings: object  # selectors.SettingsSnapshot
    configs: list[ProviderConfig]
    retriever: object
    should_stop: Callable[[], bool]
    event: Callable[[str, dict], object]  # engine.Event
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    completions: list[Completion] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    phases: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # strategy-specific meta_data
    query_analysis: dict = field(default_factory=dict)
    confidence: float | None = None
    final: Completion | None = None
    stopped: bool = False
    force_cheap: bool = False  # set by the budget check: cheapest models first, a pinned model unpinned
    _passages: list | None = None
    _health: dict = field(default_factory=dict)

    # --- inputs ------------------------------------------------------------------------------
    @property
    def question(self) -> str:
        turns = self.request.transcript
        return turns[-1].content if turns else ""

    @property
    def temperature(self) -> float:
        t = self.request.temperature
        return self.settings.default_temperature if t is None else t

    @property
    def max_tokens(self) -> int:
        return self.request.max_tokens or self.settings.default_max_tokens

    def messages(self, *, system_extra: str = "", question: str | None = None) -> list[dict]:
        """System message + transcript; ``question`` replaces the last user turn."""
        system = "\n\n".join(s for s in (self.settings.system_message, system_extra) if s)
        out = [{"role": "system", "content": system}] if system else []
        turns = list(self.request.transcript)
        for i, t in enumerate(turns):
            content = question if (question is not None and i == len(turns) - 1) else t.content
            message: dict = {"role": t.role, "content": content}
            if t.images:  # each provider call turns them into image parts or notes (providers.base.Call)
                message["images"] = list(t.images)
            out.append(message)
        return out

    def passages(self, limit: int = 5) -> list:
        if self._passages is None:
            self._passages = list(self.retriever.search(self.question, limit=limit)) if self.retriever else []
        return self._passages

    # --- providers ---------------------------------------------------------------------------
    def healthy(self, cfg: ProviderConfig) -> bool:
        """Whether the provider's circuit is closed (read once per run: sorting asks often)."""
        if cfg.provider == "offline":
            return True
        if cfg.provider not in self._health:
            self._health[cfg.provider] = not CircuitBreaker(cfg.schema, cfg.provider).is_open()
        return self._health[cfg.provider]

    def price(self, cand: Candidate) -> Decimal:
        p = pricing.price_for(cand[0].provider, cand[1], self.settings.price_overrides)
        return p.input + p.output

    def candidates(self, *, prefer: list[str] | None = None, cheap: bool | None = None) -> list[Candidate]:
        """Every (provider, default model), healthy first; a pinned ``provider:model`` first of all."""
        cands: list[Candidate] = [(c, c.default_model) for c in self.configs]
        cands += [(c, m) for c in self.configs for m in c.models if m != c.default_model]  # other models last
        pinned = None if self.force_cheap else self.request.model
        if pinned and ":" in pinned:
            prov, model = pinned.split(":", 1)
            cands = [(c, model) for c in self.configs if c.provider == prov] + [
                x for x in cands if x[0].provider != prov
            ]
        cheap = (self.settings.prefer_cheaper_models or self.force_cheap) if cheap is None else cheap
        order = {p: i for i, p in enumerate(prefer or [])}

        def key(c: Candidate):
            is_pinned = bool(pinned) and f"{c[0].provider}:{c[1]}" == pinned
            return (not is_pinned, not self.healthy(c[0]), order.get(c[0].provider, len(order)),
                    self.price(c) if cheap else 0)  # fmt: skip

        return sorted(cands, key=key)

    def estimate(self, cands: list[Candidate], *, prompt_chars: int | None = None, calls: int = 1) -> Decimal:
        """Estimated cost of ``calls`` calls to the first candidate (prompt from the transcript)."""
        if not cands:
            return Decimal("0")
        cfg, model = cands[0]
        prompt = pricing.estimate_tokens("x" * (prompt_chars or sum(len(m["content"]) for m in self.messages())))
        answer = min(self.max_tokens, int(getattr(django_settings, "ORCHESTRATION_ESTIMATED_ANSWER_TOKENS", 500)))
        return pricing.cost(cfg.provider, model, prompt, answer, self.settings.price_overrides) * calls

    # --- calls ---------------------------------------------------------------------------------
    def call(self, cand: Candidate, messages: list[dict], *, max_tokens: int | None = None) -> Call:
        cfg, model = cand
        passages = self.passages() if cfg.provider == "offline" else []
        return Call(get(cfg), messages=messages, model=model, temperature=self.temperature,
                    max_tokens=max_tokens or self.max_tokens, passages=passages, cancel=self.cancel)  # fmt: skip

    def cost_of(self, c: Completion) -> Decimal:
        if not (c.prompt_tokens or c.completion_tokens) and c.provider != "perplexity":
            return Decimal("0")
        return pricing.cost(c.provider, c.model, c.prompt_tokens, c.completion_tokens, self.settings.price_overrides)

    def usage_event(self, c: Completion):
        self.completions.append(c)
        return self.event("usage", {
            "provider": c.provider, "model": c.model, "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens, "cost": float(self.cost_of(c)), "platform": c.platform,
            "estimated": c.usage_estimated,
        })  # fmt: skip

    def failed(self, cand: Candidate, err: ProviderError, phase: str) -> dict:
        f = {"provider": cand[0].provider, "model": cand[1], "code": err.code, "message": err.user_message,
             "phase": phase}  # fmt: skip
        self.failures.append(f)
        return f

    def phase(self, name: str, status: str, provider: str = "", detail: str = "", **extra):
        return self.event("phase", {"name": name, "status": status, "provider": provider, "detail": detail, **extra})

    def check_stop(self) -> bool:
        if not self.stopped and self.should_stop():
            self.stopped = True
            self.cancel.set()
        return self.stopped

    def add_sources(self, items: list[dict]) -> list[dict]:
        today = date.today().isoformat()
        new = []
        for s in items:
            url = web_url(s.get("url"))  # http(s) or a site path only: never a "javascript:" link
            if s.get("url") and not url and not s.get("title"):
                continue  # an unsafe link and nothing else to show
            if any(url and url == o.get("url") for o in self.sources):
                continue
            entry = {"url": url, "title": s.get("title") or url,
                     "access_date": s.get("access_date") or today, "kind": s.get("kind", "web")}  # fmt: skip
            for k in ("document_id", "chunk_id", "score", "page", "snippet"):
                if k in s:
                    entry[k] = s[k]
            new.append(entry)
        self.sources.extend(new)
        return new


def stream_answer(ctx: Context, cands: list[Candidate], messages: list[dict], *, phase: str) -> Iterator:
    """Stream the user's answer from the first candidate that works, falling back to the next.

    Yields phase/delta/usage events and sets ``ctx.final``. A provider that fails before its
    first chunk is replaced silently (the phase event records it); one that fails mid-answer is
    followed by a visible notice and the next provider's complete answer.
    """
    for cand in cands:
        cfg, model = cand
        yield ctx.phase(phase, "started", cfg.provider, model)
        if cfg.provider == "offline":  # it quotes the passages: they are this answer's sources
            new = ctx.add_sources([
                {"url": p.url, "title": p.title, "kind": "document", "document_id": p.document_id,
                 "chunk_id": p.chunk_id, "page": p.page, "snippet": p.text[:240]} for p in ctx.passages()
            ])  # fmt: skip
            if new:
                yield ctx.event("sources", {"sources": new})
        call = ctx.call(cand, messages)
        sent = False
        try:
            for text in call:
                sent = True
                yield ctx.event("delta", {"text": text})
                ctx.check_stop()
        except ProviderError as err:
            f = ctx.failed(cand, err, phase)
            if call.completion.prompt_tokens or call.completion.completion_tokens:
                yield ctx.usage_event(call.completion)
            yield ctx.phase(phase, "completed", cfg.provider, f["message"], ok=False, error=err.code)
            if not err.falls_back:
                raise Refused(err) from None
            if sent:
                notice = _("(%(provider)s stopped answering; here is another model's answer.)") % {
                    "provider": cfg.label
                }
                yield ctx.event("delta", {"text": f"\n\n{notice}\n\n"})
            continue
        ctx.final = call.completion
        if call.completion.citations:  # Perplexity's web citations are the answer's sources
            new = ctx.add_sources([{**c, "kind": "web"} for c in call.completion.citations])
            if new:
                yield ctx.event("sources", {"sources": new})
        yield ctx.usage_event(call.completion)
        yield ctx.phase(phase, "completed", cfg.provider, model, ok=True, elapsed_ms=call.completion.elapsed_ms)
        return
    raise AllProvidersFailed(ctx.failures)


def collect(ctx: Context, cands: list[Candidate], messages: list[dict], *, phase: str, max_tokens=None) -> Iterator:
    """Like :func:`stream_answer` but the text is not shown to the user (an intermediate phase).

    Sets ``ctx.extra['_last']`` to the Completion that answered.
    """
    for cand in cands:
        cfg, model = cand
        if ctx.check_stop():
            return
        yield ctx.phase(phase, "started", cfg.provider, model)
        call = ctx.call(cand, messages, max_tokens=max_tokens)
        try:
            for _chunk in call:
                ctx.check_stop()  # a stop closes this call's stream after the current chunk
        except ProviderError as err:
            f = ctx.failed(cand, err, phase)
            yield ctx.phase(phase, "completed", cfg.provider, f["message"], ok=False, error=err.code)
            if not err.falls_back:
                raise Refused(err) from None
            continue
        ctx.extra["_last"] = call.completion
        yield ctx.usage_event(call.completion)
        yield ctx.phase(phase, "completed", cfg.provider, model, ok=not ctx.stopped,
                        elapsed_ms=call.completion.elapsed_ms)  # fmt: skip
        return
    raise AllProvidersFailed(ctx.failures)


def emit_text(ctx: Context, text: str) -> Iterator:
    """Yield already-known text as deltas, word by word, honouring a stop."""
    for i, word in enumerate(text.split(" ")):
        if ctx.check_stop():
            return
        yield ctx.event("delta", {"text": word if i == 0 else " " + word})
