"""Writes: upload (validate, store, dedupe), the processing job, cancel/retry, deletion, links,
the knowledge base and re-embedding. Embedding calls run outside transactions (DESIGN §5)."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import enqueue
from core.textsearch import config_for, detect_language, prepare

from . import limits, usage, validation
from .errors import Cancelled, DocumentError
from .models import Document, DocumentChunk, DocumentLink, KnowledgeEntry

log = logging.getLogger(__name__)
S = Document.Status
STAGES = Document.Stage


@dataclass(frozen=True)
class UploadResult:
    document: Document
    reused: bool  # the same bytes were already there: nothing new is processed


def _enqueue_processing(document: Document) -> None:
    from .tasks import process_document

    enqueue(process_document, kwargs={"document_id": str(document.pk)})


def _tenant_language() -> str:
    tenant = getattr(connection, "tenant", None)
    return ((getattr(tenant, "settings", None) or {}).get("default_language")) or "en"


# --- upload ------------------------------------------------------------------------------------
def document_upload(*, owner, name: str, data: bytes, scope: str = Document.Scope.LIBRARY,
                    conversation_id=None) -> UploadResult:  # fmt: skip
    """Validate and store one file, or reuse the owner's identical one; queue its processing.

    Raises DocumentError (the file) or UploadRefused (a limit) with a message for the owner;
    nothing is stored then.
    """
    checked = validation.check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    kb = scope == Document.Scope.KNOWLEDGE_BASE
    same = Document.objects.filter(content_hash=digest)
    same = (
        same.filter(scope=Document.Scope.KNOWLEDGE_BASE)
        if kb
        else same.filter(owner=owner).exclude(scope=Document.Scope.KNOWLEDGE_BASE)
    )
    existing = same.first()
    if existing is not None:
        with transaction.atomic():
            if conversation_id:
                document_link(document=existing, conversation_id=conversation_id)
            if existing.status in (S.ERROR, S.CANCELLED):
                document_retry(document=existing)
        return UploadResult(existing, reused=True)
    # an image or a sound is shown or played as it is (its size or length read at validation):
    # ready at once, with nothing to extract, chunk or embed, and no place under the document limit
    is_media = checked.kind in validation.MEDIA_KINDS
    limits.check_upload(owner=owner, adding=0 if is_media else 1)
    doc = Document(
        owner=owner, scope=scope, conversation_id=conversation_id if scope == Document.Scope.CONVERSATION else None,
        original_filename=checked.name, file_size=len(data), mime_type=checked.mime_type, content_hash=digest,
        status=S.READY if is_media else S.PROCESSING, stage=STAGES.DONE if is_media else STAGES.QUEUED,
        progress=100 if is_media else 0,
        processing_metadata={"kind": checked.kind, "attempts": 0, "uploaded_at": timezone.now().isoformat(),
                             **({"media": checked.meta} if is_media else {})},
    )  # fmt: skip
    doc.file.save(checked.name, ContentFile(data), save=False)  # generated name in the tenant's folder
    try:
        with transaction.atomic():
            doc.full_clean(exclude=["file"], validate_constraints=False)  # the database checks dedupe
            if not kb and not is_media:
                limits.reserve(owner=owner)  # billing's counter; undone if anything below fails
            doc.save()
            if conversation_id:
                document_link(document=doc, conversation_id=conversation_id)
            if not is_media:
                _enqueue_processing(doc)
            usage.report_upload(user=owner, document_id=doc.pk, size=len(data))
    except IntegrityError:  # the same bytes arrived twice at once: the other upload won
        doc.file.delete(save=False)
        winner = same.first()
        if winner is None:
            raise
        if conversation_id:
            document_link(document=winner, conversation_id=conversation_id)
        return UploadResult(winner, reused=True)
    except Exception:
        doc.file.delete(save=False)  # nothing half-stored
        raise
    return UploadResult(doc, reused=False)


@transaction.atomic
def document_link(*, document: Document, conversation_id) -> None:
    """Let the conversation draw on the document (the caller checked both are the user's)."""
    DocumentLink.objects.get_or_create(conversation_id=conversation_id, document=document)


def documents_link_for_user(*, user, conversation_id, document_ids) -> int:
    """Attach the user's own library documents among ``document_ids`` to their conversation."""
    from .selectors import documents_by_ids_for_user

    docs = documents_by_ids_for_user(user=user, ids=document_ids)
    for doc in docs:
        document_link(document=doc, conversation_id=conversation_id)
    return len(docs)


# --- processing --------------------------------------------------------------------------------
def _set(doc: Document, **fields) -> None:
    fields.setdefault("heartbeat_at", timezone.now())
    fields["updated_at"] = timezone.now()
    Document.objects.filter(pk=doc.pk).update(**fields)
    for k, v in fields.items():
        setattr(doc, k, v)


def _check_cancel(doc: Document) -> None:
    if Document.objects.filter(pk=doc.pk, cancel_requested=True).exists():
        raise Cancelled


def document_process(*, document_id) -> str:
    """Run (or resume) the job: extract -> chunk -> embed -> ready. Safe to run twice.

    Each stage keeps its output (the text, the chunks, each batch's vectors), so a retry or a
    re-delivery after a killed worker continues where the last run stopped.
    """
    with transaction.atomic():
        doc = Document.objects.select_for_update(skip_locked=True).filter(pk=document_id).first()
        if doc is None or doc.status != S.PROCESSING:
            return doc.status if doc else "missing"
        if doc.cancel_requested:
            _set(doc, status=S.CANCELLED, cancel_requested=False)
            return S.CANCELLED
        meta = {**doc.processing_metadata, "attempts": int(doc.processing_metadata.get("attempts", 0)) + 1}
        _set(doc, processing_metadata=meta)
    timings = dict(doc.processing_metadata.get("timings") or {})
    try:
        if not doc.content:
            t = time.monotonic()
            _set(doc, stage=STAGES.EXTRACTING, progress=5)
            _extract(doc)
            timings["extract_s"] = round(time.monotonic() - t, 3)
        _check_cancel(doc)
        from .embedders import current

        embedder = current()
        if not doc.chunks.exists():
            t = time.monotonic()
            _set(doc, stage=STAGES.CHUNKING, progress=15)
            _chunk(doc, embedder)
            timings["chunk_s"] = round(time.monotonic() - t, 3)
        _check_cancel(doc)
        t = time.monotonic()
        _set(doc, stage=STAGES.EMBEDDING, progress=20)
        _embed(doc, embedder)
        timings["embed_s"] = round(timings.get("embed_s", 0) + time.monotonic() - t, 3)
    except Cancelled:
        _set(doc, status=S.CANCELLED, cancel_requested=False,
             processing_metadata={**doc.processing_metadata, "timings": timings})  # fmt: skip
        return S.CANCELLED
    except DocumentError as exc:
        _set(doc, status=S.ERROR, error_message=exc.message[:500],
             processing_metadata={**doc.processing_metadata, "timings": timings, "error_code": exc.code})  # fmt: skip
        return S.ERROR
    tokens = sum(doc.chunks.values_list("token_count", flat=True))
    _set(doc, status=S.READY, stage=STAGES.DONE, progress=100, error_message="", tokens_used=tokens,
         chunk_count=doc.chunks.count(), embedding_model=embedder.name, embedding_dimension=embedder.dimension,
         processing_metadata={**doc.processing_metadata, "timings": timings})  # fmt: skip
    return S.READY


def _extract(doc: Document) -> None:
    from .parsers import extract

    kind = doc.processing_metadata.get("kind") or validation.kind_of(doc.mime_type)
    try:
        with doc.file.open("rb") as fh:
            data = fh.read()
    except (FileNotFoundError, ValueError):
        raise DocumentError(_("The stored file is missing; upload it again."), code="missing") from None
    result = extract(kind, data, max_pages=limits.max_pages())
    text, offsets = result.text_and_offsets()
    language = detect_language(text, default=_tenant_language())
    meta = {**doc.processing_metadata, **result.meta, "page_offsets": offsets if result.paged else [],
            "paged": result.paged}  # fmt: skip
    _set(doc, content=text, language=language, page_count=len(result.pages) if result.paged else None,
         processing_metadata=meta, progress=10)  # fmt: skip


_FTS_SQL = """
UPDATE documents_documentchunk AS c SET search_vector = to_tsvector(%s::regconfig, v.t)
FROM unnest(%s::bigint[], %s::text[]) AS v(id, t) WHERE c.id = v.id
"""


def _index_words(chunks: list[DocumentChunk], language: str, title: str = "") -> None:
    config = config_for(language)
    ids = [c.pk for c in chunks]
    texts = [prepare(f"{title}\n{c.content}" if title else c.content, language) for c in chunks]
    with connection.cursor() as cursor:
        cursor.execute(_FTS_SQL, [config, ids, texts])


def _chunk(doc: Document, embedder) -> None:
    from .chunking import chunk_text

    meta = doc.processing_metadata
    pieces = chunk_text(doc.content, page_offsets=meta.get("page_offsets"), paged=bool(meta.get("paged")),
                        count_tokens=embedder.count_tokens)  # fmt: skip
    with transaction.atomic():
        DocumentChunk.objects.filter(document=doc).delete()
        chunks = DocumentChunk.objects.bulk_create([
            DocumentChunk(document=doc, chunk_index=p.index, content=p.content, token_count=p.tokens,
                          start_position=p.start, end_position=p.end, page=p.page)
            for p in pieces
        ])  # fmt: skip
        for start in range(0, len(chunks), 2000):
            _index_words(chunks[start : start + 2000], doc.language)
    _set(doc, chunk_count=len(chunks), progress=20)


def _embed(doc: Document, embedder) -> None:
    """Embed the chunks without a vector of the current model, a batch at a time."""
    # a remote API takes large batches (embedder.batch_size); the local model's batch is the
    # setting, which also paces the cancel check and the heartbeat
    batch = int(getattr(embedder, "batch_size", 0) or getattr(settings, "DOCUMENTS_EMBED_BATCH", 16))
    todo = DocumentChunk.objects.filter(document=doc).filter(
        Q(embedding__isnull=True) | ~Q(embedding_model=embedder.name)
    )
    total = doc.chunks.count() or 1
    while True:
        _check_cancel(doc)
        rows = list(todo.order_by("chunk_index").only("id", "content")[:batch])
        if not rows:
            return
        vectors, _tokens = embedder.embed_passages([r.content for r in rows])  # no transaction open
        for r, v in zip(rows, vectors, strict=True):
            r.embedding, r.embedding_model, r.embedding_dimension = v, embedder.name, embedder.dimension
        DocumentChunk.objects.bulk_update(rows, ["embedding", "embedding_model", "embedding_dimension"])
        left = todo.count()
        _set(doc, progress=min(99, 20 + int(80 * (total - left) / total)))


# --- cancel, retry, sweep ------------------------------------------------------------------------
@transaction.atomic
def document_cancel(*, document: Document) -> Document:
    """Stop processing: at once when still queued, otherwise after the batch being embedded."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status != S.PROCESSING:
        return doc
    if doc.stage == STAGES.QUEUED:
        _set(doc, status=S.CANCELLED)
    else:
        _set(doc, cancel_requested=True, heartbeat_at=doc.heartbeat_at)
    return doc


@transaction.atomic
def document_retry(*, document: Document) -> Document:
    """Start a failed or cancelled job again; it resumes from what the last run kept."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status not in (S.ERROR, S.CANCELLED):
        return doc
    if doc.processing_metadata.get("error_code") in ("no_text", "corrupt", "encrypted", "too_many_pages"):
        # the same bytes fail the same way: extract again only if the settings changed (pages limit)
        doc.content = ""
        Document.objects.filter(pk=doc.pk).update(content="")
    _set(doc, status=S.PROCESSING, cancel_requested=False, error_message="",
         stage=STAGES.QUEUED if not doc.content else doc.stage)  # fmt: skip
    _enqueue_processing(doc)
    return doc


def documents_sweep() -> int:
    """Jobs whose worker died (no heartbeat for ``DOCUMENTS_STALL_SECONDS``) are queued again,
    up to ``DOCUMENTS_MAX_ATTEMPTS`` runs; after that they fail with a message. Returns how many."""
    stall = timedelta(seconds=int(getattr(settings, "DOCUMENTS_STALL_SECONDS", 300)))
    attempts = int(getattr(settings, "DOCUMENTS_MAX_ATTEMPTS", 3))
    cutoff = timezone.now() - stall
    found = 0
    with transaction.atomic():
        stalled = (
            Document.objects.select_for_update(skip_locked=True)
            .filter(status=S.PROCESSING)
            .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff))
        )
        for doc in stalled:
            found += 1
            if int(doc.processing_metadata.get("attempts", 0)) >= attempts:
                _set(doc, status=S.ERROR, error_message=_("Processing stopped several times; try again later."))
            else:
                _set(doc, heartbeat_at=timezone.now())
                _enqueue_processing(doc)
    return found


