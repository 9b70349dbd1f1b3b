"""Knowledge-base entries made by the bulk upload (a view of its own, past the admin's log hooks)
go to the tenant's audit log through core.audit's service (ADR 0011): the entry shows on the
tenant's audit page, and tenant B's admin never sees it."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit.models import AuditEntry
from documents.models import KnowledgeEntry

AUDIT = "/admin/audit/auditentry/"
BULK = "/admin/documents/knowledgeentry/bulk-upload/"


def test_it_audits_each_entry_the_bulk_upload_makes(owner_client, owner, tenant_a, tenant_b, in_tenant, outsider,
                                                    tenant_client, media):  # fmt: skip
    name = f"handbook-{uuid.uuid4().hex[:8]}.txt"
    files = [SimpleUploadedFile(name, f"Holidays: 25 days. {uuid.uuid4()}".encode())]
    response = owner_client.post(BULK, {"files": files, "category": "hr"}, REMOTE_ADDR="127.0.0.9")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        entry = KnowledgeEntry.objects.get(title=name)
        audit = AuditEntry.objects.get(action="add", object_type="documents.KnowledgeEntry")
    assert audit.object_id == str(entry.pk) and audit.actor_id == owner.pk and audit.ip == "127.0.0.9"
    assert audit.changes == {"title": name, "category": "hr", "file": name, "via": "bulk upload"}
    assert name in owner_client.get(AUDIT).content.decode()

    # the same bytes again: the entry exists, nothing new is made or audited
    again = [SimpleUploadedFile(name, files[0].file.getvalue())]
    owner_client.post(BULK, {"files": again, "category": "hr"})
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(object_type="documents.KnowledgeEntry").count() == 1

    with in_tenant(tenant_b):
        outsider.role = "admin"
        outsider.save()
        assert not AuditEntry.objects.filter(object_type="documents.KnowledgeEntry").exists()
    b_admin = tenant_client(tenant_b, outsider)
    page = b_admin.get(AUDIT)
    assert page.status_code == 200 and name not in page.content.decode()
    assert name not in b_admin.get(f"{AUDIT}{audit.pk}/change/").content.decode()
