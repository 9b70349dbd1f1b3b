from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.weburl import web_url

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


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def safe_sources(items) -> list[dict]:
    """Sources as the page and the export show them: dicts, with ``url`` only when it is http(s)."""
    return [{**s, "url": web_url(s.get("url"))} for s in _list(items) if isinstance(s, dict)]


@register.simple_tag
def answer_details(message) -> dict:
    """The details panel of an answer, from its seed-000 meta_data.

    meta_data comes from the engine but also from imported files: every value is type-checked
    here, so an unexpected shape hides a detail instead of failing the page."""
    meta = _dict(message.meta_data)
    orch = _dict(meta.get("orchestration"))
    tokens = _dict(meta.get("tokens_used"))
    costs = _dict(_dict(meta.get("cost_breakdown")).get("per_provider"))
    providers = [p for p in _list(orch.get("providers_used")) if isinstance(p, str)]
    strategy = _text(orch.get("orchestration_strategy"))
    return {
        "strategy": STRATEGY_LABELS.get(strategy, strategy),
        "providers": providers,
        "per_provider": [
            {"name": p, "tokens": _number(tokens.get(p)), "cost": _number(costs.get(p))} for p in providers
        ],
        "confidence": _number(orch.get("confidence_score")),
        "phases": {str(k): v for k, v in _dict(orch.get("phase_details")).items() if isinstance(v, str | int | float)},
        "sources": safe_sources(orch.get("sources_included")),
        "time_s": (message.processing_time_ms or 0) / 1000,
        "budget_note": _budget_note(_dict(orch.get("budget"))),
        "notes": [n for n in _list(orch.get("notes")) if isinstance(n, str)],
        "fallbacks": [f for f in _list(orch.get("fallbacks")) if isinstance(f, dict)],
        "why": [r for r in _list(_dict(orch.get("adaptive")).get("reasons")) if isinstance(r, str)],
        "consensus": _consensus(_dict(orch.get("consensus"))),
    }


def _budget_note(budget: dict) -> str:
    """What the user must see about max_cost_per_query: a downgrade or an overrun."""
    if budget.get("downgraded"):
        return _text(budget.get("reason")) or _("Answered more cheaply to stay within this workspace's budget.")
    if budget.get("exceeded_after"):
        return _("This answer cost $%(actual).4f, above this workspace's limit of $%(limit).4f per question.") % {
            "actual": _number(budget.get("actual")) or 0,
            "limit": _number(budget.get("limit")) or 0,
        }
    return ""


def _consensus(consensus: dict) -> dict | None:
    answers = [a for a in _list(consensus.get("answers")) if isinstance(a, dict)]
    if not answers:
        return None
    return {"agreement": _number(consensus.get("agreement_score")), "answers": answers}


@register.simple_tag(takes_context=True)
def rendered_messages(context, thread) -> list:
    """The HTML of each message of ``thread`` (chat.selectors.Thread), completed ones from the cache."""
    from ..fragments import render_messages

    labels = context.get("L") or chat_labels()
    return render_messages(
        thread=thread,
        labels=labels,
        user=context.get("user"),
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def conversation_items(context):
    """The sidebar's list of conversations, cached for what it shows (chat.fragments)."""
    from ..fragments import render_conversation_items

    return render_conversation_items(context=context.flatten())


def _per_catalog(build):
    """``build()`` once per language and loaded catalog: the strings are translated once per process,
    not on every page (a reloaded catalog, as after ``make messages`` in tests, is a new object)."""
    memo: dict = {}

    def cached():
        from django.utils.translation import trans_real

        language = translation.get_language() or ""
        key = (language, id(trans_real.translation(language)) if language else 0)
        value = memo.get(key)
        if value is None:
            value = memo[key] = build()
        return value

    cached.__name__ = build.__name__
    cached.__doc__ = build.__doc__
    return cached


@register.simple_tag
@_per_catalog
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
        # issue 11: progress of multi-model answers, the composer's length counter
        "step_writing": _("writing…"),
        "step_failed": _("failed"),
        "waiting": _("waiting"),
        "decimal": formats.get_format("DECIMAL_SEPARATOR"),
        "phases": {
            "research": _("Research"),
            "analysis": _("Analysis"),
            "synthesis": _("Synthesis"),
            "structure": _("Final answer"),
        },
        "too_long": _("Too long: %(count)s of %(limit)s characters. Shorten it by %(over)s to send it."),
        "near_limit": _("%(count)s of %(limit)s characters"),
    }


