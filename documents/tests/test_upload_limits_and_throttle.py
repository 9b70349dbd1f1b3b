"""Limits from the workspace's features, enforced in one place with a clear message; uploads are
throttled per user and per IP (429 with the retry time)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.errors import UploadRefused
from documents.models import Document


def _features(tenant, **features):
    from tenants.models import Tenant

    Tenant.objects.filter(pk=tenant.pk).update(features={**(tenant.features or {}), **features})
    tenant.refresh_from_db()


def test_uploads_switched_off_are_refused(tenant_a, owner, in_tenant, media):
    _features(tenant_a, document_upload=False)
    from django.utils import translation

    with in_tenant(tenant_a) as t, translation.override("en"), pytest.raises(UploadRefused, match="switched off"):
        from django.db import connection

        connection.set_tenant(t)
        services.document_upload(owner=owner, name="a.txt", data=b"hello")


def test_the_document_limit_is_enforced_with_its_number(tenant_a, owner, member_client, in_tenant, media):
    _features(tenant_a, max_documents=1)
    first = member_client.post("/documents/upload/", {"files": [SimpleUploadedFile("a.txt", b"one")]})
    second = member_client.post("/documents/upload/", {"files": [SimpleUploadedFile("b.txt", b"two")]})
    assert first.status_code == second.status_code == 200
    assert "limit of 1 documents" in second.content.decode()
    with in_tenant(tenant_a):
        assert Document.objects.count() == 1


def test_uploads_are_throttled_with_the_retry_time(member_client, settings, media, in_tenant, tenant_a):
    settings.DOCUMENTS_UPLOAD_RATE = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 0
    import uuid

    ip = f"127.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"  # a fresh key for this test
    codes = [
        member_client.post("/documents/upload/", {"files": [SimpleUploadedFile(f"{i}.txt", b"x%d" % i)]},
                           REMOTE_ADDR=ip).status_code
        for i in range(3)
    ]  # fmt: skip
    assert codes[:2] == [200, 200] and codes[2] == 429
    last = member_client.post("/documents/upload/", {"files": [SimpleUploadedFile("z.txt", b"z")]}, REMOTE_ADDR=ip)
    assert int(last["Retry-After"]) > 0 and "Try again in" in last.content.decode()
    with in_tenant(tenant_a):
        assert Document.objects.count() == 2
