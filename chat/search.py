"""Chat search over conversation titles (issue 11 §10: search ignored titles).

Message search stays in chat.selectors (full text over each message's vector). Titles are short
and not indexed: candidates are found by a prefix of each query word (an index-free ILIKE on the
user's own conversations, bounded), then matched word by word in Python, where a Slovenian word
matches by its lemma (core.textsearch, as documents do: "garancije" finds "Garancija za pralni
stroj") and other words by a shared stem-like prefix ("budgets" finds "Budget review").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import translation
from django.utils.html import escape

from core import textsearch

from .models import Conversation

MAX_WORDS = 8
CANDIDATES = 300
PREFIX = 5  # characters of a word that must match when the words differ only in their ending
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class TitleHit:
    conversation_id: str
    title_html: str  # escaped, <mark> around the matching words
    last_message_at: object


def _lemma(word: str, language: str) -> str:
    return textsearch._lemma(word, language) if language in textsearch.LEMMATISED else word


def _same(a: str, b: str, language: str) -> bool:
    if a == b or _lemma(a, language) == _lemma(b, language):
        return True
    return len(a) >= PREFIX and len(b) >= PREFIX and a[:PREFIX] == b[:PREFIX]


def _languages() -> list[str]:
    current = (translation.get_language() or "en")[:2]
    return list(dict.fromkeys([current, "sl"]))  # Slovenian lemmas whatever the page's language


def title_search(*, user, query: str, limit: int = 10) -> list[TitleHit]:
    words = [w for w in _WORD.findall((query or "").lower()) if len(w) > 1][:MAX_WORDS]
    if not words:
        return []
    langs = _languages()
    probes = {w[:PREFIX] if len(w) >= PREFIX else w for w in words}
    probes |= {_lemma(w, "sl")[:PREFIX] for w in words if len(_lemma(w, "sl")) >= 3}
    rows = (
        Conversation.objects.filter(user=user, deleted_at__isnull=True)
        .exclude(title="")
        .filter(reduce(or_, (Q(title__icontains=p) for p in probes)))
        .order_by("-last_message_at")
        .values_list("pk", "title", "last_message_at")[:CANDIDATES]
    )
    hits = []
    for pk, title, last in rows:
        tokens = _WORD.findall(title.lower())
        if all(any(_same(w, t, lang) for t in tokens for lang in langs) for w in words):
            hits.append(TitleHit(str(pk), _mark(title, words, langs), last))
            if len(hits) >= limit:
                break
    return hits


def _mark(title: str, words: list[str], langs: list[str]) -> str:
    out, at = [], 0
    for m in _WORD.finditer(title):
        out.append(escape(title[at : m.start()]))
        token = m.group(0)
        hit = any(_same(w, token.lower(), lang) for w in words for lang in langs)
        out.append(f"<mark>{escape(token)}</mark>" if hit else escape(token))
        at = m.end()
    out.append(escape(title[at:]))
    return "".join(out)
