"""Markdown to safe HTML, done once when a message is final (markdown-it-py -> Pygments -> nh3)."""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "div": {"class"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}


def _highlight(code: str, lang: str, _attrs) -> str:
    lang = (lang or "").strip().split()[0] if lang else ""
    body = None
    if lang:
        try:
            body = highlight(code, get_lexer_by_name(lang), _FORMATTER)
        except ClassNotFound:
            body = None
    if body is None:
        body = escape(code)
    # Starting with "<pre" tells markdown-it not to wrap it again.
    return f'<pre class="highlight"><code>{body}</code></pre>'


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "js-default" = commonmark + tables + strikethrough, with raw HTML disabled.
    return MarkdownIt("js-default", {"highlight": _highlight, "html": False, "linkify": False, "typographer": False})


def markdown_to_html(text: str) -> str:
    """Render ``text`` as markdown and sanitise it; safe to mark_safe."""
    if not text:
        return ""
    raw = _markdown().render(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def pygments_css() -> str:
    return HtmlFormatter(style="friendly").get_style_defs(".highlight")
