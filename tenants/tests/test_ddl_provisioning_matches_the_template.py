"""A tenant made from the template's DDL (tenants.schema_ddl, TENANT_PROVISIONING_METHOD "ddl") is the
template under another name (issue 12 §6): the same tables, columns with their types and defaults,
indexes, constraints, sequences (with their values), triggers and rows, compared on pg_catalog."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from tenants import services
from tenants.models import Tenant
from tenants.schema_ddl import DdlUnusable, _prepare, _substitute, plan_for, schema_create_from_plan
from tenants.tests.catalog import describe

TEMPLATE = settings.TENANT_BASE_SCHEMA


def test_it_makes_the_template_under_another_name_rows_included(db):
    with transaction.atomic():
        schema_create_from_plan(plan_for(TEMPLATE), "t_ddl_copy")

    made, template = describe("t_ddl_copy", rows=True), describe(TEMPLATE, rows=True)
    assert made["columns"] and made["indexes"] and made["constraints"] and made["sequences"]
    assert any(made["rows"].values())  # the template holds rows (django_migrations at least): copied
    assert made == template


def test_it_made_the_cast_s_workspaces_like_the_template(tenant_a, tenant_b):
    """Tenants A and B were provisioned at session start with the default method."""
    assert settings.TENANT_PROVISIONING_METHOD == "ddl"
    template = describe(TEMPLATE)
    assert describe(tenant_a.schema_name) == template
    assert describe(tenant_b.schema_name) == template


def test_it_provisions_by_ddl_without_the_clone(db, monkeypatch):
    def no_clone(schema_name):
        raise AssertionError("the clone ran")

    monkeypatch.setattr(services, "_clone_template", no_clone)
    tenant = services.tenant_create(
        name="By DDL",
        subdomain="by-ddl",
        owner_email="owner@by-ddl.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )
    tenant = services.tenant_provision(tenant_id=tenant.pk)

    assert tenant.state == Tenant.State.READY, tenant.provisioning_error
    assert describe(tenant.schema_name) == describe(TEMPLATE)
    connection.set_schema_to_public()


DUMP = """\\restrict abc
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE SCHEMA tenant_template;
-- Name: t; Type: TABLE; Schema: tenant_template; Owner: -
CREATE TABLE tenant_template.t (id integer DEFAULT nextval('tenant_template.t_id_seq'::regclass),
    note text DEFAULT 'x');
ALTER TABLE ONLY tenant_template.t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES tenant_template.u(id);
\\unrestrict abc
"""


def test_it_substitutes_only_the_names_the_dump_qualifies():
    sql = _substitute(_prepare(DUMP, "tenant_template"), "tenant_template", "t_new")

    assert "tenant_template" not in sql
    assert 'CREATE SCHEMA "t_new";' in sql
    assert 'CREATE TABLE "t_new".t (' in sql
    assert "nextval('t_new.t_id_seq'::regclass)" in sql
    assert 'REFERENCES "t_new".u(id)' in sql
    assert "statement_timeout" not in sql and "\\restrict" not in sql and "-- Name" not in sql
    assert "set_config('search_path', '', true)" in sql


@pytest.mark.parametrize(
    "elsewhere",
    [
        "CREATE FUNCTION tenant_template.f() RETURNS text AS $$ SELECT 'tenant_template' $$ LANGUAGE sql;",
        "CREATE TABLE tenant_template.v (note text DEFAULT 'tenant_template.t');",
        'CREATE TABLE "tenant_template".w (id integer);',
        "CREATE TABLE tenant_template.tenant_template_x (id integer);",
    ],
)
def test_it_refuses_a_dump_naming_the_template_elsewhere(elsewhere):
    with pytest.raises(DdlUnusable):
        _prepare(DUMP + elsewhere + "\n", "tenant_template")
