"""An accepted upload is written once to billing's usage ledger as `document_upload`."""

from billing.models import UsageLog


def test_it_records_one_document_upload_in_the_ledger(member, in_tenant, tenant_a, django_capture_on_commit_callbacks):
    from documents import services

    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        result = services.document_upload(owner=member, name="notes.txt", data=b"Plain notes about relays.")
    rows = UsageLog.objects.filter(tenant=tenant_a, action_type="document_upload", user_id=member.pk)
    assert rows.count() == 1
    assert rows.get().action_metadata["document_id"] == str(result.document.pk)
