"""Images are read by Pillow and audio by mutagen, from the bytes: a decompression bomb, a name
that lies about the format, a damaged file, text under an image or audio name, each gets its own
clear error while the rest of the batch goes on, and nothing of the refused file is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import validation
from documents.errors import DocumentError
from documents.models import Document
from documents.tests.helpers import image_bytes, mp3_bytes, png_claiming, wav_bytes


@pytest.mark.parametrize(("name", "data", "code", "words"), [
    ("huge.png", png_claiming(30000, 30000), "image_bomb", "million pixels"),
    ("just-over.png", png_claiming(10000, 9000), "image_bomb", "refused as unsafe"),
    ("photo.png", image_bytes("JPEG"), "mismatch", "its content is in JPEG format"),
    ("photo.webp", image_bytes("GIF"), "mismatch", "its content is in GIF format"),
    ("scan.jpg", b"%PDF-1.4 not an image", "mismatch", "its content is in PDF format"),
    ("notes.gif", b"just some text, not a picture", "mismatch", "not a PNG, JPEG, WebP or GIF image"),
    ("cut.png", image_bytes("PNG", (300, 200))[:120], "corrupt", "damaged"),
    ("song.mp3", b"la la la, this is text", "mismatch", "not MP3, M4A, OGG, WAV or WebM audio"),
    ("song.mp3", wav_bytes(0.2), "mismatch", "its content is in WAV format"),
    ("tone.wav", mp3_bytes(5), "mismatch", "its content is in MP3 format"),
    ("cut.wav", wav_bytes(0.5)[:30], "corrupt", "damaged or holds no sound"),
    ("voice.ogg", b"OggS" + b"\x00" * 60, "corrupt", "damaged or holds no sound"),
])  # fmt: skip
def test_it_refuses_each_bad_file_with_its_reason(name, data, code, words):
    with pytest.raises(DocumentError) as exc:
        validation.check(name, data)
    assert exc.value.code == code
    assert words in exc.value.message


@pytest.mark.parametrize(("name", "fmt", "mime"), [
    ("a.png", "PNG", "image/png"), ("b.jpg", "JPEG", "image/jpeg"), ("c.jpeg", "JPEG", "image/jpeg"),
    ("d.webp", "WEBP", "image/webp"), ("e.gif", "GIF", "image/gif"),
])  # fmt: skip
def test_it_reads_each_image_format_and_its_size(name, fmt, mime):
    checked = validation.check(name, image_bytes(fmt, (120, 80)))
    assert (checked.kind, checked.mime_type) == ("image", mime)
    assert checked.meta["width"] == 120 and checked.meta["height"] == 80


def test_it_reads_the_length_of_mp3_and_wav():
    mp3 = validation.check("a.mp3", mp3_bytes(115))
    wav = validation.check("b.wav", wav_bytes(1.5))
    assert (mp3.kind, mp3.mime_type) == ("audio", "audio/mpeg") and mp3.meta["duration"] == pytest.approx(3.0, abs=0.05)
    assert (wav.kind, wav.mime_type) == ("audio", "audio/wav") and wav.meta["duration"] == pytest.approx(1.5)


def test_the_rest_of_the_batch_goes_on(owner_client, owner, tenant_a, in_tenant, media):
    files = [
        SimpleUploadedFile("bomb.png", png_claiming(30000, 30000)),
        SimpleUploadedFile("good.png", image_bytes("PNG", (40, 30))),
        SimpleUploadedFile("liar.mp3", b"plain words"),
        SimpleUploadedFile("tone.wav", wav_bytes(0.5)),
    ]
    body = owner_client.post("/chat/files/", {"files": files}, HTTP_ACCEPT="application/json").json()
    results = {r["name"]: r for r in body["results"]}
    assert not results["bomb.png"]["ok"] and "unsafe" in results["bomb.png"]["error"]
    assert not results["liar.mp3"]["ok"] and "not MP3" in results["liar.mp3"]["error"]
    assert results["good.png"]["ok"] and results["good.png"]["status"] == "ready"
    assert results["tone.wav"]["ok"] and results["tone.wav"]["status"] == "ready"
    with in_tenant(tenant_a):
        assert sorted(Document.objects.values_list("original_filename", flat=True)) == ["good.png", "tone.wav"]
    stored = sorted(p.name for p in media.rglob("*") if p.is_file())
    assert len(stored) == 2 and {p.rsplit(".", 1)[1] for p in stored} == {"png", "wav"}