# --- deletion ------------------------------------------------------------------------------------
def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                log.warning("documents: could not delete %s", name)


def document_delete(*, document: Document) -> None:
    """Delete the document, its chunks and links, and its file (after the commit)."""
    names = [name for name in [document.file.name] if name]
    with transaction.atomic():
        KnowledgeEntry.objects.filter(document=document).delete()
        deleted = Document.objects.filter(pk=document.pk).delete()[1].get(Document._meta.label, 0)  # chunks, links
        if limits.counted(document):
            limits.release(deleted)  # its place under the plan's limit (none when it was already gone)
        transaction.on_commit(lambda: _delete_files(names))


def documents_delete_for_conversations(*, conversation_ids) -> int:
    """Conversations are gone: the documents uploaded in them go too (library documents stay)."""
    ids = list(conversation_ids)
    with transaction.atomic():
        docs = list(Document.objects.filter(scope=Document.Scope.CONVERSATION, conversation_id__in=ids)
                    .only("file", "scope", "mime_type"))  # fmt: skip
        names = [d.file.name for d in docs if d.file.name]
        for took_place in (True, False):  # images and audio took no place under the limit
            group = [d.pk for d in docs if limits.counted(d) is took_place]
            deleted = Document.objects.filter(pk__in=group).delete()[1].get(Document._meta.label, 0) if group else 0
            if took_place:
                limits.release(deleted)
        DocumentLink.objects.filter(conversation_id__in=ids).delete()
        transaction.on_commit(lambda: _delete_files(names))
    return len(docs)


