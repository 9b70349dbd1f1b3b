"""Readable versions of the JSON the chat admin shows (a conversation's settings and summaries)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from orchestration.models import STRATEGY_LABELS


def _strategy(name: str) -> str:
    return str(STRATEGY_LABELS.get(name, name or "—"))


def _rows(rows: list[tuple[str, str]]) -> str:
    rows = [(k, v) for k, v in rows if v not in (None, "", [])]
    if not rows:
        return "—"
    return format_html('<dl class="chorus-facts">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))


def conversation_settings(settings: dict | None) -> str:
    """{"strategy": ..., "model": ...} → "Strategy: Single model · Model: gpt-4o"."""
    s = settings or {}
    return _rows([
        (_("Strategy"), _strategy(s["strategy"]) if s.get("strategy") else _("The workspace's default")),
        (_("Model"), (s.get("model") or "").split(":", 1)[-1] or _("Automatic")),
    ])  # fmt: skip


def answer_summary(meta: dict | None) -> str:
    """A conversation's running summary or one answer's meta_data, as a few labelled facts."""
    m = meta or {}
    orch = m.get("orchestration") or m
    costs = m.get("cost_breakdown") or {}
    total = costs.get("total_cost")
    ms = orch.get("processing_time_ms")
    strategy = orch.get("orchestration_strategy") or ""
    return _rows([
        (_("Strategy"), _strategy(strategy) if strategy else ""),
        (_("Models"), ", ".join(orch.get("models_used") or ([m["model_used"]] if m.get("model_used") else []))),
        (_("Providers"), ", ".join(orch.get("providers_used") or [])),
        (_("Cost"), f"${float(total):.4f}" if total else ""),
        (_("Time"), f"{int(ms) / 1000:.1f} s" if ms else ""),
        (_("Notes"), "; ".join(str(n) for n in orch.get("notes") or [])),
    ])  # fmt: skip
