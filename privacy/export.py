"""The zip of one user's data, written as it is read (issue 12 §3).

Every table is read through a server-side cursor (``.iterator()``) and every row is written to
the zip entry at once; files are copied in blocks. Memory holds one chunk of rows and one block,
whatever the user's history (``test_it_exports_in_bounded_memory`` measures it)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from django.core.files.storage import default_storage

from billing.models import UsageLog
from chat.models import Attachment, Conversation, Message
from documents.models import Document

CHUNK = 1000
FILE_BLOCK = 256 * 1024
PROFILE_FIELDS = (
    "id", "email", "name", "role", "language", "timezone", "email_notifications", "marketing_emails",
    "is_active", "last_login", "created_at", "updated_at",
)  # fmt: skip
CONVERSATION_FIELDS = (
    "id", "title", "settings", "is_starred", "archived_at", "deleted_at", "created_at", "updated_at",
    "last_message_at", "total_tokens", "message_count", "meta_data",
)  # fmt: skip
MESSAGE_FIELDS = (
    "id", "conversation_id", "parent_id", "role", "content_type", "content", "status", "model_name",
    "prompt_tokens", "completion_tokens", "cost", "processing_time_ms", "meta_data", "context_documents",
    "is_mistake", "mistake_note", "rating", "deleted_at", "created_at",
)  # fmt: skip
DOCUMENT_FIELDS = (
    "id", "scope", "conversation_id", "original_filename", "file_size", "mime_type", "content_hash",
    "language", "status", "page_count", "chunk_count", "tokens_used", "created_at", "content",
)  # fmt: skip
ATTACHMENT_FIELDS = ("id", "message_id", "original_name", "mime_type", "size", "created_at")
USAGE_FIELDS = ("created_at", "action_type", "tokens_used", "cost_estimate", "provider", "strategy", "platform_key")


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, default=_default) + "\n").encode()


def _conversations(user):
    return Conversation.objects.filter(user=user)


def _messages(user):
    return Message.objects.filter(conversation__user=user)


def _attachments(user):
    return Attachment.objects.filter(message__conversation__user=user)


def _documents(user):
    return Document.objects.filter(owner=user)


def _usage(user, tenant_id):
    return UsageLog.objects.filter(tenant_id=tenant_id, user_id=user.pk)


def export_size(user, tenant_id) -> int:
    """How many rows and files the export writes (the denominator of its progress)."""
    return 1 + sum(
        qs.count()
        for qs in (_conversations(user), _messages(user), _attachments(user), _documents(user), _usage(user, tenant_id))
    )


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)[:120] or "file"


def _copy_file(zf: zipfile.ZipFile, storage_name: str, arcname: str) -> bool:
    if not storage_name or not default_storage.exists(storage_name):
        return False
    with default_storage.open(storage_name, "rb") as src, zf.open(arcname, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, FILE_BLOCK)
    return True


def write_export(path, *, user, tenant_id, tick: Callable[[int], None] = lambda n: None) -> None:
    """Write ``user``'s data to a new zip at ``path``; ``tick(n)`` after every ``n`` items written."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        profile = {f: getattr(user, f) for f in PROFILE_FIELDS}
        zf.writestr("profile.json", json.dumps(profile, ensure_ascii=False, indent=2, default=_default))
        tick(1)
        _rows(
            zf,
            "conversations.jsonl",
            _conversations(user).order_by("created_at", "id").values(*CONVERSATION_FIELDS),
            tick,
        )
        _rows(
            zf,
            "messages.jsonl",
            _messages(user).order_by("conversation_id", "created_at", "id").values(*MESSAGE_FIELDS),
            tick,
        )
        _files(
            zf, "attachments.jsonl", "attachments",
            _attachments(user).order_by("created_at", "id").values(*ATTACHMENT_FIELDS, "file"),
            "original_name", tick,
        )  # fmt: skip
        _files(
            zf, "documents.jsonl", "documents",
            _documents(user).order_by("created_at", "id").values(*DOCUMENT_FIELDS, "file"), "original_filename", tick,
        )  # fmt: skip
        with zf.open("usage.csv", "w", force_zip64=True) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as text:
            writer = csv.writer(text)
            writer.writerow(USAGE_FIELDS)
            n = 0
            for row in _usage(user, tenant_id).order_by("created_at").values_list(*USAGE_FIELDS).iterator(CHUNK):
                writer.writerow([_default(v) if isinstance(v, datetime) else v for v in row])
                n += 1
                if n % CHUNK == 0:
                    tick(CHUNK)
            tick(n % CHUNK)


def _rows(zf: zipfile.ZipFile, name: str, rows: Iterable[dict], tick) -> None:
    n = 0
    with zf.open(name, "w", force_zip64=True) as out:
        for row in rows.iterator(CHUNK):  # type: ignore[attr-defined]
            out.write(_line(row))
            n += 1
            if n % CHUNK == 0:
                tick(CHUNK)
    tick(n % CHUNK)


def _files(zf: zipfile.ZipFile, index_name: str, folder: str, rows, name_field: str, tick) -> None:
    """An index (one JSON line per file, naming its path in the zip) and the files themselves."""
    with zf.open(index_name, "w", force_zip64=True) as index:
        for row in rows.iterator(100):
            storage_name = row.pop("file")
            arcname = f"{folder}/{row['id']}_{_safe_name(row[name_field])}"
            # One zip entry can be open at a time: the files follow once the index is closed.
            row["path_in_zip"] = arcname if storage_name else None
            index.write(_line(row))
            tick(0)
    for row in rows.values_list("id", "file", name_field).iterator(100):
        pk, storage_name, original = row
        _copy_file(zf, storage_name, f"{folder}/{pk}_{_safe_name(original)}")
        tick(1)
