"""Reads: a user's documents (what they may see), one document (404 otherwise), the knowledge base."""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.http import Http404

from .models import Document, DocumentChunk, KnowledgeEntry


def documents_for_user(*, user, search: str = ""):
    """The user's own documents (library and conversations); the knowledge base is listed apart."""
    qs = Document.objects.filter(owner=user).exclude(scope=Document.Scope.KNOWLEDGE_BASE).defer("content")
    if search.strip():
        qs = qs.filter(original_filename__icontains=search.strip())
    return qs.order_by("-created_at", "-pk")


def with_passages(qs):
    """Of ``qs``, the documents that have passages to answer from: images and audio have none."""
    from . import media

    return qs.exclude(mime_type__in=sorted(media.IMAGE_MIMES | media.AUDIO_MIMES))


def knowledge_base_documents():
    return (
        Document.objects.filter(scope=Document.Scope.KNOWLEDGE_BASE, knowledge_entry__is_active=True)
        .defer("content")
        .select_related("knowledge_entry")
        .order_by("knowledge_entry__category", "original_filename")
    )


def document_get_for_user(*, user, document_id, write: bool = False) -> Document:
    """The document if this user may read it (their own, or the active knowledge base); 404 otherwise.

    ``write``: only the owner's own (knowledge-base documents are managed in the admin)."""
    q = Q(owner=user) & ~Q(scope=Document.Scope.KNOWLEDGE_BASE)
    if not write:
        q |= Q(scope=Document.Scope.KNOWLEDGE_BASE, knowledge_entry__is_active=True)
    doc = Document.objects.filter(q, pk=document_id).first()
    if doc is None:
        raise Http404
    return doc


def documents_by_ids_for_user(*, user, ids) -> list[Document]:
    clean = []
    for i in ids:
        try:
            clean.append(str(uuid.UUID(str(i))))
        except ValueError:
            continue
    return list(Document.objects.filter(owner=user, pk__in=clean).exclude(scope=Document.Scope.KNOWLEDGE_BASE))


def chunk_for_document(*, document: Document, chunk_id) -> DocumentChunk | None:
    try:
        return DocumentChunk.objects.filter(document=document, pk=int(chunk_id)).first()
    except (TypeError, ValueError):
        return None


def knowledge_entries(*, category: str = ""):
    qs = KnowledgeEntry.objects.select_related("document")
    return qs.filter(category=category) if category else qs


def documents_linked_for_user(*, user_id, conversation_id, ids) -> list[Document]:
    """Of ``ids``, the user's documents that the conversation draws on."""
    clean = []
    for i in ids:
        try:
            clean.append(uuid.UUID(str(i)))
        except ValueError:
            continue
    return list(
        Document.objects.filter(pk__in=clean, owner_id=user_id, links__conversation_id=conversation_id)
        .exclude(scope=Document.Scope.KNOWLEDGE_BASE)
        .defer("content")
        .distinct()
    )
