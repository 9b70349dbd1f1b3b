"""An image sent in the composer is a chat.Attachment with its dimensions, shown in the message
as an <img> with width and height; a sound is one with its length, playable through <audio
controls preload="none">. Both are served only through the authorised view (byte ranges for the
player); another member and the outsider get 404, and the files are under no public URL."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment
from chat.services import conversation_create
from documents.tests.helpers import image_bytes, wav_bytes


def _send(client, owner, tenant_a, in_tenant, *files):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    body = client.post(f"/chat/{conversation.pk}/files/", {"files": list(files)}, HTTP_ACCEPT="application/json").json()
    ids = [r["id"] for r in body["results"]]
    client.post(f"/chat/{conversation.pk}/messages/", {"content": "Look at these", "documents": ids})
    return conversation


def test_it_stores_and_shows_an_image_with_its_dimensions(owner_client, owner, tenant_a, in_tenant, media):
    png = image_bytes("PNG", (320, 200))
    conversation = _send(owner_client, owner, tenant_a, in_tenant, SimpleUploadedFile("cat.png", png))
    with in_tenant(tenant_a):
        a = Attachment.objects.get(message__conversation=conversation)
    assert (a.mime_type, a.width, a.height, a.size) == ("image/png", 320, 200, len(png))
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    img = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)" alt="cat.png"', page)
    assert img and img.group(1) == f"/chat/attachments/{a.pk}/" and img.group(2, 3) == ("320", "200")
    assert "cat.png · 320×200" in page
    assert "/media/" not in page
    r = owner_client.get(img.group(1))
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == png
    assert r["Content-Disposition"].startswith("inline")


def test_it_stores_audio_with_its_length_and_plays_it_in_ranges(owner_client, owner, tenant_a, in_tenant, media):
    wav = wav_bytes(75.0, rate=800)
    conversation = _send(owner_client, owner, tenant_a, in_tenant, SimpleUploadedFile("memo.wav", wav))
    with in_tenant(tenant_a):
        a = Attachment.objects.get(message__conversation=conversation)
    assert a.mime_type == "audio/wav" and a.duration_seconds == pytest.approx(75.0) and a.width is None
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert f'<audio controls preload="none" src="/chat/attachments/{a.pk}/"' in page
    assert "memo.wav · 1:15" in page
    r = owner_client.get(f"/chat/attachments/{a.pk}/", HTTP_RANGE="bytes=10-19")
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 10-19/{len(wav)}" and r["Accept-Ranges"] == "bytes"
    assert b"".join(r.streaming_content) == wav[10:20]
    tail = owner_client.get(f"/chat/attachments/{a.pk}/", HTTP_RANGE="bytes=-4")
    assert b"".join(tail.streaming_content) == wav[-4:]
    beyond = owner_client.get(f"/chat/attachments/{a.pk}/", HTTP_RANGE=f"bytes={len(wav) + 5}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(wav)}"


def test_another_member_and_the_outsider_get_404(owner_client, member_client, outsider_client, owner, tenant_a,
                                                 in_tenant, media):  # fmt: skip
    png = image_bytes("PNG", (10, 10))
    conversation = _send(owner_client, owner, tenant_a, in_tenant, SimpleUploadedFile("private.png", png))
    with in_tenant(tenant_a):
        a = Attachment.objects.get(message__conversation=conversation)
    for client in (member_client, outsider_client):
        assert client.get(f"/chat/attachments/{a.pk}/").status_code == 404
        assert client.get(f"/chat/attachments/{a.pk}/", HTTP_RANGE="bytes=0-3").status_code == 404
    with in_tenant(tenant_a):
        assert Attachment.objects.filter(pk=a.pk, size=len(png)).exists()  # nothing changed


def test_a_deleted_image_is_gone_from_the_view(owner_client, owner, tenant_a, in_tenant, media):
    from documents import services
    from documents.models import Document

    conversation = _send(owner_client, owner, tenant_a, in_tenant,
                         SimpleUploadedFile("gone.png", image_bytes("PNG", (8, 8))))  # fmt: skip
    with in_tenant(tenant_a):
        a = Attachment.objects.get(message__conversation=conversation)
        services.document_delete(document=Document.objects.get(pk=a.document_id))
    assert owner_client.get(f"/chat/attachments/{a.pk}/").status_code == 404
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="removed"' in page and "<img" not in page


def test_the_library_lists_an_image_without_a_text_viewer_link(owner_client, owner, tenant_a, in_tenant, media):
    _send(owner_client, owner, tenant_a, in_tenant, SimpleUploadedFile("logo.png", image_bytes("PNG", (12, 12))))
    page = owner_client.get("/documents/").content.decode()
    row = re.search(r'<tr id="doc-[^"]+" data-document-id="([^"]+)" data-status="ready".*?</tr>', page, re.S)
    assert row and "logo.png" in row.group(0)
    assert f"/documents/{row.group(1)}/view/" not in row.group(0)
