"""Images and audio sent in a conversation are not documents for the plan's limit: a "document" is a
file processed into passages (seed 000 ``documents``, "RAG document storage"), a photo or a voice note
is a message attachment (seed 001). They take no place under billing's counter nor under the
workspace's ``max_documents``, and give none back when deleted; uploads switched off still refuse them."""

import uuid

import pytest

from billing import quotas
from documents import limits, services
from documents.errors import UploadRefused
from documents.models import Document
from documents.tests.helpers import documents_used as _used
from documents.tests.helpers import documents_used_set as _set_used
from documents.tests.helpers import image_bytes, wav_bytes


def _features(tenant, **features):
    from tenants.models import Tenant

    Tenant.objects.filter(pk=tenant.pk).update(features={**(tenant.features or {}), **features})
    tenant.refresh_from_db()


def test_it_takes_no_place_under_the_plans_limit_and_gives_none_back(tenant_a, owner, in_tenant, media):
    limit = quotas.limits_for(schema=tenant_a.schema_name).document_limit
    _set_used(tenant_a, limit)  # the workspace is at its limit
    cid = uuid.uuid4()
    with in_tenant(tenant_a):
        photo = services.document_upload(owner=owner, name="photo.png", data=image_bytes(), scope="conversation",
                                         conversation_id=cid).document  # fmt: skip
        sound = services.document_upload(owner=owner, name="note.wav", data=wav_bytes(), scope="conversation",
                                         conversation_id=cid).document  # fmt: skip
        assert (photo.status, sound.status) == ("ready", "ready")
        assert _used(tenant_a) == limit
        with pytest.raises(UploadRefused) as refused:  # a text document still needs a place
            services.document_upload(owner=owner, name="over.txt", data=uuid.uuid4().hex.encode())
        assert refused.value.code == "max_documents"
        services.document_delete(document=photo)
        assert _used(tenant_a) == limit  # gave none back
        assert services.documents_delete_for_conversations(conversation_ids=[cid]) == 1
        assert _used(tenant_a) == limit
        assert not Document.objects.filter(pk__in=[photo.pk, sound.pk]).exists()


def test_a_conversations_documents_give_back_only_their_own_places(tenant_a, owner, in_tenant, media):
    _set_used(tenant_a, 0)
    cid = uuid.uuid4()
    with in_tenant(tenant_a):
        for name, data in (("a.txt", uuid.uuid4().hex.encode()), ("p.png", image_bytes()), ("n.wav", wav_bytes())):
            services.document_upload(owner=owner, name=name, data=data, scope="conversation", conversation_id=cid)
        assert _used(tenant_a) == 1
        assert services.documents_delete_for_conversations(conversation_ids=[cid]) == 3
    assert _used(tenant_a) == 0


def test_the_workspaces_max_documents_does_not_count_them(tenant_a, owner, in_tenant, media):
    _features(tenant_a, max_documents=1)
    with in_tenant(tenant_a) as t:
        from django.db import connection

        connection.set_tenant(t)
        services.document_upload(owner=owner, name="photo.png", data=image_bytes(), scope="conversation",
                                 conversation_id=uuid.uuid4())  # fmt: skip
        services.document_upload(owner=owner, name="note.wav", data=wav_bytes())
        services.document_upload(owner=owner, name="a.txt", data=b"the one document")  # the one place
        with pytest.raises(UploadRefused, match="limit of 1 documents"):
            services.document_upload(owner=owner, name="b.txt", data=b"a second document")
        services.document_upload(owner=owner, name="more.png", data=image_bytes(color=(1, 2, 3)))  # still fine
        assert limits.recount()[1] == 1  # the counter recounted: the one text document


def test_uploads_switched_off_still_refuse_an_image(tenant_a, owner, in_tenant, media):
    _features(tenant_a, document_upload=False)
    with in_tenant(tenant_a) as t, pytest.raises(UploadRefused, match="switched off"):
        from django.db import connection

        connection.set_tenant(t)
        services.document_upload(owner=owner, name="photo.png", data=image_bytes())