def document_unlink(*, user, conversation_id, document_id) -> None:
    """The conversation no longer draws on the document; one uploaded just for it is deleted."""
    doc = Document.objects.filter(pk=document_id, owner=user).exclude(scope=Document.Scope.KNOWLEDGE_BASE).first()
    if doc is None:
        return
    with transaction.atomic():
        DocumentLink.objects.filter(conversation_id=conversation_id, document=doc).delete()
        if (doc.scope == Document.Scope.CONVERSATION and str(doc.conversation_id) == str(conversation_id)
                and not doc.links.exists()):  # fmt: skip
            document_delete(document=doc)


# --- knowledge base ----------------------------------------------------------------------------
def knowledge_entry_save(*, entry: KnowledgeEntry, user=None) -> KnowledgeEntry:
    """Save a typed-in entry; its text becomes (or replaces) its knowledge-base document."""
    with transaction.atomic():
        entry.full_clean()
        if entry.created_by_id is None and user is not None:
            entry.created_by = user
        entry.save()
        text = f"{entry.title}\n\n{entry.content}".strip()
        if not entry.content.strip():
            return entry
        digest = hashlib.sha256(text.encode()).hexdigest()
        old = entry.document
        if old is not None and old.content_hash == digest:
            return entry
        owner = user or entry.created_by
        doc = Document.objects.filter(scope=Document.Scope.KNOWLEDGE_BASE, content_hash=digest).first()
        if doc is None:
            doc = Document.objects.create(
                owner=owner,  # type: ignore[misc]  # an entry without a creator has an admin user passed in
                scope=Document.Scope.KNOWLEDGE_BASE, original_filename=entry.title[:255],
                file_size=len(text.encode()), mime_type="text/plain", content_hash=digest, status=S.PROCESSING,
                stage=STAGES.QUEUED, processing_metadata={"kind": "text", "attempts": 0, "typed": True},
            )  # fmt: skip
            extracted_offsets: list[int] = []
            Document.objects.filter(pk=doc.pk).update(
                content=text, language=detect_language(text, default=_tenant_language()),
                processing_metadata={**doc.processing_metadata, "page_offsets": extracted_offsets},
            )  # fmt: skip
            _enqueue_processing(doc)
        entry.document = doc
        entry.save(update_fields=["document", "updated_at"])
        if old is not None and old.pk != doc.pk:
            document_delete(document=old)
    return entry


