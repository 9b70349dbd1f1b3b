"""delete_workspace S (issue 12 §3, the operator's part): billing is cancelled in Stripe (the fake
server on 127.0.0.1), the schema, files and rows go; an interrupted deletion resumes when run again;
tenant B is not touched."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from tenants import services
from tenants.models import Domain, Tenant
from tenants.services import tenant_create, tenant_provision


@pytest.fixture
def doomed(db, fake_stripe):
    tenant = tenant_create(
        name="Doomed",
        subdomain="doomed",
        owner_email="owner@doomed.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )
    tenant = tenant_provision(tenant_id=tenant.pk)
    Tenant.objects.filter(pk=tenant.pk).update(stripe_customer_id="cus_doomed")
    sub = fake_stripe._subscription_create(customer="cus_doomed", prices=[], metadata={})
    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "law.txt").write_text("Zakon")
    with connection.cursor() as cursor:  # the rows above are this test's transaction's: check their
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys now, as a commit would, or DROP refuses
    return {"tenant": tenant, "sub": sub["id"], "file": folder / "law.txt", "stripe": fake_stripe}


def _gone(tenant) -> bool:
    connection.set_schema_to_public()
    return (
        not schema_exists(tenant.schema_name)
        and not Tenant.objects.filter(pk=tenant.pk).exists()
        and not Domain.objects.filter(domain__startswith="doomed.").exists()
        and not (Path(settings.MEDIA_ROOT) / tenant.schema_name).exists()
    )


def test_it_cancels_billing_and_removes_schema_files_and_rows(doomed, tenant_b):
    call_command("delete_workspace", "doomed")

    assert _gone(doomed["tenant"])
    assert doomed["stripe"].objects["subscription"][doomed["sub"]]["status"] == "canceled"
    assert Tenant.objects.get(pk=tenant_b.pk).is_active and schema_exists(tenant_b.schema_name)


def test_it_resumes_a_deletion_interrupted_half_way(doomed, monkeypatch):
    def interrupted(schema_name):
        raise RuntimeError("killed while dropping the schema")

    monkeypatch.setattr(services, "_drop_schema", interrupted)
    with pytest.raises(CommandError, match="run it again to resume"):
        call_command("delete_workspace", "doomed")
    tenant = Tenant.objects.get(pk=doomed["tenant"].pk)
    assert not tenant.is_active  # no longer served while half deleted
    assert not doomed["file"].exists()
    monkeypatch.undo()

    call_command("delete_workspace", "doomed")

    assert _gone(tenant)


def test_it_stops_before_dropping_anything_when_stripe_fails(doomed, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9/"  # nothing listens there
    from django.utils.module_loading import import_string

    import_string("billing.stripe_api.apply_api_base")()
    with pytest.raises(CommandError, match="run it again to resume"):
        call_command("delete_workspace", "doomed")

    assert schema_exists(doomed["tenant"].schema_name) and doomed["file"].exists()
