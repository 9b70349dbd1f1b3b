"""The offline provider: no key, no network. It says plainly that no model is connected and streams
a short demo answer that shows what the chat renders (a heading, a list, a table, a code block),
shaped by the question; with retrieved document passages it quotes them, numbered as sources, so a
fresh install shows the product instead of one fixed sentence (issue 11 §3)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from .base import Completion, Provider

QUESTION_CHARS = 160
QUOTE_CHARS = 400
CODE_WORDS = re.compile(r"\b(code|python|sql|script|program|function|koda|kodo|programiraj|funkcij\w*)\b", re.I)


def offline_notice() -> str:
    return _("I am running offline: no language model provider is configured for this workspace.")


def _question(messages: list[dict]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user" and isinstance(m.get("content"), str) and m["content"].strip():
            text = " ".join(m["content"].split())
            if len(text) > QUESTION_CHARS:
                text = text[:QUESTION_CHARS].rsplit(" ", 1)[0] + "…"
            return text
    return ""


def _inline(text: str) -> str:
    """A line of the user's text, safe inside a markdown blockquote or table cell."""
    return re.sub(r"([\\`*_|#<>\[\]])", r"\\\1", text)


def _where(p) -> str:
    return f"{p.title}, p. {p.page}" if getattr(p, "page", None) else p.title


def demo_text(messages: list[dict], passages: list) -> str:
    """The whole offline answer, in markdown (the same text streams and is stored)."""
    question = _question(messages)
    parts = [offline_notice() + " " + _("This is a demo answer written by Chorus itself, not by an AI model.")]
    if question:
        parts.append(f"### {_('You asked')}\n\n> {_inline(question)}")
    if passages:
        parts.append(f"### {_('What your documents say')}")
        parts.append(_("Without a model I cannot write an answer, but these passages match your question:"))
        for i, p in enumerate(passages, 1):
            quote = " ".join(p.text.split())
            if len(quote) > QUOTE_CHARS:
                quote = quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
            parts.append(f"> {_inline(quote)}\n>\n> — *{_inline(_where(p))}* [{i}]")
    parts.append(
        f"### {_('What a connected model does here')}\n\n"
        f"- {_('answers in your language, streamed as it is written')}\n"
        f"- {_('renders headings, lists, tables and code like this answer')}\n"
        f"- {_('quotes your documents and lists them as sources')}\n"
        f"- {_('can combine several models into one answer')}"
    )
    header = f"| {_('Part')} | {_('Now')} | {_('With a model')} |"
    rows = [
        (_("Streaming and stop"), _("yes"), _("yes")),
        (_("Your documents"), _("quoted") if passages else _("none found"), _("answered from, with sources")),
        (_("Answers to questions"), _("no"), _("yes")),
    ]
    table = "\n".join([header, "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])
    parts.append(table)
    if question and CODE_WORDS.search(question):
        parts.append(
            _("A model would answer with code, for example:") + "\n\n```python\n"
            'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n```'
        )
    parts.append(
        _("To connect a model, an admin adds a provider key, or an OpenAI-compatible server such as Ollama:")
        + "\n\n```bash\nollama pull llama3.2\n# "
        + _("Admin → Provider credentials → OpenAI-compatible server")
        + "\n# "
        + _("Base URL")
        + ": http://127.0.0.1:11434/v1\n# "
        + _("a server on this machine needs the operator's permission:")
        + " PROVIDER_ALLOWED_HOSTS=127.0.0.1:11434\n```"
    )
    return "\n\n".join(parts)


def _pieces(text: str) -> Iterator[str]:
    """Word by word, as a model streams (several deltas, never the whole answer at once)."""
    for i, word in enumerate(text.split(" ")):
        yield word if i == 0 else " " + word


class OfflineProvider(Provider):
    name = "offline"

    def _stream(
        self, *, messages: list[dict], model: str, temperature: float | None, max_tokens: int | None,
        completion: Completion, passages: list,
    ) -> Iterator[str]:  # fmt: skip
        pace = float(getattr(settings, "ORCHESTRATION_OFFLINE_PACE", 0) or 0)  # seconds between words (demo)
        for i, piece in enumerate(_pieces(demo_text(messages, passages))):
            if pace and i:
                time.sleep(pace)
            yield piece
        completion.finish_reason = "stop"
