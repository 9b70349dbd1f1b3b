"""Several providers answer at once (threads: wall time is the slowest call, not the sum), a
synthesis step writes the answer, and an agreement score compares the answers. Each model's
own answer is kept in meta_data."""

from __future__ import annotations

import re
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from decimal import Decimal
from difflib import SequenceMatcher
from itertools import combinations

from django.conf import settings as django_settings

from orchestration.providers import ProviderError

from . import single_provider
from .base import AllProvidersFailed, Candidate, Context, emit_text, stream_answer

NAME = "parallel_consensus"
POLL_SECONDS = 0.02  # how often the waiting thread checks for a stop


def participants(ctx: Context) -> list[Candidate]:
    limit = int(getattr(django_settings, "ORCHESTRATION_CONSENSUS_MAX", 3))
    seen, out = set(), []
    for cand in ctx.candidates():
        if cand[0].provider in seen or cand[0].provider == "offline":
            continue
        seen.add(cand[0].provider)
        out.append(cand)
    if len(out) == 1 and len(out[0][0].models) > 1:  # one provider with several models: use two of them
        cfg = out[0][0]
        out.append((cfg, next(m for m in cfg.models if m != out[0][1])))
    return out[:limit]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def agreement(texts: list[str]) -> float | None:
    """Mean pairwise similarity of the answers' word sequences, 0..1 (None with fewer than two)."""
    if len(texts) < 2:
        return None
    pairs = [SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio() for a, b in combinations(texts, 2)]
    return round(sum(pairs) / len(pairs), 3)


def _support(text: str, others: list[str]) -> float:
    """How much ``text`` agrees with the other answers (mean similarity)."""
    sims = [agreement([text, o]) or 0.0 for o in others]
    return sum(sims) / len(sims) if sims else 0.0


def estimate(ctx: Context) -> Decimal:
    cands = participants(ctx)
    if len(cands) < 2:
        return single_provider.estimate(ctx)
    base = sum(len(m["content"]) for m in ctx.messages())
    answers = sum(ctx.estimate([c], prompt_chars=base) for c in cands)
    synthesis = ctx.estimate(ctx.candidates(), prompt_chars=base + 2000 * len(cands))
    return answers + synthesis


def _gather(ctx: Context, futures: dict, pending: set, answers: list):
    """Wait for the threads in this (the request's) thread: events, stop checks and DB-free accounting."""
    while pending:
        done, still = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        pending.intersection_update(still)
        for fut in done:
            cand, call = futures[fut]
            exc = fut.exception()
            if exc is not None:
                err = exc if isinstance(exc, ProviderError) else ProviderError("bad_response", cand[0].provider)
                f = ctx.failed(cand, err, "consensus")
                yield ctx.phase("consensus", "completed", cand[0].provider, f["message"], ok=False, error=err.code)
                continue
            c = call.completion
            answers.append((cand, c))
            yield ctx.usage_event(c)
            yield ctx.phase("consensus", "completed", cand[0].provider, cand[1], ok=True, elapsed_ms=c.elapsed_ms)
        ctx.check_stop()  # sets ctx.cancel: each thread stops within one chunk


def run(ctx: Context):
    cands = participants(ctx)
    if len(cands) < 2:
        ctx.notes.append("parallel_consensus needs two models; one answered alone")
        ctx.extra["consensus"] = {"agreement_score": None, "answers": [], "note": "only one model available"}
        yield from single_provider.run(ctx)
        return
    messages = ctx.messages()
    calls = [(cand, ctx.call(cand, messages)) for cand in cands]
    for cand, _call in calls:
        yield ctx.phase("consensus", "started", cand[0].provider, cand[1])
    answers, started = [], time.monotonic()
    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="consensus") as pool:
        futures = {pool.submit(call.run): (cand, call) for cand, call in calls}
        pending = set(futures)
        try:
            yield from _gather(ctx, futures, pending, answers)
        finally:
            if pending:  # the consumer went away or something failed: stop the threads within a chunk
                ctx.cancel.set()
    wall_ms = int((time.monotonic() - started) * 1000)

    if ctx.stopped:
        return
    if not answers:
        raise AllProvidersFailed(ctx.failures)
    score = agreement([c.text for _, c in answers])
    ctx.confidence = score
    ctx.extra["consensus"] = {
        "agreement_score": score,
        "parallel_wall_ms": wall_ms,
        "slowest_ms": max(c.elapsed_ms for _, c in answers),
        "answers": [
            {"provider": c.provider, "model": c.model, "text": c.text, "prompt_tokens": c.prompt_tokens,
             "completion_tokens": c.completion_tokens, "cost": float(ctx.cost_of(c)), "elapsed_ms": c.elapsed_ms,
             "platform": c.platform}
            for _, c in answers
        ],
    }  # fmt: skip
    ctx.phases["consensus_phase"] = f"{len(answers)} of {len(cands)} models answered in {wall_ms} ms"
    if len(answers) == 1:
        (cand, c) = answers[0]
        ctx.final = c
        ctx.extra["consensus"]["synthesized_by"] = None
        yield from emit_text(ctx, c.text)
        return
    listed = "\n\n".join(f"Answer {i} ({c.provider}):\n{c.text}" for i, (_, c) in enumerate(answers, 1))
    synth_messages = ctx.messages(
        system_extra=(
            "Several models answered the user's question. Write the single best answer: keep what they agree on, "
            "resolve disagreements, and say briefly where they differ."
        ),
        question=f"Question: {ctx.question}\n\n{listed}",
    )
    prefer = [c.provider for _, c in answers]
    synth = [cand for cand in ctx.candidates(prefer=prefer) if cand[0].provider in prefer]
    try:
        yield from stream_answer(ctx, synth, synth_messages, phase="synthesis")
    except AllProvidersFailed:
        best = max(answers, key=lambda a: _support(a[1].text, [o.text for _, o in answers if o is not a[1]]))
        ctx.final = best[1]
        ctx.extra["consensus"]["synthesized_by"] = None
        ctx.notes.append("synthesis failed; the answer most in agreement with the others is shown")
        yield from emit_text(ctx, best[1].text)
        return
    ctx.extra["consensus"]["synthesized_by"] = f"{ctx.final.provider}:{ctx.final.model}"
    ctx.phases["synthesis_phase"] = f"{ctx.final.provider} synthesis completed"
