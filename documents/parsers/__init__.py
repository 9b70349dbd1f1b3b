"""Text extraction, one module per format. Each ``extract(data) -> Extracted``: the text of each
page (one "page" without a number for formats that have none)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..errors import DocumentError


@dataclass
class Extracted:
    pages: list[str]
    paged: bool = False  # page numbers mean something (PDF)
    meta: dict = field(default_factory=dict)

    def text_and_offsets(self) -> tuple[str, list[int]]:
        """The whole text (pages joined by a blank line) and the start offset of each page."""
        offsets, parts, pos = [], [], 0
        for page in self.pages:
            offsets.append(pos)
            parts.append(page)
            pos += len(page) + 2
        return "\n\n".join(parts), offsets


def extract(kind: str, data: bytes, *, max_pages: int | None = None) -> Extracted:
    from . import csv, docx, html, pdf, text

    module = {"pdf": pdf, "docx": docx, "html": html, "csv": csv, "text": text, "markdown": text}[kind]
    result = module.extract(data, max_pages=max_pages)
    if not any(p.strip() for p in result.pages):
        if kind == "pdf":
            raise DocumentError(
                _("No text found: the PDF seems to hold scanned images only (text recognition is not supported)."),
                code="no_text",
            )
        raise DocumentError(_("No text found in the file."), code="no_text")
    return result
