"""Images and audio sent in a conversation (issue 9 §1): what the bytes really are, read by
Pillow (images) and mutagen / enzyme (audio), never by the file's name. Images are refused
when they would decode into more pixels than ``PIL.Image.MAX_IMAGE_PIXELS`` (a decompression
bomb), when they are damaged, or when their name lies about the format; audio when no stream
of the named format can be read from it. Each refusal is a DocumentError with a message for
the file's owner; nothing is stored then."""

from __future__ import annotations

import io
import struct
import warnings

from django.utils.translation import gettext as _

from .errors import DocumentError

# format -> (mime type, extensions)
IMAGE_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PNG": ("image/png", (".png",)),
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "WEBP": ("image/webp", (".webp",)),
    "GIF": ("image/gif", (".gif",)),
}
AUDIO_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "MP3": ("audio/mpeg", (".mp3",)),
    "M4A": ("audio/mp4", (".m4a",)),
    "OGG": ("audio/ogg", (".ogg", ".oga", ".opus")),
    "WAV": ("audio/wav", (".wav",)),
    "WEBM": ("audio/webm", (".webm",)),
}
IMAGE_EXTENSIONS = {ext: fmt for fmt, (_m, exts) in IMAGE_FORMATS.items() for ext in exts}
AUDIO_EXTENSIONS = {ext: fmt for fmt, (_m, exts) in AUDIO_FORMATS.items() for ext in exts}
IMAGE_MIMES = {mime for mime, _e in IMAGE_FORMATS.values()}
AUDIO_MIMES = {mime for mime, _e in AUDIO_FORMATS.values()}


def is_media_mime(mime_type: str) -> bool:
    return mime_type in IMAGE_MIMES or mime_type in AUDIO_MIMES


def _named(name: str, fmt: str) -> DocumentError:
    return DocumentError(
        _("The file is named %(name)s but its content is in %(format)s format.") % {"name": name, "format": fmt},
        code="mismatch",
    )


# --- images ----------------------------------------------------------------------------------------
def probe_image(name: str, data: bytes, ext: str) -> tuple[str, dict]:
    """(mime type, {"width", "height", "format"}) of a PNG/JPEG/WebP/GIF image, or DocumentError."""
    from PIL import Image, UnidentifiedImageError

    expected = IMAGE_EXTENSIONS[ext]
    bomb = DocumentError(
        _("The image would decode to more than %(limit)s million pixels; it was refused as unsafe.")
        % {"limit": int(Image.MAX_IMAGE_PIXELS or 0) // 1_000_000},
        code="image_bomb",
    )
    damaged = DocumentError(_("The image is damaged and cannot be read."), code="corrupt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as im:  # reads the header only
                fmt, (width, height) = im.format or "", im.size
                if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                    raise bomb
                im.verify()  # checksums and structure, without decoding the pixels
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                im.load()  # the pixels decode (a truncated file fails here)
        except DocumentError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb from None
        except UnidentifiedImageError:
            raise _not_an_image(name, data) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
            raise damaged from None
    if fmt != expected:
        raise _named(name, fmt)
    if width <= 0 or height <= 0:
        raise damaged
    return IMAGE_FORMATS[fmt][0], {"width": width, "height": height, "format": fmt}


def _not_an_image(name: str, data: bytes) -> DocumentError:
    """An image name on bytes that are no image we read; say what they are when we know."""
    head = data[:16]
    if head.lstrip()[:5] == b"%PDF-":
        return _named(name, "PDF")
    return DocumentError(
        _("The file is named %(name)s but its content is not a PNG, JPEG, WebP or GIF image.") % {"name": name},
        code="mismatch",
    )


# --- audio -----------------------------------------------------------------------------------------
def _audio_format(data: bytes) -> str:
    """Which of the accepted containers the bytes start like ("" when none)."""
    head = data[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"OggS":
        return "OGG"
    if head[4:8] == b"ftyp":
        return "M4A"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WEBM"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    return ""


def _duration(fmt: str, data: bytes) -> float | None:
    fh = io.BytesIO(data)
    if fmt == "WEBM":
        import enzyme

        mkv = enzyme.MKV(fh)
        if (mkv.info is None) or "webm" not in str(getattr(mkv, "doctype", "webm") or "webm").lower():
            raise ValueError("not webm")
        if not mkv.audio_tracks:
            raise ValueError("no audio track")
        return mkv.info.duration.total_seconds() if mkv.info.duration else None  # recorders often omit it
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    if fmt == "OGG":
        try:
            return OggVorbis(fh).info.length
        except Exception:  # noqa: BLE001 - not Vorbis: maybe Opus
            fh.seek(0)
            return OggOpus(fh).info.length
    cls = {"MP3": MP3, "M4A": MP4, "WAV": WAVE}[fmt]
    return cls(fh).info.length


def probe_audio(name: str, data: bytes, ext: str) -> tuple[str, dict]:
    """(mime type, {"duration", "format"}) of an MP3/M4A/OGG/WAV/WebM file, or DocumentError."""
    expected = AUDIO_EXTENSIONS[ext]
    found = _audio_format(data)
    if not found:
        raise DocumentError(
            _("The file is named %(name)s but its content is not MP3, M4A, OGG, WAV or WebM audio.") % {"name": name},
            code="mismatch",
        )
    if found != expected:
        raise _named(name, found)
    try:
        duration = _duration(found, data)
    except Exception:  # noqa: BLE001 - every parser failure means the same thing to the owner
        raise DocumentError(_("The audio file is damaged or holds no sound we can play."), code="corrupt") from None
    if duration is not None and duration <= 0:
        raise DocumentError(_("The audio file is damaged or holds no sound we can play."), code="corrupt")
    meta: dict = {"format": found, "duration": round(duration, 3) if duration is not None else None}
    return AUDIO_FORMATS[found][0], meta


# --- images for a model ----------------------------------------------------------------------------
MODEL_IMAGE_SIDE = 2048  # longest side sent to a model (the vendors scale larger images down anyway)
MODEL_IMAGE_BYTES = 4 * 1024 * 1024  # below Anthropic's 5 MB per image, base64 included


def image_for_model(data: bytes, mime_type: str) -> tuple[bytes, str]:
    """The image as sent to a model: as it is when small enough, else scaled down (JPEG, or PNG
    for images with transparency). Only validated images reach this (probe_image)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if max(im.size) <= MODEL_IMAGE_SIDE and len(data) * 4 / 3 <= MODEL_IMAGE_BYTES:
            return data, mime_type
        im.seek(0)
        frame = im.convert("RGBA") if ("A" in im.getbands() or "transparency" in im.info) else im.convert("RGB")
    frame.thumbnail((MODEL_IMAGE_SIDE, MODEL_IMAGE_SIDE))
    out = io.BytesIO()
    if frame.mode == "RGBA":
        frame.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    frame.save(out, format="JPEG", quality=85)
    return out.getvalue(), "image/jpeg"
