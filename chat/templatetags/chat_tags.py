from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..forms import STRATEGY_LABELS

register = template.Library()


@register.filter
def get(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def strategy_label(value):
    return STRATEGY_LABELS.get(value, value or "")


@register.simple_tag
def answer_details(message) -> dict:
    """The details panel of an answer, from its seed-000 meta_data."""
    meta = message.meta_data or {}
    orch = meta.get("orchestration") or {}
    tokens = meta.get("tokens_used") or {}
    costs = (meta.get("cost_breakdown") or {}).get("per_provider") or {}
    sources = [s for s in orch.get("sources_included") or [] if isinstance(s, dict)]
    return {
        "strategy": STRATEGY_LABELS.get(orch.get("orchestration_strategy"), orch.get("orchestration_strategy") or ""),
        "providers": orch.get("providers_used") or [],
        "per_provider": [
            {"name": p, "tokens": tokens.get(p), "cost": costs.get(p)} for p in (orch.get("providers_used") or [])
        ],
        "confidence": orch.get("confidence_score"),
        "phases": orch.get("phase_details") or {},
        "sources": sources,
        "time_s": (message.processing_time_ms or 0) / 1000,
    }


@register.simple_tag
def chat_strings() -> dict:
    """Strings chat.js shows, translated on the server and handed over with json_script."""
    return {
        "copied": _("Copied"),
        "copy": _("Copy"),
        "thinking": _("Thinking…"),
        "writing": _("Writing…"),
        "stopped": _("Stopped."),
        "error": _("Something went wrong. Please try again."),
        "reconnecting": _("Connection lost, reconnecting…"),
    }
