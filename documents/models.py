"""Documents, their chunks (pgvector + tsvector) and the knowledge base (DESIGN §4).

Seeds: 000 ``documents`` (original filename, size, mime type, status, processing metadata),
002 ``knowledge_base`` (title, content, category, metadata, is_active), 004 ``Document`` and
``DocumentChunk`` (content hash, embedding model, tokens used, start/end positions).

No foreign key points into ``chat`` (documents never depends on chat, DESIGN §3): a document
names the conversation it was uploaded in by its id, and ``DocumentLink`` records which
conversations may draw on which documents.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pgvector.django import VectorField


def document_upload_to(instance: Document, filename: str) -> str:
    """<tenant schema>/documents/<uuid><ext>: a generated name inside the tenant's own folder."""
    ext = PurePosixPath(filename).suffix.lower()[:10]
    return f"{connection.schema_name}/documents/{uuid.uuid4().hex}{ext}"


class Document(models.Model):
    class Scope(models.TextChoices):
        CONVERSATION = "conversation", _("conversation")
        LIBRARY = "library", _("library")
        KNOWLEDGE_BASE = "knowledge_base", _("knowledge base")

    class Status(models.TextChoices):
        UPLOADING = "uploading", _("uploading")
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        ERROR = "error", _("error")
        CANCELLED = "cancelled", _("cancelled")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("queued")
        EXTRACTING = "extracting", _("extracting text")
        CHUNKING = "chunking", _("chunking")
        EMBEDDING = "embedding", _("embedding")
        DONE = "done", _("done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents", verbose_name=_("owner")
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.LIBRARY)
    conversation_id = models.UUIDField(_("uploaded in conversation"), null=True, blank=True, db_index=True)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("size"), default=0)
    mime_type = models.CharField(_("type"), max_length=100)
    content_hash = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    content = models.TextField(blank=True, default="", help_text=_("The extracted text."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADING)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    processing_metadata = models.JSONField(default=dict, blank=True)  # pages, page offsets, timings, attempts
    error_message = models.CharField(_("error"), max_length=500, blank=True, default="")
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    embedding_model = models.CharField(_("embedding model"), max_length=100, blank=True, default="")
    embedding_dimension = models.PositiveIntegerField(null=True, blank=True)
    tokens_used = models.PositiveIntegerField(_("tokens used"), default=0)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        constraints = [
            # The same bytes uploaded again by the same owner are the same document (reused).
            models.UniqueConstraint(
                fields=["owner", "content_hash"], name="documents_doc_owner_hash", condition=~Q(scope="knowledge_base")
            ),
            # The knowledge base is the workspace's: the same bytes once in it.
            models.UniqueConstraint(
                fields=["content_hash"], name="documents_doc_kb_hash", condition=Q(scope="knowledge_base")
            ),  # fmt: skip
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="documents_doc_owner_list"),
            models.Index(
                fields=["status", "heartbeat_at"], name="documents_doc_processing", condition=Q(status="processing")
            ),  # fmt: skip
            models.Index(fields=["scope"], name="documents_doc_kb", condition=Q(scope="knowledge_base")),
        ]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.UPLOADING, self.Status.PROCESSING)

    @property
    def has_pages(self) -> bool:
        return bool(self.page_count)

    @property
    def is_media(self) -> bool:
        """An image or a sound (issue 9 §1): shown in its conversation, with no text to view."""
        return self.mime_type.startswith(("image/", "audio/"))


class DocumentChunk(models.Model):
    """A passage of a document: its text, where it sits in the extracted text, its vector and words.

    ``embedding`` has no fixed dimension: each model's vectors are indexed by a partial HNSW
    index on ``embedding::halfvec(<dim>)`` (migration 0004; 0002's were on ``vector(<dim>)``), and
    queries always filter on ``embedding_model`` so two models' vectors are never compared.
    """

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    chunk_index = models.PositiveIntegerField()
    content = models.TextField()
    token_count = models.PositiveIntegerField(default=0)
    start_position = models.PositiveIntegerField()
    end_position = models.PositiveIntegerField()
    page = models.PositiveIntegerField(null=True, blank=True)
    embedding = VectorField(null=True, blank=True)
    embedding_model = models.CharField(max_length=100, blank=True, default="")
    embedding_dimension = models.PositiveIntegerField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "chunk_index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "chunk_index"], name="documents_chunk_doc_index"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="documents_chunk_fts"),
            models.Index(fields=["embedding_model"], name="documents_chunk_model"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.chunk_index}"


class DocumentLink(models.Model):
    """A conversation may draw on this document (uploaded in it, or attached from the library)."""

    id = models.BigAutoField(primary_key=True)
    conversation_id = models.UUIDField(db_index=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation_id", "document"], name="documents_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} -> {self.document_id}"


class KnowledgeEntry(models.Model):
    """A knowledge-base entry (seed 002): typed in or made from an upload; its text is a document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"), blank=True, default="")
    category = models.CharField(_("category"), max_length=100, blank=True, default="", db_index=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="knowledge_entry", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge-base entry")
        verbose_name_plural = pgettext_lazy("entries", "knowledge base")  # sl: a plural (the admin counts them)
        ordering = ["category", "title"]

    def __str__(self) -> str:
        return self.title
