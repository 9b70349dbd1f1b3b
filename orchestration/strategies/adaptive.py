"""Query analysis chooses the strategy and models: complexity, need for current information,
need for the workspace's knowledge, domain; under max_cost_per_query, provider health (circuit
breakers) and prefer_cheaper_models. Every reason is recorded in meta_data."""

from __future__ import annotations

import re
from decimal import Decimal

from .base import Context

NAME = "adaptive"

CURRENT = r"\b(today|tonight|latest|current(ly)?|recent(ly)?|news|now|this (week|month|year)|price of|weather|" \
          r"20[2-3]\d|danes|včeraj|najnovejš\w*|trenutn\w*|aktualn\w*|novic\w*|letos)\b"  # fmt: skip
KNOWLEDGE = r"\b(document|documents|file|files|upload(ed)?|attached|our (policy|handbook|contract)|according to|" \
            r"dokument\w*|datotek\w*|priložen\w*|pogodb\w*)\b"  # fmt: skip
COMPLEX = r"\b(compare|analy[sz]e|explain why|pros and cons|trade-?offs?|step by step|implications|evaluate|" \
          r"primerjaj|analiziraj|razloži|prednosti in slabosti)\b"  # fmt: skip
DOMAINS = {
    "legal": r"\b(law|legal|contract|court|statute|gdpr|regulation|zakon\w*|pravn\w*|sodišč\w*|uredb\w*|pogodb\w*)\b",
    "medical": r"\b(symptom|diagnos\w*|medicine|dose|treatment|disease|zdravil\w*|bolezen\w*|simptom\w*)\b",
    "finance": r"\b(tax|invest\w*|stock|loan|interest rate|budget|davk\w*|kredit\w*|delnic\w*|obrest\w*)\b",
    "technical": r"\b(code|python|django|sql|api|bug|error|server|database|algorithm|koda|napak\w*|strežnik\w*)\b",
}
SLOVENIAN = r"[čšž]|\b(je|in|ali|kako|kaj|zakaj|slovenij\w*|sloven\w*)\b"


def analyse(question: str, *, knowledge_available: bool) -> dict:
    q = question.lower()
    words = len(re.findall(r"\w+", q))
    complex_markers = len(re.findall(COMPLEX, q))
    domain = next((d for d, rx in DOMAINS.items() if re.search(rx, q)), "general")
    if words > 80 or complex_markers >= 2 or (complex_markers and domain != "general"):
        complexity = "EXPERT" if words > 80 and domain != "general" else "COMPLEX"
    elif words > 25 or complex_markers:
        complexity = "MODERATE"
    else:
        complexity = "SIMPLE"
    return {
        "complexity": complexity,
        "requires_current_info": bool(re.search(CURRENT, q)),
        "requires_knowledge": bool(re.search(KNOWLEDGE, q)) and knowledge_available,
        "domain": domain,
        "slovenian_context": len(re.findall(SLOVENIAN, q)) >= 2,
        "word_count": words,
    }


def choose(ctx: Context, analysis: dict) -> tuple[str, list[str]]:
    from . import REGISTRY

    s = ctx.settings
    healthy = [c for c in ctx.configs if c.provider != "offline" and ctx.healthy(c)]
    reasons: list[str] = []
    chosen = "single_provider"
    if analysis["requires_knowledge"] and s.enabled("rag_enhanced"):
        chosen = "rag_enhanced"
        reasons.append("the question refers to the workspace's documents")
    elif analysis["requires_current_info"] and s.enabled("sequential_enhance") and any(c.web_search for c in healthy):
        chosen = "sequential_enhance"
        reasons.append("the question needs current information and a web-search provider is healthy")
    elif analysis["complexity"] in ("COMPLEX", "EXPERT") and s.enabled("parallel_consensus") and len(healthy) >= 2:
        chosen = "parallel_consensus"
        reasons.append(f"a {analysis['complexity'].lower()} question and {len(healthy)} healthy providers")
    else:
        reasons.append("a direct question: one provider answers")
    if analysis["requires_current_info"] and chosen != "sequential_enhance":
        reasons.append("current information needed but no web-search strategy/provider is available")
    unhealthy = [c.provider for c in ctx.configs if not ctx.healthy(c)]
    if unhealthy:
        reasons.append("skipping unhealthy providers: " + ", ".join(unhealthy))
    limit = s.max_cost_per_query
    if limit and chosen != "single_provider":
        cost = REGISTRY[chosen].estimate(ctx)
        if cost > Decimal(limit):
            reasons.append(f"{chosen} would cost about ${cost:.4f}, above ${Decimal(limit):.4f}: single_provider")
            chosen = "single_provider"
    if s.prefer_cheaper_models:
        reasons.append("cheaper models preferred")
    return chosen, reasons


def estimate(ctx: Context) -> Decimal:
    from . import REGISTRY

    analysis = ctx.query_analysis or analyse(ctx.question, knowledge_available=_knowledge(ctx))
    chosen, _ = choose(ctx, analysis)
    return REGISTRY[chosen].estimate(ctx)


def _knowledge(ctx: Context) -> bool:
    return bool(getattr(ctx.retriever, "available", False))


def run(ctx: Context):
    from . import REGISTRY

    yield ctx.phase("analysis", "started", "adaptive", "")
    analysis = analyse(ctx.question, knowledge_available=_knowledge(ctx))
    chosen, reasons = choose(ctx, analysis)
    ctx.query_analysis = analysis
    ctx.extra["adaptive"] = {"chosen_strategy": chosen, "reasons": reasons}
    ctx.phases["analysis_phase"] = f"query analysis chose {chosen}: " + "; ".join(reasons)
    yield ctx.phase("analysis", "completed", "adaptive", f"{chosen}: " + "; ".join(reasons), chosen_strategy=chosen)
    yield from REGISTRY[chosen].run(ctx)
