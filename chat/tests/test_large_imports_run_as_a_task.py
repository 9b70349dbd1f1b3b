"""A large import runs in a task: the page shows its progress, and the conversations appear all at once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Conversation, ImportJob
from chat.services import conversations_export, transfer
from chat.tasks import import_conversations
from chat.tests.factories import make_conversation


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(transfer, "ASYNC_IMPORT_BYTES", 100)  # every test file counts as large


def _export(owner, in_tenant, tenant, n=3):
    with in_tenant(tenant):
        convs = [make_conversation(owner, title=f"Big {i}", turns=2) for i in range(n)]
        raw = json.dumps(conversations_export(user=owner, conversations=convs), default=str).encode()
        Conversation.objects.filter(pk__in=[c.pk for c in convs]).delete()
    return raw


def _upload(client, raw):
    return client.post("/chat/import/", {"file": SimpleUploadedFile("big.json", raw)})


def test_it_imports_a_large_file_in_a_task_with_progress(
    large, owner_client, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    raw = _export(owner, in_tenant, tenant_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _upload(owner_client, raw)
    assert len(callbacks) == 1  # the task, enqueued after commit; the request imported nothing
    with in_tenant(tenant_a):
        job = ImportJob.objects.get(user=owner)
        assert response.status_code == 302 and response["Location"] == f"/chat/import/{job.pk}/"
        assert not Conversation.objects.filter(user=owner, title__startswith="Big").exists()
    page = owner_client.get(f"/chat/import/{job.pk}/").content.decode()
    assert 'data-import-status="queued"' in page and 'hx-trigger="every 1s"' in page
    with in_tenant(tenant_a):
        ImportJob.objects.filter(pk=job.pk).update(status="running", total=3, done=1)
    box = owner_client.get(f"/chat/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "1 of 3 conversations" in box and 'value="33"' in box
    with in_tenant(tenant_a):
        ImportJob.objects.filter(pk=job.pk).update(status="queued", total=None, done=0)
        assert import_conversations(str(job.pk)) == "done"
        assert Conversation.objects.filter(user=owner, title__startswith="Big", deleted_at__isnull=True).count() == 3
        job.refresh_from_db()
        assert (job.done, job.total, job.file.name) == (3, 3, "")
        assert import_conversations(str(job.pk)) == "done"  # redelivered: nothing twice
        assert Conversation.objects.filter(user=owner, title__startswith="Big").count() == 3
    box = owner_client.get(f"/chat/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Imported 3 conversations." in box and "hx-trigger" not in box


def test_it_imports_nothing_when_the_task_fails_half_way(large, owner_client, tenant_a, owner, in_tenant, monkeypatch):
    raw = _export(owner, in_tenant, tenant_a)
    _upload(owner_client, raw)
    real = transfer._import_one
    calls = []

    def fail_on_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(transfer, "_import_one", fail_on_the_second)
    with in_tenant(tenant_a):
        job = ImportJob.objects.get(user=owner)
        assert import_conversations(str(job.pk)) == "failed"
        assert not Conversation.objects.filter(user=owner, title__startswith="Big").exists()
    page = owner_client.get(f"/chat/import/{job.pk}/").content.decode()
    assert "Nothing was imported." in page and "The import failed." in page


def test_it_refuses_an_invalid_large_file_with_the_reason(large, owner_client, tenant_a, owner, in_tenant):
    _upload(owner_client, json.dumps({"format": "chorus.chat", "version": 1, "conversations": "x" * 200}).encode())
    with in_tenant(tenant_a):
        job = ImportJob.objects.get(user=owner)
        assert import_conversations(str(job.pk)) == "failed"
    page = owner_client.get(f"/chat/import/{job.pk}/").content.decode()
    assert "Nothing was imported." in page and "not a Chorus chat export" in page


def test_it_answers_404_to_others_watching_the_import(
    large, owner_client, member_client, outsider_client, tenant_a, owner, in_tenant
):
    _upload(owner_client, _export(owner, in_tenant, tenant_a, n=1))
    with in_tenant(tenant_a):
        job = ImportJob.objects.get(user=owner)
    assert member_client.get(f"/chat/import/{job.pk}/").status_code == 404
    assert outsider_client.get(f"/chat/import/{job.pk}/").status_code == 404
    with in_tenant(tenant_a):
        assert ImportJob.objects.get(pk=job.pk).status == "queued"
        job.file.delete(save=False)  # the stored upload (the task would have removed it)
