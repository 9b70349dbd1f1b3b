"""Plain text and Markdown: the text as it is (UTF-8 was checked at upload)."""

from __future__ import annotations

from ..validation import decode_text
from . import Extracted


def extract(data: bytes, *, max_pages: int | None = None) -> Extracted:
    return Extracted(pages=[decode_text(data).replace("\r\n", "\n").replace("\x00", "")])
