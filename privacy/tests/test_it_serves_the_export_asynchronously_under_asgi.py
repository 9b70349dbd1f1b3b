"""Under ASGI (uvicorn) the export's zip is sent through an asynchronous iterator: Django warned
"StreamingHttpResponse must consume synchronous iterators..." and read the whole zip into memory in
a thread before sending it. The bytes are the zip's; nobody else opens the link.

The response is read as Django's ASGI handler reads it (``async for part in response``)."""

import io
import re
import warnings
import zipfile

from asgiref.sync import async_to_sync
from django.urls import reverse

from chat.tests.helpers import async_client_for
from privacy.models import DataExport
from privacy.tests.conftest import make_history


def test_it_sends_the_zip_without_the_warning(
    celery_eager, django_capture_on_commit_callbacks, in_tenant, tenant_a, member, owner_client, outsider_client,
    member_client,
):  # fmt: skip
    with in_tenant(tenant_a):
        make_history(member, tenant_a, marker="MEMBER")
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("privacy_export_start"))
    with in_tenant(tenant_a):
        export = DataExport.objects.get(user=member)
    page = member_client.get(reverse("privacy_export_status", args=[export.pk])).content.decode()
    link = re.search(r'href="(/privacy/export/download/[^"]+)"', page).group(1)
    client = async_client_for(tenant_a, member)

    async def download():
        response = await client.get(link)
        return response, b"".join([part async for part in response])

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        response, data = async_to_sync(download)()
    assert [str(w.message) for w in seen if "StreamingHttpResponse" in str(w.message)] == []
    assert response.status_code == 200 and response.is_async
    assert response["Content-Disposition"].startswith("attachment") and response["Content-Length"] == str(len(data))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b"MEMBER message 0" in zf.read("messages.jsonl")
    assert owner_client.get(link).status_code == 404
    assert outsider_client.get(link).status_code == 404
