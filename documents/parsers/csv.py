"""CSV with the csv module: one line per row, "column: value" pairs so each passage says what
its numbers are."""

from __future__ import annotations

import csv
import io

from ..validation import decode_text
from . import Extracted


def extract(data: bytes, *, max_pages: int | None = None) -> Extracted:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if not rows:
        return Extracted(pages=[""])
    header, body = rows[0], rows[1:]
    lines = [", ".join(header)]
    for row in body:
        pairs = [
            f"{h.strip() or i + 1}: {v.strip()}" for i, (h, v) in enumerate(zip(header, row, strict=False)) if v.strip()
        ]
        pairs += [v.strip() for v in row[len(header) :] if v.strip()]
        lines.append("; ".join(pairs))
    return Extracted(pages=["\n".join(lines)], meta={"rows": len(body)})
