"""Answer from the workspace's documents: retrieve passages, then one provider answers citing them.
With nothing retrieved (or no retriever yet) it says so before answering from general knowledge."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .base import Context, emit_text, stream_answer

NAME = "rag_enhanced"
PASSAGES = 5


def _context_block(passages) -> str:
    def where(p) -> str:
        return f"{p.title}, page {p.page}" if getattr(p, "page", None) else p.title

    return "\n\n".join(f"[{i}] {where(p)}\n{p.text.strip()[:1500]}" for i, p in enumerate(passages, 1))


def estimate(ctx: Context) -> Decimal:
    extra = sum(len(p.text[:1500]) for p in ctx.passages(PASSAGES))
    return ctx.estimate(ctx.candidates(), prompt_chars=sum(len(m["content"]) for m in ctx.messages()) + extra)


def run(ctx: Context):
    yield ctx.phase("retrieval", "started", "documents", "")
    passages = ctx.passages(PASSAGES)
    found = len(passages)
    yield ctx.phase("retrieval", "completed", "documents", f"{found} passage(s)")
    ctx.phases["retrieval_phase"] = f"{found} passage(s) retrieved"
    cands = ctx.candidates()
    if passages:
        new = ctx.add_sources([
            {"url": p.url, "title": p.title, "kind": "document", "document_id": p.document_id,
             "chunk_id": p.chunk_id, "score": p.score, "page": p.page, "snippet": p.text[:240]} for p in passages
        ])  # fmt: skip
        yield ctx.event("sources", {"sources": new})
        scores = [p.score for p in passages if p.score]
        ctx.confidence = round(sum(scores) / len(scores), 3) if scores else None
        system = (
            "Answer using the numbered passages from the user's documents below. Cite them as [n]. "
            "If they do not contain the answer, say so.\n\n" + _context_block(passages)
        )
        messages = ctx.messages(system_extra=system)
    else:
        ctx.extra["retrieval"] = "nothing found"
        if cands[0][0].provider != "offline":  # the offline provider says it itself
            note = _("I found nothing in your documents about this, so this answer does not come from them.")
            yield from emit_text(ctx, note + "\n\n")
        messages = ctx.messages(system_extra="No document passages were found for this question.")
    if ctx.stopped:
        return
    yield from stream_answer(ctx, cands, messages, phase="answer")
    if ctx.final is not None:
        ctx.phases["answer_phase"] = f"{ctx.final.provider} ({ctx.final.model}) answered from {found} passage(s)"
