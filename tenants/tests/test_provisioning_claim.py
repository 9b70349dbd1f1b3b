"""A provisioning run already in progress is never disturbed by a second one (issue 8 §2): with late
acks a redelivered task must not drop the schema the first run is cloning into."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists

from tenants.models import Tenant
from tenants.services import tenant_create, tenant_provision


def _pending(subdomain):
    return tenant_create(
        name=subdomain,
        subdomain=subdomain,
        owner_email=f"owner@{subdomain}.example",
        owner_password="purple-otter-rides-42",
        provision=False,
    )


def _in_progress(tenant, *, started):
    """What the first run leaves while it clones: the state claimed, a half-built schema."""
    Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.PROVISIONING, provisioning_started_at=started)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{tenant.schema_name}"')
        cursor.execute(f'CREATE TABLE "{tenant.schema_name}".being_cloned (id int)')


def _has_marker(tenant) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'being_cloned'",
            [tenant.schema_name],
        )
        return cursor.fetchone() is not None


def test_it_refuses_a_second_run_while_one_is_in_progress(db):
    tenant = _pending("busy")
    _in_progress(tenant, started=timezone.now() - timedelta(seconds=30))

    again = tenant_provision(tenant_id=tenant.pk)

    assert again.state == Tenant.State.PROVISIONING
    assert _has_marker(tenant)  # the other run's schema is untouched
    connection.set_schema_to_public()


def test_it_takes_over_the_run_of_a_dead_worker_after_the_lease(db, settings):
    settings.TENANT_PROVISIONING_LEASE_SECONDS = 600
    tenant = _pending("orphaned")
    _in_progress(tenant, started=timezone.now() - timedelta(seconds=601))

    again = tenant_provision(tenant_id=tenant.pk)

    assert again.state == Tenant.State.READY
    assert schema_exists(tenant.schema_name) and not _has_marker(tenant)
    connection.set_schema_to_public()


def test_it_runs_a_retry_after_a_failure(db, monkeypatch):
    tenant = _pending("flaky")
    monkeypatch.setattr("accounts.services.user_create_pending_owner", lambda t: 1 / 0)
    assert tenant_provision(tenant_id=tenant.pk).state == Tenant.State.FAILED
    monkeypatch.undo()
    Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.PENDING)
    assert tenant_provision(tenant_id=tenant.pk).state == Tenant.State.READY
    connection.set_schema_to_public()


def test_it_makes_a_refused_task_look_again_after_the_lease(db, settings, monkeypatch):
    from tenants import tasks

    settings.TENANT_PROVISIONING_LEASE_SECONDS = 360
    tenant = _pending("redelivered")
    _in_progress(tenant, started=timezone.now() - timedelta(seconds=60))
    retries = []

    class Retry(Exception):
        pass

    def retry(**kwargs):
        retries.append(kwargs)
        return Retry()

    monkeypatch.setattr(tasks.provision_tenant, "retry", retry)
    with pytest.raises(Retry):
        tasks.provision_tenant.run(str(tenant.pk))
    assert len(retries) == 1 and 295 <= retries[0]["countdown"] <= 310
    assert _has_marker(tenant)
    connection.set_schema_to_public()
