"""One provider answers; on failure the next one does."""

from __future__ import annotations

from decimal import Decimal

from .base import Context, stream_answer

NAME = "single_provider"


def estimate(ctx: Context) -> Decimal:
    return ctx.estimate(ctx.candidates())


def run(ctx: Context):
    cands = ctx.candidates()
    ctx.phases["answer_phase"] = f"{cands[0][0].label} ({cands[0][1]})"
    yield from stream_answer(ctx, cands, ctx.messages(), phase="answer")
    if ctx.final is not None:
        ctx.phases["answer_phase"] = f"{ctx.final.provider} ({ctx.final.model}) answered"
