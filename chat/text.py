"""Small text helpers: the tenant's full-text configuration, titles, previews."""

from __future__ import annotations

import re

from django.db import connection

# PostgreSQL has no Slovenian stemmer: Slovenian tenants search with 'simple'.
CONFIGS = {"en": "english", "sl": "simple"}


def tenant_language() -> str:
    tenant = getattr(connection, "tenant", None)
    settings_data = getattr(tenant, "settings_data", None)
    if settings_data:
        return settings_data.get("default_language", "en")
    from tenants.selectors import tenant_for_schema  # memoised per process, fresh after every change

    tenant = tenant_for_schema(schema_name=getattr(connection, "schema_name", "public"))
    return tenant.settings_data["default_language"] if tenant else "en"


def search_config() -> str:
    return CONFIGS.get(tenant_language(), "simple")


_WS = re.compile(r"\s+")
_MD = re.compile(r"[`*_#>\[\]]+")


def one_line(text: str, limit: int) -> str:
    text = _WS.sub(" ", _MD.sub("", text or "")).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + "…"


def title_from(text: str) -> str:
    """A title from the first user message: its first line, shortened at a word boundary."""
    first = next((line for line in (text or "").splitlines() if line.strip()), "")
    return one_line(first, 60)


def preview_of(text: str) -> str:
    return one_line(text, 140)
