"""HTML with lxml's parser: the visible text, block elements on their own lines; scripts,
styles and templates dropped."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from ..errors import DocumentError
from ..validation import decode_text
from . import Extracted

_DROP = ("script", "style", "template", "noscript", "head", "svg")
_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article", "pre",
           "blockquote", "table", "ul", "ol", "dd", "dt", "header", "footer", "main", "td", "th"}  # fmt: skip


def extract(data: bytes, *, max_pages: int | None = None) -> Extracted:
    import lxml.html

    text = decode_text(data)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception:  # noqa: BLE001 - lxml.etree.ParserError and friends
        raise DocumentError(_("The HTML file cannot be read."), code="corrupt") from None
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP)):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    out = root.text_content()
    out = re.sub(r"[ \t\r\f\v]+", " ", out)
    out = re.sub(r" *\n[\n ]*", "\n", out).strip()
    return Extracted(pages=[out])
