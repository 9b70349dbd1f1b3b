"""Usage reported to billing (``document_upload``, seed 000 action types) through billing's own
service, never by writing billing tables from here (DESIGN §3: documents -> billing).

The call goes to ``DOCUMENTS_USAGE_HOOK`` (a dotted path, default
``billing.services.usage_record``). Until billing provides it, nothing is recorded and one
warning is logged per process. Called on commit, so a rolled-back upload reports nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
_warned = False


def _hook():
    global _warned
    path = getattr(settings, "DOCUMENTS_USAGE_HOOK", "billing.services.usage_record")
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        if not _warned:
            log.warning("documents usage: %s is not available; document_upload usage is not recorded", path)
            _warned = True
        return None


def report_upload(*, user, document_id, size: int, tokens: int = 0) -> None:
    schema = connection.schema_name

    def send():
        hook = _hook()
        if hook is None:
            return
        try:
            hook(schema=schema, user_id=user.pk, user_email=user.email, action_type="document_upload",
                 tokens=tokens, metadata={"document_id": str(document_id), "size": size},
                 idempotency_key=f"document_upload:{schema}:{document_id}")  # fmt: skip
        except Exception:  # noqa: BLE001 - usage accounting must never break an upload
            log.exception("documents usage: the billing hook failed")

    transaction.on_commit(send)
