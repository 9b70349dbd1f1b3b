"""Strategies, one small module each: ``NAME``, ``estimate(ctx) -> Decimal``, ``run(ctx) -> events``."""

from __future__ import annotations

from . import adaptive, parallel_consensus, rag_enhanced, sequential_enhance, single_provider

REGISTRY = {m.NAME: m for m in (single_provider, parallel_consensus, sequential_enhance, rag_enhanced, adaptive)}
