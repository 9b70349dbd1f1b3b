"""Word (.docx) with python-docx: paragraphs and table cells, in document order. The archive was
checked for bombs at upload (validation.check_docx)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from ..errors import DocumentError
from . import Extracted


def extract(data: bytes, *, max_pages: int | None = None) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        parts: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                if block.text.strip():
                    parts.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    cells = [c.text.strip() for c in row.cells]
                    if any(cells):
                        parts.append(" | ".join(cells))
    except Exception:  # noqa: BLE001 - python-docx/lxml raise many types for damaged files
        raise DocumentError(_("The Word document is damaged and cannot be read."), code="corrupt") from None
    return Extracted(pages=["\n".join(parts)])
