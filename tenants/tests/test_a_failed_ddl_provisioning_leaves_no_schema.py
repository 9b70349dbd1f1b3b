"""A provisioning from the template's DDL that fails half-way (tables made and rows copied, then an
index fails) leaves no schema: the replay is one transaction. The schema drop of the failure path is
switched off here, so the rollback alone has to do it."""

from django.db import connection

from tenants import services
from tenants.models import Tenant
from tenants.schema_ddl import SchemaPlan
from tenants.services import tenant_create, tenant_provision


def test_it_leaves_no_schema_when_the_ddl_fails_half_way(db, monkeypatch):
    real_sql = SchemaPlan.sql

    def failing_post_data(self, schema):
        pre, post = real_sql(self, schema)
        return pre, post + f'\nCREATE INDEX half_way ON "{schema}".no_such_table (id);\n'

    dropped = []
    monkeypatch.setattr(SchemaPlan, "sql", failing_post_data)
    monkeypatch.setattr(services, "_drop_schema", dropped.append)
    tenant = tenant_create(
        name="Half way",
        subdomain="ddl-half-way",
        owner_email="owner@ddl-half-way.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )

    tenant = tenant_provision(tenant_id=tenant.pk, method="ddl")

    assert tenant.state == Tenant.State.FAILED
    assert "no_such_table" in tenant.provisioning_error
    assert dropped == [tenant.schema_name]  # the failure path asked; the rollback had done it
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [tenant.schema_name])
        assert cursor.fetchone()[0] == 0
