"""Token-aware chunks that keep their character offsets into the extracted text and their page
(semantic-text-splitter's ``chunk_indices``: splits at the largest semantic unit that fits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Piece:
    index: int
    start: int
    end: int
    page: int | None
    content: str
    tokens: int


def chunk_text(text: str, *, page_offsets: list[int] | None, paged: bool,
               count_tokens: Callable[[str], int]) -> list[Piece]:  # fmt: skip
    from semantic_text_splitter import TextSplitter

    low = int(getattr(settings, "DOCUMENTS_CHUNK_TOKENS_MIN", 160))
    high = int(getattr(settings, "DOCUMENTS_CHUNK_TOKENS", 256))
    overlap = int(getattr(settings, "DOCUMENTS_CHUNK_OVERLAP", 32))
    splitter = TextSplitter.from_callback(count_tokens, (low, high), overlap=overlap)
    # Paged formats are chunked page by page: a passage never straddles two pages, so its
    # citation names one page.
    offsets = (page_offsets or [0]) if paged else [0]
    bounds = [*offsets[1:], len(text) + 2]
    pieces: list[Piece] = []
    for page_no, (base, stop) in enumerate(zip(offsets, bounds, strict=True), 1):
        segment = text[base : max(base, stop - 2)] if paged else text
        for start, content in splitter.chunk_indices(segment):
            begin = base + start
            pieces.append(Piece(len(pieces), begin, begin + len(content), page_no if paged else None, content,
                                count_tokens(content)))  # fmt: skip
    return pieces
