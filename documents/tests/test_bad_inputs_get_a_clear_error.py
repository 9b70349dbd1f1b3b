"""Each bad input gets its own clear message, and nothing of it is left stored."""

import pytest

from documents import services
from documents.errors import DocumentError
from documents.models import Document
from documents.tests.helpers import encrypted_pdf_bytes, pdf_bytes, scanned_pdf_bytes, zip_bomb_docx


def _stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("empty.txt", b"", "empty", "empty"),
        ("bomb.docx", None, "zip_bomb", "unsafe"),
        ("lies.pdf", b"just some text pretending", "mismatch", "content is plain text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "mismatch", "binary"),
        ("../../etc/passwd.txt", b"hello", "name", "path separators"),
        ("bad\x07name.txt", b"hello", "name", "control characters"),
        ("latin.txt", "Čeprav je šel domov".encode("cp1250"), "encoding", "not UTF-8"),
        ("broken.docx", b"PK\x03\x04garbage-that-is-no-zip", "corrupt", "damaged"),
        ("program.exe", b"MZ\x90\x00", "unsupported", "not supported"),
    ],
)
def test_it_refuses_a_bad_upload_with_its_reason(tenant_a, owner, in_tenant, media, name, data, code, words):
    data = zip_bomb_docx() if data is None else data
    with in_tenant(tenant_a), pytest.raises(DocumentError) as exc:
        services.document_upload(owner=owner, name=name, data=data)
    assert exc.value.code == code
    assert words in exc.value.message
    with in_tenant(tenant_a):
        assert not Document.objects.exists()
    assert _stored_files(media) == []


def test_it_refuses_a_file_over_the_limit(tenant_a, owner, in_tenant, media, settings):
    settings.DOCUMENTS_MAX_FILE_SIZE = 1000
    with in_tenant(tenant_a), pytest.raises(DocumentError) as exc:
        services.document_upload(owner=owner, name="big.txt", data=b"x" * 1001)
    assert exc.value.code == "too_large" and "limit is 1000" in exc.value.message.replace("\xa0", " ")
    assert _stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("locked.pdf", None, "encrypted", "password-protected"),
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrash trash", "corrupt", "damaged"),
        ("scan.pdf", "scan", "no_text", "No text found"),
    ],
)
def test_it_fails_an_unreadable_pdf_with_its_reason(tenant_a, owner, upload, in_tenant, name, data, code, words):
    data = {None: encrypted_pdf_bytes, "scan": scanned_pdf_bytes}.get(data, lambda: data)()
    doc = upload(tenant_a, owner, name, data)
    assert doc.status == Document.Status.ERROR
    assert doc.processing_metadata["error_code"] == code
    assert words in doc.error_message
    with in_tenant(tenant_a):
        assert not doc.chunks.exists()


def test_the_rest_of_a_batch_goes_on(tenant_a, owner, member_client, media, in_tenant, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [
        SimpleUploadedFile("good.pdf", pdf_bytes(["fine text about drills"])),
        SimpleUploadedFile("empty.txt", b""),
        SimpleUploadedFile("also-good.txt", b"more fine text"),
    ]
    response = member_client.post("/documents/upload/", {"files": files})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The file is empty." in body
    with in_tenant(tenant_a):
        names = sorted(Document.objects.filter(owner=member).values_list("original_filename", flat=True))
    assert names == ["also-good.txt", "good.pdf"]