# Stroke icons (24×24, Lucide-style outlines): glyph fonts are missing on many systems.
_ICONS = {  # noqa: E501 (path data)
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "copy": '<rect x="9" y="9" width="12" height="12" rx="2"/><path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"/>',  # noqa: E501
    "edit": '<path d="M12 20h9"/><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z"/>',
    "refresh": '<path d="M21 12a9 9 0 1 1-2.64-6.36"/><path d="M21 3v6h-6"/>',
    "thumbs-up": '<path d="M7 10v11H3V10z"/><path d="M7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.1 21H7"/>',  # noqa: E501
    "thumbs-down": '<path d="M17 14V3h4v11z"/><path d="M17 14l-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 5.9 3H17"/>',  # noqa: E501
    "flag": '<path d="M4 22V4"/><path d="M4 4h13l-2 4 2 4H4"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 8h.01"/>',
    "star": '<path d="m12 3 2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9Z"/>',
    "more": '<circle cx="5" cy="12" r="1.3"/><circle cx="12" cy="12" r="1.3"/><circle cx="19" cy="12" r="1.3"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "close": '<path d="M6 6l12 12M18 6 6 18"/>',
    "stop": '<rect x="6" y="6" width="12" height="12" rx="2"/>',
    "left": '<path d="m15 18-6-6 6-6"/>',
    "right": '<path d="m9 18 6-6-6-6"/>',
    "archive": '<rect x="3" y="4" width="18" height="4" rx="1"/><path d="M5 8v11a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8M10 12h4"/>',  # noqa: E501
    "download": '<path d="M12 3v12M7 10l5 5 5-5M5 21h14"/>',
    "upload": '<path d="M12 21V9M7 14l5-5 5 5M5 3h14"/>',
    "trash": '<path d="M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14"/>',
    "send": '<path d="M5 12h14M13 6l6 6-6 6"/>',
    "check": '<path d="m5 12 5 5 9-10"/>',
}


@register.simple_tag
@lru_cache(maxsize=128)
def icon(name: str, filled: bool = False):
    from django.utils.safestring import mark_safe

    fill = "currentColor" if filled else "none"
    return mark_safe(  # noqa: S308 - constant markup from _ICONS
        f'<svg class="icon" viewBox="0 0 24 24" width="18" height="18" fill="{fill}" stroke="currentColor" '
        f'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{_ICONS[name]}</svg>'
    )


@register.simple_tag
@_per_catalog
def chat_labels() -> dict:
    """The message template's strings, translated once per page instead of once per message."""
    return {
        "agreement": _("Agreement"),
        "bad_answer": _("Bad answer"),
        "each_model": _("Each model's own answer"),
        "fallbacks": _("Providers that failed"),
        "notes": _("Notes"),
        "phases": _("Phases"),
        "why_this_strategy": _("Why this strategy"),
        "cancel": _("Cancel"),
        "confidence": _("Confidence"),
        "copy": _("Copy"),
        "cost": _("Cost"),
        "details": _("Details"),
        "edit": _("Edit"),
        "edit_message": _("Edit message"),
        "good_answer": _("Good answer"),
        "mark_as_mistake": _("Mark as mistake"),
        "marked_as_mistake": _("Marked as mistake"),
        "model": _("Model"),
        "next_version": _("Next version"),
        "previous_version": _("Previous version"),
        "providers": _("Providers"),
        "regenerate": _("Regenerate"),
        "retry": _("Retry"),
        "save_and_send": _("Save and send"),
        "sources": _("Sources"),
        "page": _("page"),  # a document source's page (issue 9)
        "stopped": _("Stopped."),
        "strategy": _("Strategy"),
        "thinking": _("Thinking…"),
        "time": _("Time"),
        "tokens": _("Tokens"),
        "undo": _("Undo"),
        "versions": _("Versions"),
        "what_is_wrong_with_this_answer": _("What is wrong with this answer?"),
        "error": _("Something went wrong. Please try again."),
        "progress": _("Progress"),  # issue 11
        "copy_code": _("Copy code"),  # issue 11
    }
