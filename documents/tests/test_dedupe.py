from documents import services
from documents.models import Document, DocumentLink
from documents.tests.helpers import PLANTED_EN


def test_it_reuses_the_same_bytes_uploaded_again_by_the_same_owner(tenant_a, owner, upload, in_tenant):
    first = upload(tenant_a, owner, "a.txt", PLANTED_EN.encode())
    with in_tenant(tenant_a):
        again = services.document_upload(owner=owner, name="copy.txt", data=PLANTED_EN.encode())
        assert again.reused and again.document.pk == first.pk
        assert Document.objects.filter(owner=owner).count() == 1


def test_another_member_gets_a_document_of_their_own(tenant_a, owner, member, upload, in_tenant):
    first = upload(tenant_a, owner, "a.txt", PLANTED_EN.encode())
    theirs = upload(tenant_a, member, "a.txt", PLANTED_EN.encode())
    assert theirs.pk != first.pk and theirs.owner_id == member.pk


def test_a_reused_document_is_linked_to_the_new_conversation(tenant_a, owner, upload, in_tenant):
    import uuid

    first = upload(tenant_a, owner, "a.txt", PLANTED_EN.encode())
    conversation_id = uuid.uuid4()
    with in_tenant(tenant_a):
        services.document_upload(owner=owner, name="a.txt", data=PLANTED_EN.encode(), conversation_id=conversation_id)
        assert DocumentLink.objects.filter(conversation_id=conversation_id, document=first).exists()


def test_two_uploads_of_the_same_bytes_at_once_end_as_one_document(tenant_a, owner, in_tenant, media, monkeypatch):
    import hashlib

    from documents import limits

    data = PLANTED_EN.encode()

    def the_other_upload_wins(*, owner, adding=1):  # runs between the dedupe check and the insert
        Document.objects.create(owner=owner, original_filename="first.txt", mime_type="text/plain",
                                content_hash=hashlib.sha256(data).hexdigest(), status="processing")  # fmt: skip

    monkeypatch.setattr(limits, "check_upload", the_other_upload_wins)
    with in_tenant(tenant_a):
        result = services.document_upload(owner=owner, name="second.txt", data=data)
        assert result.reused and result.document.original_filename == "first.txt"
        assert Document.objects.filter(owner=owner).count() == 1
    assert [p for p in media.rglob("*") if p.is_file()] == []  # the loser's file is gone
