"""Whether an upload is allowed: the workspace's features (``document_upload``, ``max_documents``;
tenants.schemas.Features) here; the plan's ``document_limit`` is billing's, held by its counter
(:func:`reserve` / :func:`release` call ``billing.services.document_reserve`` /
``document_release``, in the transaction that stores or deletes the document, so concurrent
uploads at the limit store exactly the limit). Knowledge-base entries are not counted, nor are
images and audio: a "document" (seed 000 ``documents``, "RAG document storage"; the usage action
``document_upload``, "Document uploaded to RAG") is a file processed into passages, and a photo or
a voice note sent in a conversation is a message attachment (seed 001), shown or played as it is.
File size and pages: settings (validation, parsers)."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from .errors import UploadRefused


def _features() -> dict:
    from tenants.schemas import normalised

    tenant = getattr(connection, "tenant", None)
    return normalised("features", getattr(tenant, "features", None) or {})


def _limit_reached(limit: int) -> UploadRefused:
    return UploadRefused(
        _("This workspace has reached its limit of %(limit)d documents. Delete some, or ask an admin "
          "to upgrade the plan.") % {"limit": limit},
        code="max_documents",
    )  # fmt: skip


def counted(document) -> bool:
    """Whether ``document`` takes a place under the limits (not the knowledge base, not a medium)."""
    from . import media
    from .models import Document

    return document.scope != Document.Scope.KNOWLEDGE_BASE and not media.is_media_mime(document.mime_type)


def counted_documents():
    """The documents the limits count (see :func:`counted`)."""
    from . import media
    from .models import Document

    return Document.objects.exclude(scope=Document.Scope.KNOWLEDGE_BASE).exclude(
        mime_type__in=sorted(media.IMAGE_MIMES | media.AUDIO_MIMES)
    )


def check_upload(*, owner, adding: int = 1) -> None:
    """Raises UploadRefused with the reason when ``adding`` more documents are not allowed
    (``adding=0``: an image or a sound, which only needs uploads to be switched on)."""
    features = _features()
    if not features.get("document_upload", True):
        raise UploadRefused(_("Document uploads are switched off in this workspace."), code="disabled")
    limit = features.get("max_documents")
    if limit is not None and adding and counted_documents().count() + adding > limit:
        raise _limit_reached(limit)


def reserve(*, owner) -> None:
    """A place under the plan's document limit (billing's counter), inside the caller's transaction:
    rolled back with it when the upload fails. Raises UploadRefused at the limit."""
    from billing.services import QuotaExceeded, document_reserve

    try:
        document_reserve(user_id=owner.pk, schema=connection.schema_name)
    except QuotaExceeded as exc:
        raise _limit_reached(int(exc.limit_value or 0)) from None


def release(count: int = 1) -> None:
    """``count`` counted documents were deleted (inside the deleting transaction)."""
    from billing.services import document_release

    for _i in range(count):
        document_release(schema=connection.schema_name)


def max_pages() -> int:
    from django.conf import settings

    return int(getattr(settings, "DOCUMENTS_MAX_PAGES", 1000))


def recount() -> tuple[int, int]:
    """Billing's document counter set to the documents that exist in this workspace (those
    :func:`reserve` counts: everything but the knowledge base, images and audio), through billing's
    service; for workspaces whose counter predates it or drifted (a counter from before images and
    audio stopped counting). Idempotent. Returns (before, after)."""
    from billing.services import document_count_set

    def count() -> int:
        return counted_documents().count()

    return document_count_set(count_documents=count, schema=connection.schema_name)
