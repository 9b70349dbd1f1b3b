"""Under ASGI (uvicorn) an attachment's file is sent through an asynchronous iterator: Django warned
"StreamingHttpResponse must consume synchronous iterators..." for every image and audio request and
read the whole file into memory in a thread first. Whole files and byte ranges keep their bytes
and headers; the outsider gets 404.

The response is read as Django's ASGI handler reads it (``async for part in response``), which is
where the warning was raised."""

import warnings

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment
from chat.services import conversation_create
from chat.tests.helpers import async_client_for
from documents.tests.helpers import wav_bytes


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _get(tenant, user, path, headers=None):
    client = async_client_for(tenant, user)

    async def run():
        response = await client.get(path, headers=headers or {})
        body = b"".join([part async for part in response]) if response.streaming else response.content
        return response, body

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        response, body = async_to_sync(run)()
    return response, body, [str(w.message) for w in seen if "StreamingHttpResponse" in str(w.message)]


def _attachment(owner_client, owner, tenant_a, in_tenant, data: bytes) -> Attachment:
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    sent = owner_client.post(
        f"/chat/{conversation.pk}/files/",
        {"files": [SimpleUploadedFile("memo.wav", data)]},
        HTTP_ACCEPT="application/json",
    ).json()
    owner_client.post(
        f"/chat/{conversation.pk}/messages/", {"content": "Listen", "documents": [r["id"] for r in sent["results"]]}
    )
    with in_tenant(tenant_a):
        return Attachment.objects.get(message__conversation=conversation)


def test_it_streams_the_whole_file_and_ranges_without_the_warning(owner_client, owner, tenant_a, in_tenant, media):
    wav = wav_bytes(75.0, rate=8000)  # ~1.2 MB: many 64 kB blocks
    a = _attachment(owner_client, owner, tenant_a, in_tenant, wav)
    path = f"/chat/attachments/{a.pk}/"

    response, body, warned = _get(tenant_a, owner, path)
    assert response.status_code == 200 and response.is_async
    assert body == wav and response["Content-Length"] == str(len(wav))
    assert response["Content-Type"] == "audio/wav" and response["Content-Disposition"].startswith("inline")
    assert warned == []

    response, body, warned = _get(tenant_a, owner, path, {"Range": "bytes=70000-200009"})
    assert response.status_code == 206 and response.is_async
    assert response["Content-Range"] == f"bytes 70000-200009/{len(wav)}"
    assert body == wav[70000:200010] and response["Content-Length"] == "130010"
    assert warned == []

    response, body, warned = _get(tenant_a, owner, path, {"Range": "bytes=-4"})
    assert response.status_code == 206 and body == wav[-4:] and warned == []


def test_the_outsider_gets_404(owner_client, outsider_client, owner, tenant_a, in_tenant, media):
    # the sync client: Django renders a 404 under ASGI in a thread of its own, whose database
    # connection would outlive the test
    a = _attachment(owner_client, owner, tenant_a, in_tenant, wav_bytes(2.0, rate=800))
    response = outsider_client.get(f"/chat/attachments/{a.pk}/")
    assert response.status_code == 404 and b"RIFF" not in response.content
