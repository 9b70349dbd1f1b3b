"""WebM, M4A and OGG (Opus) audio are accepted with the duration their container states (read by enzyme
and mutagen from the bytes, files built in code: helpers.webm_bytes / m4a_bytes / ogg_opus_bytes),
reach the message as playable attachments, and a name that lies about the container is refused
with the real format named."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import validation
from documents.errors import DocumentError
from documents.models import Document
from documents.tests.helpers import m4a_bytes, ogg_opus_bytes, webm_bytes


@pytest.mark.parametrize(("name", "data", "mime", "fmt", "seconds"), [
    ("memo.webm", webm_bytes(3.25), "audio/webm", "WEBM", 3.25),
    ("memo.m4a", m4a_bytes(2.5), "audio/mp4", "M4A", 2.5),
    ("memo.ogg", ogg_opus_bytes(1.75), "audio/ogg", "OGG", 1.75),
    ("memo.opus", ogg_opus_bytes(4.0), "audio/ogg", "OGG", 4.0),
])  # fmt: skip
def test_it_accepts_each_with_its_duration(name, data, mime, fmt, seconds):
    assert len(data) < 4096  # tiny files, a few hundred bytes
    checked = validation.check(name, data)
    assert (checked.kind, checked.mime_type, checked.meta["format"]) == ("audio", mime, fmt)
    assert checked.meta["duration"] == pytest.approx(seconds, abs=0.001)


@pytest.mark.parametrize(("name", "data", "code", "words"), [
    ("memo.m4a", webm_bytes(), "mismatch", "its content is in WEBM format"),
    ("memo.ogg", m4a_bytes(), "mismatch", "its content is in M4A format"),
    ("memo.webm", ogg_opus_bytes(), "mismatch", "its content is in OGG format"),
    ("memo.wav", webm_bytes(), "mismatch", "its content is in WEBM format"),
    ("memo.webm", b"just words, no sound", "mismatch", "not MP3, M4A, OGG, WAV or WebM audio"),
    ("clip.webm", webm_bytes(audio=False), "corrupt", "damaged or holds no sound"),  # a video track only
    ("cut.m4a", m4a_bytes()[:40], "corrupt", "damaged or holds no sound"),
])  # fmt: skip
def test_a_lying_or_broken_file_is_refused(name, data, code, words):
    with pytest.raises(DocumentError) as exc:
        validation.check(name, data)
    assert exc.value.code == code
    assert words in exc.value.message


def test_the_composer_stores_each_with_its_duration(owner_client, owner, tenant_a, in_tenant, media):
    files = [
        SimpleUploadedFile("a.webm", webm_bytes(3.25)),
        SimpleUploadedFile("b.m4a", m4a_bytes(2.5)),
        SimpleUploadedFile("c.ogg", ogg_opus_bytes(1.75)),
        SimpleUploadedFile("liar.ogg", webm_bytes(1.0)),
    ]
    body = owner_client.post("/chat/files/", {"files": files}, HTTP_ACCEPT="application/json").json()
    results = {r["name"]: r for r in body["results"]}
    assert [results[n]["status"] for n in ("a.webm", "b.m4a", "c.ogg")] == ["ready"] * 3
    assert not results["liar.ogg"]["ok"] and "WEBM format" in results["liar.ogg"]["error"]
    with in_tenant(tenant_a):
        stored = {d.original_filename: (d.mime_type, d.processing_metadata["media"]["duration"])
                  for d in Document.objects.filter(owner=owner)}  # fmt: skip
    assert stored == {"a.webm": ("audio/webm", 3.25), "b.m4a": ("audio/mp4", 2.5), "c.ogg": ("audio/ogg", 1.75)}


def test_the_outsider_cannot_fetch_them(owner_client, outsider_client, owner, tenant_a, in_tenant, media):
    body = owner_client.post("/chat/files/", {"files": [SimpleUploadedFile("a.webm", webm_bytes())]},
                             HTTP_ACCEPT="application/json").json()  # fmt: skip
    assert body["results"][0]["ok"]
    with in_tenant(tenant_a):
        doc = Document.objects.get(owner=owner, original_filename="a.webm")
    assert outsider_client.get(f"/documents/{doc.pk}/status/").status_code == 404
