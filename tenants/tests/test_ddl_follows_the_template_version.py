"""The template's DDL is generated once per template version (its django_migrations rows): a template
migrated further is dumped again, so the next tenant gets the new table (issue 12 §6). Committed
work, as a migration would be (pg_dump reads only committed rows), in a thread of its own, undone
at the end."""

from django.conf import settings
from django.db import connection

from core.threads import in_own_thread
from tenants.models import Tenant
from tenants.schema_ddl import plan_for
from tenants.services import tenant_create, tenant_provision

TEMPLATE = settings.TENANT_BASE_SCHEMA
MIGRATION = "9999_ddl_probe_further"


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'", [schema])
        return {row[0] for row in cursor.fetchall()}


def _migrate_further_and_provision() -> dict:
    before = plan_for(TEMPLATE)
    tenant = None
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {TEMPLATE}.ddl_probe_further (id integer PRIMARY KEY, note text)")
            cursor.execute(f"INSERT INTO {TEMPLATE}.ddl_probe_further VALUES (1, 'seeded by the migration')")
            cursor.execute(
                f"INSERT INTO {TEMPLATE}.django_migrations (app, name, applied) VALUES ('tenants', %s, now())",
                [MIGRATION],
            )
        after = plan_for(TEMPLATE)
        tenant = tenant_create(
            name="Further",
            subdomain="ddl-further",
            owner_email="owner@ddl-further.example",
            owner_password="purple-otter-rides-42",
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk, method="ddl")
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT note FROM "{tenant.schema_name}".ddl_probe_further')
            rows = [row[0] for row in cursor.fetchall()]
        return {
            "state": tenant.state,
            "versions": (before.version, after.version),
            "tables": _tables(tenant.schema_name),
            "rows": rows,
        }
    finally:
        connection.set_schema_to_public()
        if tenant is not None:
            Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMPLATE}.ddl_probe_further")
            cursor.execute(f"DELETE FROM {TEMPLATE}.django_migrations WHERE name = %s", [MIGRATION])


def test_it_dumps_the_template_again_once_it_is_migrated_further(db):
    result = in_own_thread(_migrate_further_and_provision)

    assert result["state"] == Tenant.State.READY
    before, after = result["versions"]
    assert before != after
    assert "ddl_probe_further" in result["tables"]
    assert result["rows"] == ["seeded by the migration"]
    assert "ddl_probe_further" not in _tables(TEMPLATE)  # undone


def test_it_dumps_each_template_version_once_for_every_process(db, monkeypatch):
    """A process that has no plan yet (a worker just started) takes the dump another process made."""
    from tenants import schema_ddl

    plan_for(TEMPLATE)  # dumped (or taken from the cache) by this process
    schema_ddl.forget_plans()  # as a fresh process

    def no_dump(template, section):
        raise AssertionError("pg_dump ran again")

    monkeypatch.setattr(schema_ddl, "_dump", no_dump)
    assert plan_for(TEMPLATE).pre_data
