"""A workspace restored from a backup (restore_workspace) has a subscription: the free plan's, active,
with no Stripe ids (the source's customer and subscription stay the source's), the free plan's
features and limits, and a history row saying it was restored. The source keeps its own plan.

pg_dump and pg_restore are other sessions: the workspaces are built and removed in another thread,
whose connection commits (as tenants/tests/test_backup_restores_into_a_new_subdomain.py does)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from billing import quotas
from billing.models import Subscription
from billing.services import subscription_set_plan_by_code
from core.threads import in_own_thread
from tenants.models import Tenant
from tenants.services import tenant_create, tenant_provision

SOURCE, COPY = "bill-rs-source", "bill-rs-copy"


def _remove(subdomain: str) -> None:
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(subdomain=subdomain):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / tenant.schema_name, ignore_errors=True)
        tenant.delete(force_drop=True)


@pytest.fixture
def _leftovers(django_db_blocker):
    """Before the ``db`` fixture, so removed after its rollback (DROP SCHEMA waits for its locks)."""
    yield
    with django_db_blocker.unblock():
        in_own_thread(lambda: (_remove(SOURCE), _remove(COPY)))


@pytest.fixture
def restored(_leftovers, db, tmp_path):
    backup = tmp_path / "ws.tar"

    def build():
        _remove(SOURCE)
        _remove(COPY)
        source = tenant_create(
            name="Paying",
            subdomain=SOURCE,
            owner_email=f"owner@{SOURCE}.example",
            owner_password="purple-otter-rides-42",
            provision=False,
        )
        source = tenant_provision(tenant_id=source.pk)
        subscription_set_plan_by_code(source, "pro")
        Tenant.objects.filter(pk=source.pk).update(stripe_customer_id="cus_source_only")
        Subscription.objects.filter(tenant=source).update(
            stripe_subscription_id="sub_source_only", stripe_customer_id="cus_source_only"
        )
        connection.set_schema_to_public()
        call_command("backup_workspace", SOURCE, output=str(backup))
        call_command("restore_workspace", str(backup), subdomain=COPY)

    in_own_thread(build)
    return Tenant.objects.get(subdomain=SOURCE), Tenant.objects.get(subdomain=COPY)


def test_it_gives_a_restored_workspace_the_free_plan_without_the_sources_stripe_ids(restored):
    source, copy = restored
    sub = Subscription.objects.select_related("plan").get(tenant=copy)
    assert (sub.plan.code, sub.status) == ("free", "active")
    assert sub.stripe_subscription_id == "" and sub.stripe_customer_id == ""
    assert copy.stripe_customer_id == ""
    assert list(sub.history.values_list("source", "to_plan")) == [("workspace_restored", "free")]
    assert copy.features["monthly_questions"] == sub.plan.question_limit  # the source's pro features are replaced
    limits = quotas.limits_for(schema=copy.schema_name)
    assert (limits.plan_code, limits.session_limit) == ("free", sub.plan.session_limit)
    kept = Subscription.objects.select_related("plan").get(tenant=source)
    assert (kept.plan.code, kept.stripe_subscription_id) == ("pro", "sub_source_only")
