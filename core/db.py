"""Typed access to django-tenants' additions to the database connection, and prepared statements."""

import time

import psycopg
from django.db import connection


def connection_schema() -> str:
    return connection.schema_name  # type: ignore[attr-defined]


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def fetch_prepared(sql: str, params: dict):
    """One row of ``sql`` as a server-side prepared statement: psycopg prepares
    it once per connection, and the connections plan prepared statements once (``plan_cache_mode``
    in settings). For statements run on every page whose planning costs as much as running them.

    Same connection and transaction as Django's cursors, and the current tenant's ``search_path``:
    opening Django's cursor first lets django-tenants set it, and PostgreSQL parses a prepared
    statement again whenever ``search_path`` differs from its last use (PREPARE's documentation),
    so a pooled connection serving another workspace next never reads this one's tables. Logged like
    Django's own statements (``connection.queries``, ``assertNumQueries``)."""
    with connection.cursor():  # django-tenants: SET search_path for this tenant, if not set yet
        raw = connection.connection
    if raw.prepare_threshold is None:  # Django turns automatic preparing off; explicit prepare=True only
        raw.prepare_threshold = 1 << 30
    start = time.monotonic()
    with psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return row
