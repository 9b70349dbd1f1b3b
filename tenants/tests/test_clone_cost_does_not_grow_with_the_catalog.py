"""A clone's cost does not grow with the number of workspaces (issue 12 §6). pg_get_tabledef, which
clones the tables holding a user-defined type (pgvector), asked "does this name hold a capital
letter?" through information_schema self-joins that read every schema's columns, once per column:
at 255 workspaces 3.3 s of backend CPU per clone, 1.0 s with the questions asked of pg_catalog's
indexes (docs/SCALING.md). The installed functions hold the indexed queries, and a table with a
vector column and a capitalised column name still clones with its name's case kept."""

from django.db import connection

from tenants.models import Tenant
from tenants.services import clone_functions_ensure, tenant_create, tenant_provision


def _source(function: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proname = %s AND n.nspname = 'public'",
            [function],
        )
        return cursor.fetchone()[0]


def _live_lines(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("--"))


def test_it_asks_the_capitals_questions_of_the_catalog_indexes(db):
    clone_functions_ensure()

    tabledef = _live_lines(_source("pg_get_tabledef"))

    assert "REGEXP_MATCHES(s.column_name" not in tabledef
    assert "REGEXP_MATCHES(s.table_name" not in tabledef
    assert "a.attname ~ '([A-Z]+)'" in tabledef
    assert "c.relname ~ '([A-Z]+)'" in tabledef


def test_it_keeps_a_capitalised_column_of_a_vector_table(db):
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE tenant_template.clone_probe ("Title" text, plain text, embedding vector(3))')
    tenant = tenant_create(
        name="Capitals",
        subdomain="clone-capitals",
        owner_email="owner@clone-capitals.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )

    tenant = tenant_provision(tenant_id=tenant.pk, method="clone")

    assert tenant.state == Tenant.State.READY
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 ORDER BY attnum",
            [f"{tenant.schema_name}.clone_probe"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["Title", "plain", "embedding"]
