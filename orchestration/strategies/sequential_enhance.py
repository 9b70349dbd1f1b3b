"""Research (a web-search provider, sources kept) -> analysis -> structure; each phase recorded.
Each phase prefers a different provider and falls back to the others."""

from __future__ import annotations

from decimal import Decimal

from .base import Context, collect, stream_answer

NAME = "sequential_enhance"
RESEARCH = ["perplexity", "openai", "anthropic", "openai_compatible"]
ANALYSIS = ["anthropic", "openai", "openai_compatible", "perplexity"]
STRUCTURE = ["openai", "anthropic", "openai_compatible", "perplexity"]
NOTES_TOKENS = 1200


def estimate(ctx: Context) -> Decimal:
    base = sum(len(m["content"]) for m in ctx.messages())
    notes = NOTES_TOKENS * 4
    return (
        ctx.estimate(ctx.candidates(prefer=RESEARCH), prompt_chars=base)
        + ctx.estimate(ctx.candidates(prefer=ANALYSIS), prompt_chars=base + notes)
        + ctx.estimate(ctx.candidates(prefer=STRUCTURE), prompt_chars=base + 2 * notes)
    )


def run(ctx: Context):
    q = ctx.question
    # 1. research
    research_cands = ctx.candidates(prefer=RESEARCH)
    yield from collect(ctx, research_cands, ctx.messages(
        system_extra="Research phase: find the current facts needed to answer. List them concisely with sources.",
    ), phase="research", max_tokens=NOTES_TOKENS)  # fmt: skip
    research = ctx.extra.pop("_last", None)
    if ctx.stopped or research is None:
        return
    web = research.provider == "perplexity"
    if research.citations:
        new = ctx.add_sources([{**c, "kind": "web"} for c in research.citations])
        yield ctx.event("sources", {"sources": new})
    ctx.phases["research_phase"] = (
        f"{research.provider} {'web research' if web else 'research from model knowledge'} completed, "
        f"{len(research.citations)} source(s)"
    )
    # 2. analysis
    yield from collect(ctx, ctx.candidates(prefer=ANALYSIS), ctx.messages(
        system_extra="Analysis phase: analyse the research notes critically for the question. Keep what holds.",
        question=f"Question: {q}\n\nResearch notes:\n{research.text}",
    ), phase="analysis", max_tokens=NOTES_TOKENS)  # fmt: skip
    analysis = ctx.extra.pop("_last", None)
    if ctx.stopped or analysis is None:
        return
    ctx.phases["analysis_phase"] = f"{analysis.provider} analysis completed"
    # 3. structure (streamed to the user)
    sources = "\n".join(f"[{i}] {s['title']} {s['url']}" for i, s in enumerate(ctx.sources, 1))
    yield from stream_answer(ctx, ctx.candidates(prefer=STRUCTURE), ctx.messages(
        system_extra="Structure phase: write the final answer for the user, well structured, citing sources as [n].",
        question=f"Question: {q}\n\nAnalysis:\n{analysis.text}\n\nSources:\n{sources or '(none)'}",
    ), phase="structure")  # fmt: skip
    if ctx.final is not None:
        ctx.phases["structure_phase"] = f"{ctx.final.provider} formatting completed"
