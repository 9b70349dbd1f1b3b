"""Provisioning in one long-lived process stays flat (issue 12 §6): the worker keeps one database
session, and each clone used to re-create django-tenants' clone functions in it, leaving the old
compiled copies in the backend's memory (six PL/pgSQL function contexts, ~16 MB, per tenant), so
each provisioning ran slower than the one before. What grew is counted here, not timed."""

from django.db import connection

from tenants.models import Tenant
from tenants.services import tenant_create, tenant_provision


def _provision(subdomain: str) -> Tenant:
    tenant = tenant_create(
        name=subdomain,
        subdomain=subdomain,
        owner_email=f"owner@{subdomain}.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )
    return tenant_provision(tenant_id=tenant.pk, method="clone")


def _compiled_plpgsql_functions() -> int:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'PL/pgSQL function'")
        return cursor.fetchone()[0]


def test_it_keeps_the_backend_memory_of_the_clone_functions_constant(db):
    assert _provision("flat-one").state == Tenant.State.READY
    after_first = _compiled_plpgsql_functions()

    assert _provision("flat-two").state == Tenant.State.READY
    assert _provision("flat-three").state == Tenant.State.READY

    assert _compiled_plpgsql_functions() == after_first


def _markers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proname = 'clone_schema' AND n.nspname = 'public'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_it_recreates_the_clone_functions_when_the_database_has_another_version(db):
    _provision("older-first")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proname = 'clone_schema' AND n.nspname = 'public'"
        )
        for (signature,) in cursor.fetchall():
            cursor.execute(f"COMMENT ON FUNCTION {signature} IS 'an older version'")

    tenant = _provision("older-then")

    assert tenant.state == Tenant.State.READY, tenant.provisioning_error
    markers = _markers()
    assert len(markers) == 1 and next(iter(markers)).startswith("chorus:")