def knowledge_entry_from_upload(*, user, name: str, data: bytes, category: str = "") -> KnowledgeEntry:
    result = document_upload(owner=user, name=name, data=data, scope=Document.Scope.KNOWLEDGE_BASE)
    entry = KnowledgeEntry.objects.filter(document=result.document).first()
    if entry is None:
        entry = KnowledgeEntry(title=result.document.original_filename[:300], category=category, created_by=user,
                               document=result.document)  # fmt: skip
        entry.full_clean(exclude=["document"])
        entry.save()
    return entry


@transaction.atomic
def knowledge_entry_for_document(*, document: Document, user, category: str = "", request=None):
    """The knowledge-base entry of an uploaded knowledge-base document (made when it has none),
    and whether it was made. A new entry goes to the audit log (ADR 0011, core.audit's service,
    as AuditedAdmin writes): the bulk upload is a view of its own, past the admin's log hooks."""
    from core.audit.services import audit_record

    entry = KnowledgeEntry.objects.filter(document=document).first()
    if entry is not None:
        return entry, False
    entry = KnowledgeEntry(title=document.original_filename[:300], category=category, created_by=user,
                           document=document)  # fmt: skip
    entry.full_clean(exclude=["document"])
    entry.save()
    audit_record(request=request, actor=user, action="add", obj=entry,
                 changes={"title": entry.title, "category": category, "file": document.original_filename,
                          "via": "bulk upload"})  # fmt: skip
    return entry, True


