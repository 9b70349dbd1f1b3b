"""``{% chrome key ... %}…{% endchrome %}``: a static part of a page rendered once per process.

The layout, header, sidebar chrome and composer of the conversation page were rendered on every
request (~5 ms of CPU of the page's ~23, docs/PERFORMANCE.md "Session 6") although they change only
with the language and a few values. The block's HTML is kept in a small per-process LRU keyed by
the block itself (its node: a changed template is a new node), the active language and the values
given as arguments, which must be **every** value the block shows. What differs per request is a
slot, filled on the way out: the CSRF token (``{% csrf_token %}``), the CSP nonce (``{{ CSP_NONCE }}``)
and the page's path (``{{ full_path }}``, escaped). Only the cache key's values decide what is shown:
nothing of one user's is shown to another unless it is in the key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

SIZE = 2048  # entries per process (a header per conversation title, a nav per user, ...): a few MB at most
_CSRF = "\x1fchrome-csrf\x1f"
_NONCE = "\x1fchrome-nonce\x1f"
_PATH = "\x1fchrome-path\x1f"
_memo: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _part(value) -> object:
    """A hashable, stable form of a key value (lazy translations by their text)."""
    if isinstance(value, dict):
        return tuple((str(k), _part(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_part(v) for v in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _text(value) -> str:
    return "" if value is None else str(value)


class ChromeNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context):
        key = (self, translation.get_language() or "", tuple(_part(p.resolve(context)) for p in self.parts))
        html = _memo.get(key)
        if html is None:
            with context.push(csrf_token=_CSRF, CSP_NONCE=_NONCE, full_path=_PATH):
                html = self.nodelist.render(context)
            with _lock:
                _memo[key] = html
                while len(_memo) > SIZE:
                    _memo.popitem(last=False)
        else:
            try:
                _memo.move_to_end(key)
            except KeyError:  # evicted by another thread meanwhile
                pass
        if _CSRF in html:
            html = html.replace(_CSRF, _text(context.get("csrf_token")))
        if _NONCE in html:  # django-csp's lazy nonce is falsy until evaluated: str() it, never bool()
            html = html.replace(_NONCE, _text(context.get("CSP_NONCE")))
        if _PATH in html:
            request = context.get("request")
            html = html.replace(_PATH, escape(request.get_full_path() if request is not None else ""))
        return mark_safe(html)  # noqa: S308 - template output with escaped fills


@register.tag
def chrome(parser, token):
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist, [parser.compile_filter(b) for b in bits])


def forget() -> None:
    """Tests: start with an empty memo."""
    with _lock:
        _memo.clear()
