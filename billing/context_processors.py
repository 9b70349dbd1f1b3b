"""``billing_banner`` for every page of a tenant host: 80 % of a limit, limit reached, past due, read-only."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def billing_banner(request) -> dict:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.is_public or user is None or not user.is_authenticated:
        return {}
    if request.headers.get("HX-Request"):  # fragments do not show the banner
        return {}
    from .selectors import banner_for

    try:
        return {"billing_banner": banner_for(schema=tenant.schema_name, user=user)}
    except Exception:  # noqa: BLE001 - a banner must never break a page
        logger.exception("billing banner failed")
        return {}
