"""Typed access to django-tenants' additions to the database connection."""

from django.db import connection


def connection_schema() -> str:
    return connection.schema_name  # type: ignore[attr-defined]


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
