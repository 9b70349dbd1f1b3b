"""Workspaces whose owner never confirmed the address are deleted after a delay (issue 8 §1.6)."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists

from tenants.models import Domain, Tenant
from tenants.services import tenant_create, tenant_provision
from tenants.tasks import purge_unverified_signups


def _workspace(subdomain, *, verified):
    tenant = tenant_create(
        name=subdomain,
        subdomain=subdomain,
        owner_email=f"owner@{subdomain}.example",
        owner_password="purple-otter-rides-42",
        provision=False,
        owner_verified=verified,
    )
    return tenant_provision(tenant_id=tenant.pk)


def test_it_purges_unconfirmed_workspaces_after_the_configured_delay(db, settings):
    settings.TENANT_UNVERIFIED_PURGE_HOURS = 48
    old = _workspace("squatted", verified=False)
    fresh = _workspace("fresh-signup", verified=False)
    confirmed = _workspace("confirmed", verified=True)
    Tenant.objects.filter(pk__in=[old.pk, confirmed.pk]).update(created_at=timezone.now() - timedelta(hours=49))
    Tenant.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(hours=47))

    with connection.cursor() as cursor:  # the test's own transaction wrote rows in those schemas
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert purge_unverified_signups() == 1
    connection.set_schema_to_public()

    assert not Tenant.objects.filter(pk=old.pk).exists()
    assert not Domain.objects.filter(domain__startswith="squatted.").exists()
    assert not schema_exists(old.schema_name)
    assert set(Tenant.objects.filter(pk__in=[fresh.pk, confirmed.pk]).values_list("subdomain", flat=True)) == {
        "fresh-signup",
        "confirmed",
    }
    assert schema_exists(confirmed.schema_name)


def test_it_schedules_the_purge(settings):
    from config.settings import base

    assert base.CELERY_BEAT_SCHEDULE["purge-unverified-signups"]["task"] == "tenants.tasks.purge_unverified_signups"
