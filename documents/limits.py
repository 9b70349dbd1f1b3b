"""The one place that decides whether an upload is allowed: the workspace's features
(``document_upload``, ``max_documents``; tenants.schemas.Features) and the plan's
``document_limit`` when billing has one. File size and pages: settings (validation, parsers)."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from .errors import UploadRefused


def _features() -> dict:
    from tenants.schemas import normalised

    tenant = getattr(connection, "tenant", None)
    return normalised("features", getattr(tenant, "features", None) or {})


def _plan_limit() -> int | None:
    tenant = getattr(connection, "tenant", None)
    plan = getattr(getattr(tenant, "subscription", None), "plan", None) or getattr(tenant, "plan", None)
    value = getattr(plan, "document_limit", None)
    return int(value) if value else None


def check_upload(*, owner, adding: int = 1) -> None:
    """Raises UploadRefused with the reason when ``adding`` more documents are not allowed."""
    from .models import Document

    features = _features()
    if not features.get("document_upload", True):
        raise UploadRefused(_("Document uploads are switched off in this workspace."), code="disabled")
    limits = [x for x in (features.get("max_documents"), _plan_limit()) if x is not None]
    if limits:
        limit = min(limits)
        count = Document.objects.exclude(scope=Document.Scope.KNOWLEDGE_BASE).count()
        if count + adding > limit:
            raise UploadRefused(
                _("This workspace has reached its limit of %(limit)d documents. Delete some, or ask an admin "
                  "to upgrade the plan.") % {"limit": limit},
                code="max_documents",
            )  # fmt: skip


def max_pages() -> int:
    from django.conf import settings

    return int(getattr(settings, "DOCUMENTS_MAX_PAGES", 1000))
