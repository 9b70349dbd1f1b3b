"""Files for the tests, built in memory: PDFs (pypdf), DOCX (python-docx), text formats."""

from __future__ import annotations

import io
import zipfile

PLANTED_EN = "The warranty for the Zephyr X200 cordless drill lasts exactly thirty-six months from purchase."
PLANTED_SL = "Garancija za akumulatorski vrtalnik Zephyr X200 traja natanko šestintrideset mesecev od nakupa."
FILLER = (
    "Quarterly reports describe the revenue of the northern region, the hiring plan for engineers, "
    "and the office relocation schedule. "
)


def pdf_bytes(pages: list[str]) -> bytes:
    """A text PDF with one page per string (a minimal hand-made file pypdf reads)."""
    objects: list[bytes] = []
    kids = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then (page, content) pairs
    for i, text in enumerate(pages):
        page_no, content_no = 4 + 2 * i, 5 + 2 * i
        kids.append(f"{page_no} 0 R")
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        lines = [safe[j : j + 80] for j in range(0, len(safe), 80)] or [""]
        ops = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(f"({ln}) Tj T*" for ln in lines) + " ET"
        stream = ops.encode("latin-1", "replace")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {content_no} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    all_objects = head + objects
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(all_objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(all_objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(all_objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(["secret text"]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF whose only page has no text at all (as a scan without OCR)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Model"
    table.rows[0].cells[1].text = "Zephyr"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A "DOCX" whose document.xml expands to 200 MB of zeros (about 200 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                f.write(block)
    return out.getvalue()


# --- images and audio (issue 9 §1) -------------------------------------------------------------------
def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 80, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's header);
    its pixel data is a few bytes, so only the header is ever read."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def wav_bytes(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a 440 Hz tone (stdlib wave)."""
    import math
    import struct
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
        )
        w.writeframes(frames)
    return out.getvalue()


def mp3_bytes(frames: int = 115) -> bytes:
    """MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz (silence): 115 frames ≈ 3.0 s."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    frame_len = 144 * 128000 // 44100  # 417 bytes
    return (header + b"\x00" * (frame_len - 4)) * frames


# Tiny audio containers built in code (no encoder on the machine): the headers each format's reader
# (mutagen for M4A/OGG, enzyme for WebM) takes the duration from, and a few bytes of silence-like payload.
def m4a_bytes(seconds: float = 2.5, rate: int = 44100) -> bytes:
    """An MPEG-4 audio file: ftyp 'M4A ', moov with mvhd and one sound track (mdhd holds its length)."""
    import struct

    def atom(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    def full(kind: bytes, body: bytes) -> bytes:  # version 0, flags 0
        return atom(kind, b"\0\0\0\0" + body)

    units = int(seconds * rate)
    mvhd = full(b"mvhd", struct.pack(">IIII", 0, 0, rate, units) + b"\0" * 80)
    mdhd = full(b"mdhd", struct.pack(">IIIIHH", 0, 0, rate, units, 0x55C4, 0))
    hdlr = full(b"hdlr", b"\0\0\0\0" + b"soun" + b"\0" * 12 + b"SoundHandler\0")
    trak = atom(b"trak", atom(b"mdia", mdhd + hdlr))
    return atom(b"ftyp", b"M4A \0\0\0\0M4A mp42isom") + atom(b"moov", mvhd + trak) + atom(b"mdat", b"\0" * 64)


def ogg_opus_bytes(seconds: float = 1.75) -> bytes:
    """An Ogg Opus stream: OpusHead and OpusTags pages, then one audio page whose granule position
    (48 kHz samples, after the pre-skip) gives the length."""
    import struct

    from mutagen.ogg import OggPage

    pre_skip = 312

    def page(packets: list[bytes], sequence: int, position: int, first=False, last=False) -> bytes:
        p = OggPage()
        p.serial, p.sequence, p.position, p.packets = 0x5EED, sequence, position, packets
        p.first, p.last = first, last
        return p.write()

    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 6) + b"chorus" + struct.pack("<I", 0)
    audio = [b"\xf8\xff\xfe"] * 4  # Opus silence frames
    return (page([head], 0, 0, first=True) + page([tags], 1, 0)
            + page(audio, 2, pre_skip + int(seconds * 48000), last=True))  # fmt: skip


def webm_bytes(seconds: float = 3.25, *, audio: bool = True) -> bytes:
    """A WebM (Matroska, DocType webm) file: EBML header, Segment with SeekHead -> Info (Duration in
    ms at the default 1 ms TimecodeScale) and Tracks (one Opus audio track, or video if not ``audio``)."""
    import struct

    def size(n: int) -> bytes:  # 8-byte EBML size
        return bytes([0x01]) + n.to_bytes(7, "big")

    def el(eid: bytes, body: bytes) -> bytes:
        return eid + size(len(body)) + body

    def uint(eid: bytes, value: int) -> bytes:
        return el(eid, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))

    ebml = (uint(b"\x42\x86", 1) + uint(b"\x42\xf7", 1) + uint(b"\x42\xf2", 4) + uint(b"\x42\xf3", 8)
            + el(b"\x42\x82", b"webm") + uint(b"\x42\x87", 4) + uint(b"\x42\x85", 2))  # fmt: skip
    header = el(b"\x1a\x45\xdf\xa3", ebml)
    info = el(b"\x15\x49\xa9\x66", uint(b"\x2a\xd7\xb1", 1_000_000) + el(b"\x44\x89", struct.pack(">d", seconds * 1000))
              + el(b"\x4d\x80", b"chorus") + el(b"\x57\x41", b"chorus"))  # fmt: skip
    if audio:  # Opus, 48 kHz mono
        kind, codec, media = 2, b"A_OPUS", el(b"\xe1", el(b"\xb5", struct.pack(">d", 48000.0)) + uint(b"\x9f", 1))
    else:  # VP8 video, 16 x 16
        kind, codec, media = 1, b"V_VP8", el(b"\xe0", uint(b"\xb0", 16) + uint(b"\xba", 16))
    track = el(b"\xae", uint(b"\xd7", 1) + uint(b"\x73\xc5", 1) + uint(b"\x83", kind) + el(b"\x86", codec) + media)
    tracks = el(b"\x16\x54\xae\x6b", track)

    def seek(eid: bytes, pos: int) -> bytes:
        return el(b"\x4d\xbb", el(b"\x53\xab", eid) + el(b"\x53\xac", pos.to_bytes(8, "big")))

    head_len = len(el(b"\x11\x4d\x9b\x74", seek(b"\x15\x49\xa9\x66", 0) + seek(b"\x16\x54\xae\x6b", 0)))
    seek_head = el(
        b"\x11\x4d\x9b\x74", seek(b"\x15\x49\xa9\x66", head_len) + seek(b"\x16\x54\xae\x6b", head_len + len(info))
    )
    return header + el(b"\x18\x53\x80\x67", seek_head + info + tracks)


def documents_used(tenant) -> int:
    """Billing's workspace-wide document counter for ``tenant`` (0 before the first upload)."""
    from billing import quotas
    from billing.models import TENANT_WIDE, UsageCounter

    row = UsageCounter.objects.filter(tenant_id=tenant.pk, kind=quotas.Kind.DOCUMENTS, user_id=TENANT_WIDE,
                                      period_start=quotas.FOREVER_START).first()  # fmt: skip
    return row.used if row else 0


def documents_used_set(tenant, used: int) -> None:
    from billing import quotas
    from billing.models import TENANT_WIDE, UsageCounter

    UsageCounter.objects.update_or_create(
        tenant_id=tenant.pk, user_id=TENANT_WIDE, kind=quotas.Kind.DOCUMENTS, period_start=quotas.FOREVER_START,
        defaults={"period_end": quotas.FOREVER_END, "used": used},
    )  # fmt: skip
