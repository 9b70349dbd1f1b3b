"""Upload validation: the name, the size, what the bytes really are (not what the name says),
and archives that would expand into a bomb. Runs before anything is stored."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import media
from .errors import DocumentError

# kind -> (mime type, extensions)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "text": ("text/plain", (".txt", ".text", ".log")),
    "markdown": ("text/markdown", (".md", ".markdown")),
    "html": ("text/html", (".html", ".htm")),
    "csv": ("text/csv", (".csv",)),
}
EXTENSIONS = {ext: kind for kind, (_mime, exts) in KINDS.items() for ext in exts}
# images and audio (issue 9 §1): shown or played in the message, not read into passages
EXTENSIONS.update({ext: "image" for ext in media.IMAGE_EXTENSIONS})
EXTENSIONS.update({ext: "audio" for ext in media.AUDIO_EXTENSIONS})
TEXT_KINDS = {"text", "markdown", "html", "csv"}
MEDIA_KINDS = {"image", "audio"}


@dataclass(frozen=True)
class Checked:
    name: str
    kind: str
    mime_type: str
    meta: dict = field(default_factory=dict)  # images: width, height, format; audio: duration, format


def accepted_extensions() -> str:
    return ",".join(EXTENSIONS)


def clean_name(raw: str) -> str:
    """The file's name as shown; refuses path separators and control characters."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise DocumentError(_("The file has no name."), code="name")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise DocumentError(_("The file name must not contain path separators (/ or \\)."), code="name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise DocumentError(_("The file name contains control characters."), code="name")
    if len(name) > 255:
        stem, ext = PurePosixPath(name).stem, PurePosixPath(name).suffix[:10]
        name = stem[: 255 - len(ext)] + ext
    return name


def max_file_size() -> int:
    return int(getattr(settings, "DOCUMENTS_MAX_FILE_SIZE", 20 * 1024 * 1024))


def check_size(size: int) -> None:
    if size <= 0:
        raise DocumentError(_("The file is empty."), code="empty")
    if size > max_file_size():
        raise DocumentError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_file_size())},
            code="too_large",
        )


def _sniff(data: bytes) -> str:
    """What the bytes are: pdf, zip, binary (something else we do not read), or text."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    try:
        import puremagic

        found = puremagic.magic_string(head)
    except Exception:  # noqa: BLE001 - puremagic raises on unknown input; text has no magic number
        found = []
    binary_mimes = ("image/", "audio/", "video/", "application/x-", "application/octet", "application/vnd.ms")
    if found and any((m.mime_type or "").startswith(binary_mimes) for m in found[:1]):
        return "binary"
    return "text"


def check_docx(data: bytes) -> None:
    """A DOCX is a zip: refuse archives that would expand far beyond any real document."""
    limit = int(getattr(settings, "DOCUMENTS_MAX_UNZIPPED_SIZE", 100 * 1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
    except zipfile.BadZipFile:
        raise DocumentError(_("The file is not a valid Word document (damaged archive)."), code="corrupt") from None
    if len(infos) > 2000 or total > limit or total / packed > 200:
        raise DocumentError(
            _("The Word document expands to far more data than it holds; it was refused as unsafe."), code="zip_bomb"
        )
    if "word/document.xml" not in names:
        raise DocumentError(_("The archive is not a Word document (no word/document.xml)."), code="mismatch")


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(
            _("The text is not UTF-8. Save it as UTF-8 and upload it again."), code="encoding"
        ) from None


def check(name: str, data: bytes) -> Checked:
    """Validate one upload; raises DocumentError with the reason for its owner."""
    name = clean_name(name)
    check_size(len(data))
    ext = PurePosixPath(name).suffix.lower()
    kind = EXTENSIONS.get(ext)
    if kind is None:
        raise DocumentError(
            _(
                "%(ext)s files are not supported. Upload PDF, Word (.docx), text, Markdown, HTML, CSV, "
                "an image (PNG, JPEG, WebP, GIF) or audio (MP3, M4A, OGG, WAV, WebM)."
            )
            % {"ext": ext or _("Extension-less")},
            code="unsupported",
        )
    if kind == "image":
        mime, meta = media.probe_image(name, data, ext)
        return Checked(name=name, kind=kind, mime_type=mime, meta=meta)
    if kind == "audio":
        mime, meta = media.probe_audio(name, data, ext)
        return Checked(name=name, kind=kind, mime_type=mime, meta=meta)
    sniffed = _sniff(data)
    expected = {"pdf": "pdf", "docx": "zip"}.get(kind, "text")
    if sniffed != expected:
        what = {"pdf": _("a PDF"), "zip": _("an archive"), "binary": _("a binary file"), "text": _("plain text")}
        raise DocumentError(
            _("The file is named %(name)s but its content is %(what)s.") % {"name": name, "what": what[sniffed]},
            code="mismatch",
        )
    if kind == "docx":
        check_docx(data)
    if kind in TEXT_KINDS:
        decode_text(data)
    return Checked(name=name, kind=kind, mime_type=KINDS[kind][0])


def kind_of(mime_type: str) -> str:
    if mime_type in media.IMAGE_MIMES:
        return "image"
    if mime_type in media.AUDIO_MIMES:
        return "audio"
    for kind, (mime, _exts) in KINDS.items():
        if mime == mime_type:
            return kind
    return "text"
