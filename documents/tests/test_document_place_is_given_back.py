"""A document's place under the plan's limit (billing's counter) is given back when it is deleted,
and never taken by an upload that fails; knowledge-base entries take none."""

import uuid

import pytest

from billing import quotas
from documents import services
from documents.errors import UploadRefused
from documents.models import Document
from documents.tests.helpers import documents_used as _used
from documents.tests.helpers import documents_used_set as _set_used


def test_it_gives_the_place_back_on_delete(tenant_a, owner, in_tenant, media):
    limit = quotas.limits_for(schema=tenant_a.schema_name).document_limit
    _set_used(tenant_a, limit - 1)
    with in_tenant(tenant_a):
        doc = services.document_upload(owner=owner, name="last.txt", data=uuid.uuid4().hex.encode()).document
        assert _used(tenant_a) == limit
        with pytest.raises(UploadRefused) as refused:
            services.document_upload(owner=owner, name="over.txt", data=uuid.uuid4().hex.encode())
        assert refused.value.code == "max_documents" and f"limit of {limit} documents" in str(refused.value)
        services.document_delete(document=doc)
        services.document_delete(document=doc)  # twice: given back once
        assert _used(tenant_a) == limit - 1
        services.document_upload(owner=owner, name="again.txt", data=uuid.uuid4().hex.encode())
        assert _used(tenant_a) == limit


def test_a_failed_upload_takes_no_place(tenant_a, owner, in_tenant, media, monkeypatch):
    _set_used(tenant_a, 5)

    def broken(document):
        raise RuntimeError("queue down")

    monkeypatch.setattr(services, "_enqueue_processing", broken)
    with in_tenant(tenant_a), pytest.raises(RuntimeError):
        services.document_upload(owner=owner, name="fails.txt", data=uuid.uuid4().hex.encode())
    assert _used(tenant_a) == 5
    with in_tenant(tenant_a):
        assert not Document.objects.filter(original_filename="fails.txt").exists()


def test_deleting_a_conversations_documents_gives_their_places_back(tenant_a, owner, in_tenant, media):
    _set_used(tenant_a, 0)
    cid = uuid.uuid4()
    with in_tenant(tenant_a):
        for i in range(2):
            services.document_upload(owner=owner, name=f"conv{i}.txt", data=uuid.uuid4().hex.encode(),
                                     scope="conversation", conversation_id=cid)  # fmt: skip
        assert _used(tenant_a) == 2
        assert services.documents_delete_for_conversations(conversation_ids=[cid]) == 2
    assert _used(tenant_a) == 0