@transaction.atomic
def knowledge_entries_set_active(*, ids, active: bool) -> int:
    return KnowledgeEntry.objects.filter(pk__in=ids).update(is_active=active, updated_at=timezone.now())


# --- re-embedding ----------------------------------------------------------------------------------
def documents_reembed(*, progress=None) -> tuple[int, int]:
    """Re-embed every chunk whose model is not the current embedder's; resumable (each batch is
    saved). Returns (documents, chunks) re-embedded."""
    from .embedders import current

    embedder = current()
    stale = DocumentChunk.objects.filter(~Q(embedding_model=embedder.name) | Q(embedding__isnull=True))
    doc_ids = list(stale.order_by().values_list("document_id", flat=True).distinct())
    chunks_done = 0
    for n, doc in enumerate(Document.objects.filter(pk__in=doc_ids, status=S.READY), 1):
        before = stale.filter(document=doc).count()
        _embed(doc, embedder)
        _set(doc, embedding_model=embedder.name, embedding_dimension=embedder.dimension, progress=100)
        chunks_done += before
        if progress:
            progress(n, len(doc_ids), doc, before)
    return len(doc_ids), chunks_done


# Migration 0003 lets a chunk row keep its vector in the heap page (toast_tuple_target = 4080), but
# only rows written from then on: rows written before it keep their vector in the TOAST table, and
# the exact search of a narrow scope pays a TOAST lookup per chunk for them (PERFORMANCE.md,
# documents run 4). Rewriting just the vector (a new copy of the same value, via its text form, which
# round-trips float32 exactly) makes PostgreSQL store it inline; in batches, each its own
# transaction, online (row locks only; the old versions go with the next autovacuum). The other way,
# VACUUM FULL documents_documentchunk, rewrites the whole table and its indexes under an exclusive lock.
_TOASTED = "pg_column_toast_chunk_id(embedding) IS NOT NULL"


def chunk_vectors_toasted() -> int:
    """How many chunk rows of this workspace keep their vector out of line (in the TOAST table)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM documents_documentchunk WHERE {_TOASTED}")
        return cursor.fetchone()[0]


def chunk_vectors_move_inline(*, batch: int = 1000, progress=None) -> int:
    """Rewrite the vectors kept out of line so they stay in their row; resumable. Returns rows moved."""
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                # The batch is picked once, in a materialised CTE: as a subquery in FROM it could be
                # rescanned per row of a nested loop, each rescan skipping the rows this statement had
                # just updated and taking the next ones (CI saw a batch of 1 move 8 rows).
                f"""WITH t AS MATERIALIZED (
                    SELECT id FROM documents_documentchunk WHERE {_TOASTED} ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED)
                UPDATE documents_documentchunk c SET embedding = c.embedding::text::vector
                FROM t WHERE c.id = t.id""",
                [int(batch)],
            )
            done = cursor.rowcount
        moved += done
        if progress and done:
            progress(moved)
        if done < batch:
            return moved
