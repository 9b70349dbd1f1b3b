"""Importing the same export twice does not duplicate its conversations: the second import
recognises them (their origin id from the export is kept on the conversation) and says so, for
small imports and for the large ones a task runs (issue 11 §10)."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Conversation, ImportJob
from chat.services import conversations_export, conversations_import
from chat.services.transfer import import_job_run
from chat.tests.factories import make_conversation


def test_it_skips_conversations_imported_before_and_says_so(owner_client, owner, member, member_client, tenant_a,
                                                            in_tenant):  # fmt: skip
    with in_tenant(tenant_a):
        raw = json.dumps(conversations_export(user=owner, conversations=[make_conversation(owner, title="Plans")]))
    upload = lambda: {"file": SimpleUploadedFile("chats.json", raw.encode())}  # noqa: E731
    first = member_client.post("/chat/import/", upload(), follow=True).content.decode()
    assert "Imported 1 conversation." in first
    second = member_client.post("/chat/import/", upload(), follow=True).content.decode()
    assert "1 conversation was already imported, so it was not imported again." in second
    assert "Imported 0" not in second
    with in_tenant(tenant_a):
        assert Conversation.objects.filter(user=member, title="Plans").count() == 1


def test_it_recognises_a_re_export_of_an_imported_conversation(owner, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        original = make_conversation(owner, title="Chain")
        (copy,) = conversations_import(user=member, raw=json.dumps(conversations_export(user=owner)))
        assert copy.import_key == str(original.pk)
        again = conversations_import(user=member, raw=json.dumps(conversations_export(user=member)))
        assert list(again) == [] and again.skipped == 1
        assert Conversation.objects.filter(user=member).count() == 1


def test_it_recognises_a_hand_made_file_without_ids(member, tenant_a, in_tenant):
    raw = json.dumps({"format": "chorus.chat", "version": 1, "conversations": [
        {"title": "Hand made", "messages": [{"id": "1", "role": "user", "content": "Hi"}]}]})  # fmt: skip
    with in_tenant(tenant_a):
        assert len(conversations_import(user=member, raw=raw)) == 1
        assert conversations_import(user=member, raw=raw).skipped == 1


def test_it_skips_them_in_a_large_import_too(member, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        raw = json.dumps(conversations_export(user=owner, conversations=[make_conversation(owner, title="Big")]))
        conversations_import(user=member, raw=raw)
        job = ImportJob(user=member, size=len(raw), name="big.json")
        job.file.save("big.json", SimpleUploadedFile("big.json", raw.encode()), save=False)
        job.save()
        assert import_job_run(job_id=job.pk) == "done"
        job.refresh_from_db()
        assert job.skipped == 1 and job.done == 0
        assert Conversation.objects.filter(user=member, title="Big").count() == 1


def test_it_does_not_count_another_users_imports(owner, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        raw = json.dumps(conversations_export(user=owner, conversations=[make_conversation(owner, title="Mine")]))
        conversations_import(user=member, raw=raw)
        assert len(conversations_import(user=owner, raw=raw)) == 1  # the owner never imported it
