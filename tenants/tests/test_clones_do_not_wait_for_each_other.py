"""Two provisionings clone at the same time (issue 12 §6). django-tenants' clone_schema created two
helper enum types in ``public`` at its start and dropped them at its end, so a second clone's
CREATE TYPE waited for the first clone's transaction: with two provisioning processes at 1,000
tenants every other clone sat in a ``transactionid`` lock wait. The types are now made once, with
the functions, and a clone leaves them as they are: nothing in ``public`` for another clone to
wait on. Checked on the catalog rows, not timed."""

from django.db import connection

from tenants.models import Tenant
from tenants.services import clone_functions_ensure, tenant_create, tenant_provision

TYPES = ("objj_type", "permm_type")


def _types() -> set[tuple[str, int, str]]:
    """The helper types in public: (name, oid, xmin: the transaction that wrote the row)."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT typname, oid::bigint, xmin::text FROM pg_type"
            " WHERE typnamespace = 'public'::regnamespace AND typname = ANY(%s)",
            [list(TYPES)],
        )
        return set(cursor.fetchall())


def _provision(subdomain: str) -> Tenant:
    tenant = tenant_create(
        name=subdomain,
        subdomain=subdomain,
        owner_email=f"owner@{subdomain}.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )
    return tenant_provision(tenant_id=tenant.pk, method="clone")


def test_it_leaves_the_shared_helper_types_untouched_by_a_clone(db):
    clone_functions_ensure()
    before = _types()
    assert {name for name, _oid, _xmin in before} == set(TYPES)

    assert _provision("parallel-one").state == Tenant.State.READY
    assert _provision("parallel-two").state == Tenant.State.READY

    assert _types() == before


def test_it_clones_the_grants_that_use_the_helper_types(db):
    """clone_schema still uses the types (GRANTs on the schema and sequences); a clone works."""
    tenant = _provision("parallel-grants")

    assert tenant.state == Tenant.State.READY
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [tenant.schema_name])
        cloned = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_template'")
        assert cloned == cursor.fetchone()[0]
