"""PDF with pypdf (BSD): the text of each page."""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

from ..errors import DocumentError
from . import Extracted

logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract(data: bytes, *, max_pages: int | None = None) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An empty user password opens some "encrypted" PDFs; anything else we cannot read.
            try:
                if not reader.decrypt(""):
                    raise DocumentError(_("The PDF is password-protected. Remove the password and upload it again."),
                                        code="encrypted")  # fmt: skip
            except DocumentError:
                raise
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported encryption
                raise DocumentError(_("The PDF is password-protected. Remove the password and upload it again."),
                                    code="encrypted") from None  # fmt: skip
        count = len(reader.pages)
        if max_pages and count > max_pages:
            raise DocumentError(
                _("The PDF has %(count)d pages; the limit is %(limit)d.") % {"count": count, "limit": max_pages},
                code="too_many_pages",
            )
        pages = [(page.extract_text() or "").replace("\x00", "") for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise DocumentError(_("The PDF is damaged and cannot be read."), code="corrupt") from None
    return Extracted(pages=pages, paged=True, meta={"pages": count})
