"""backup_workspace then restore_workspace --subdomain NEW (issue 12 §5): every row of every table
and every file comes back under the new workspace; the original and tenant B are not touched.

pg_dump and pg_restore are other sessions: they see only committed rows, so the workspaces of this
file are built (and removed) in another thread, whose connection is outside the test's transaction."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from core.threads import in_own_thread
from tenants.backups import _new_path, row_counts
from tenants.models import Tenant
from tenants.services import tenant_create, tenant_provision

SOURCE, COPY = "bk-source", "bk-copy"


def _fill(tenant: Tenant) -> list[str]:
    """Conversations, messages, attachments, a document with chunks (vectors); the shared-folder files."""
    Conversation = apps.get_model("chat", "Conversation")
    Message = apps.get_model("chat", "Message")
    Attachment = apps.get_model("chat", "Attachment")
    Document = apps.get_model("documents", "Document")
    DocumentChunk = apps.get_model("documents", "DocumentChunk")
    shared = []
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=f"owner@{SOURCE}.example")
        for c in range(2):
            conversation = Conversation.objects.create(user=owner, title=f"Chat {c}")
            parent = None
            for m in range(3):
                parent = Message.objects.create(
                    conversation=conversation, parent=parent, user=owner, role="user", content=f"Q {c}.{m} čšž"
                )
            attachment = Attachment(message=parent, original_name="a.txt", mime_type="text/plain", size=5)
            attachment.file.save("a.txt", ContentFile(b"hello"), save=True)
            shared.append(attachment.file.name)
        document = Document(owner=owner, original_filename="law.txt", mime_type="text/plain", content_hash="0" * 64)
        document.file.save("law.txt", ContentFile(b"Zakon o delovnih razmerjih"), save=True)
        for i in range(3):
            DocumentChunk.objects.create(
                document=document,
                chunk_index=i,
                content=f"chunk {i}",
                start_position=i * 10,
                end_position=i * 10 + 9,
                embedding=[0.25 * i, 0.5, -1.0],
                embedding_model="test-model",
                embedding_dimension=3,
            )
    return shared


def _rows(schema: str, moves: dict[str, str] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order, file columns mapped through ``moves``."""
    result = {}
    with connection.cursor() as cursor:
        for table in row_counts(schema):
            cursor.execute(f'SELECT * FROM "{schema}"."{table}"')
            rows = [tuple(str(v) for v in row) for row in cursor.fetchall()]
            if moves:
                rows = [tuple(moves.get(v, v) for v in row) for row in rows]
            result[table] = sorted(rows)
    return result


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remove(subdomain: str) -> None:
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(subdomain=subdomain):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / tenant.schema_name, ignore_errors=True)
        tenant.delete(force_drop=True)


@pytest.fixture
def _leftovers(django_db_blocker):
    """Set up before the ``db`` fixture, so torn down after its rollback: the test's transaction
    holds locks on the tables it read, which DROP SCHEMA would wait for."""
    shared: list[str] = []
    yield shared

    def remove():
        _remove(SOURCE)
        _remove(COPY)
        for name in shared:
            (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)

    with django_db_blocker.unblock():
        in_own_thread(remove)


@pytest.fixture
def restored(_leftovers, tenant_b, tmp_path):
    backup = tmp_path / "ws.tar"

    def build():
        _remove(SOURCE)
        _remove(COPY)
        source = tenant_create(
            name="Backed up",
            subdomain=SOURCE,
            owner_email=f"owner@{SOURCE}.example",
            owner_password="purple-otter-rides-42",
            provision=False,
        )
        source = tenant_provision(tenant_id=source.pk)
        _leftovers.extend(_fill(source))
        connection.set_schema_to_public()
        before = {"source": _rows(source.schema_name), "b": _rows(tenant_b.schema_name)}
        call_command("backup_workspace", SOURCE, output=str(backup))
        call_command("restore_workspace", str(backup), subdomain=COPY)
        return source, before

    source, before = in_own_thread(build)
    copy = Tenant.objects.get(subdomain=COPY)
    return {"b": tenant_b, "source": source, "copy": copy, "before": before, "file": backup}


def test_it_restores_every_row_and_file_under_the_new_subdomain(restored):
    source, copy = restored["source"], restored["copy"]
    with tarfile.open(restored["file"]) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    moves = {name: _new_path(name, source.schema_name, copy.schema_name) for name in manifest["files"]}
    assert {Path(name).parts[0] for name in moves} == {"chat", source.schema_name}
    assert len([name for name in moves if name.startswith("chat/attachments/")]) == 2
    assert copy.state == Tenant.State.READY and copy.schema_name != source.schema_name
    assert copy.domains.get().domain == f"{COPY}.{settings.BASE_DOMAIN}"
    original = _rows(source.schema_name, moves)
    assert _rows(copy.schema_name) == original
    assert sum(len(rows) for rows in original.values()) == sum(manifest["row_counts"].values())
    assert len(original["documents_documentchunk"]) == 3 and len(original["chat_message"]) == 6
    root = Path(settings.MEDIA_ROOT)
    for old, new in moves.items():
        assert _digest(root / new) == _digest(root / old) == manifest["files"][old]
        assert Path(new).parts[0] == copy.schema_name  # under the new workspace's folder


def test_it_leaves_the_original_and_tenant_b_untouched(restored):
    tenant_b = restored["b"]
    assert _rows(restored["source"].schema_name) == restored["before"]["source"]
    assert _rows(tenant_b.schema_name) == restored["before"]["b"]
    assert Tenant.objects.get(pk=restored["source"].pk).subdomain == SOURCE
