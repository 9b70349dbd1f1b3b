"""migrate_schemas without the per-schema cost for schemas that have nothing to apply (issue 12 §6).

django-tenants runs Django's whole ``migrate`` command in every schema, also when nothing is
pending: it builds the migration graph, renders the project state for the post_migrate signal and
queries content types and permissions, ~80 ms per schema on a quiet machine (13 min at 10,000
workspaces; docs/SCALING.md has the profile). Here one query per chunk of schemas reads which of
them already record every migration on disk; those are left out and the others go to the
configured executor (standard or multiprocessing) unchanged. Settings: ``GET_EXECUTOR_FUNCTION``.

Only a plain ``migrate_schemas`` skips: naming an app or a migration (a rollback, a partial
migrate), ``--prune`` or ``--run-syncdb`` runs the command in every schema as before. A schema that
cannot be read (no django_migrations table) counts as behind, so it is migrated as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias

CHUNK = 500  # schemas per query (each takes a share lock on that many tables and their indexes)


def migrations_on_disk() -> set[tuple[str, str]]:
    """Every migration of the project, as Django records it once applied (squashes resolved as for
    a database that has applied none of them: a schema that has the replaced ones counts as behind)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def schemas_behind(schemas: Iterable[str], *, database: str | None = None) -> list[str]:
    """The schemas, in their order, whose django_migrations lacks a migration on disk."""
    schemas = list(schemas)
    if not schemas:
        return []
    expected = sorted(migrations_on_disk())
    apps = [app for app, _name in expected]
    names = [name for _app, name in expected]
    connection = connections[database or get_tenant_database_alias()]
    connection.set_schema_to_public()
    up_to_date: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
            [schemas],
        )
        readable = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(readable), CHUNK):
            chunk = readable[start : start + CHUNK]
            per_schema = " UNION ALL ".join(
                "SELECT %s AS schema_name, count(*) AS n FROM expected e"
                f" WHERE EXISTS (SELECT 1 FROM {connection.ops.quote_name(schema)}.django_migrations m"
                " WHERE m.app = e.app AND m.name = e.name)"
                for schema in chunk
            )
            cursor.execute(
                "WITH expected(app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[]))"
                f" SELECT schema_name FROM ({per_schema}) counts WHERE n = %s",
                [apps, names, *chunk, len(expected)],
            )
            up_to_date.update(row[0] for row in cursor.fetchall())
    return [schema for schema in schemas if schema not in up_to_date]


class _SkipUpToDate:
    def _may_skip(self) -> bool:
        options = self.options
        return not (
            options.get("app_label")
            or options.get("migration_name")
            or options.get("prune")
            or options.get("run_syncdb")
        )

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if tenants and self._may_skip():
            public = get_public_schema_name()
            behind = schemas_behind([t for t in tenants if t != public], database=self.options.get("database"))
            skipped = len(tenants) - len(behind) - (public in tenants)
            if skipped and int(self.options.get("verbosity", 1)) >= 1:
                print(f"{skipped} of {len(tenants)} schemas have every migration applied; not run there")
            tenants = ([public] if public in tenants else []) + behind
            if not tenants:
                return
        super().run_migrations(tenants=tenants)


def get_executor(codename=None):
    """django-tenants' executor of that codename, skipping the schemas that are up to date."""
    base = tenants_get_executor(codename=codename)
    return type(f"UpToDateSkipping{base.__name__}", (_SkipUpToDate, base), {"codename": base.codename})
