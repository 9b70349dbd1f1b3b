"""A backup holds the workspace as it was at one instant, whatever commits while it runs: the dump,
the row counts and the files come from one exported snapshot (tenants/backups.py, docs/OPERATIONS.md).

Here a document is deleted (row and file) and another one uploaded while pg_dump runs. Before, the
file list was read after the dump: the dump held the deleted document and the backup had no file for
it, and the new document's file was in it without a row. pg_dump and the snapshot are other
sessions, so the documents are committed from another thread (as in the restore test)."""

from __future__ import annotations

import subprocess
import tarfile
import uuid

from django.apps import apps
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from accounts.models import User
from core.threads import in_own_thread
from tenants import backups


def _document(tenant, name: str):
    Document = apps.get_model("documents", "Document")
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email="owner@a.example")
        doc = Document(owner=owner, original_filename=name, mime_type="text/plain", content_hash=uuid.uuid4().hex * 2)
        doc.file.save(name, ContentFile(f"text of {name}".encode()), save=True)
        return doc.pk, doc.file.name


def _delete(tenant, pk) -> None:
    Document = apps.get_model("documents", "Document")
    with schema_context(tenant.schema_name):
        doc = Document.objects.filter(pk=pk).first()
        if doc is not None:
            doc.file.delete(save=False)
            doc.delete()


def test_it_holds_the_rows_and_files_of_the_snapshot_while_documents_change(tenant_a, tmp_path, monkeypatch):
    kept = in_own_thread(lambda: _document(tenant_a, "kept.txt"))
    deleted = in_own_thread(lambda: _document(tenant_a, "deleted-meanwhile.txt"))
    added: list = []
    real_run = backups._run

    def run_with_changes(program, *args, **kwargs):
        if program == "pg_dump" and not added:  # while the backup runs, after its snapshot
            in_own_thread(lambda: _delete(tenant_a, deleted[0]))
            added.append(in_own_thread(lambda: _document(tenant_a, "added-meanwhile.txt")))
        return real_run(program, *args, **kwargs)

    monkeypatch.setattr(backups, "_run", run_with_changes)
    output = tmp_path / "a.tar"
    try:
        manifest = backups.workspace_backup(subdomain=tenant_a.subdomain, output=output)
        assert added, "the workspace did not change during the backup"
        assert kept[1] in manifest["files"] and deleted[1] in manifest["files"]
        assert added[0][1] not in manifest["files"]
        with tarfile.open(output) as tar:
            names = set(tar.getnames())
            assert f"media/{deleted[1]}" in names and f"media/{added[0][1]}" not in names
            tar.extract("schema.dump", tmp_path, filter="data")
        table = apps.get_model("documents", "Document")._meta.db_table
        dump = str(tmp_path / "schema.dump")
        data = subprocess.run(
            [backups.pg_binary("pg_restore"), "--data-only", f"--table={table}", "--file=-", dump],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert str(kept[0]) in data and str(deleted[0]) in data and str(added[0][0]) not in data
        copied = data.split(" FROM stdin;\n", 1)[1].split("\n\\.\n", 1)[0].splitlines()
        assert manifest["row_counts"][table] == len(copied)  # counted in the same snapshot
    finally:
        for pk, _name in [kept, deleted, *added]:
            in_own_thread(lambda pk=pk: _delete(tenant_a, pk))
