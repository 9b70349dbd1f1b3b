"""The purge of failed signups deletes each on its own: one that cannot be deleted does not keep the others."""

import logging
from datetime import timedelta

from django.utils import timezone

from tenants.models import Tenant
from tenants.services import tenant_purge_failed
from tenants.tasks import purge_failed_signups


def _failed(name):
    tenant = Tenant.objects.create(name=name, subdomain=name, schema_name=f"t_{name}", state=Tenant.State.FAILED)
    Tenant.objects.filter(pk=tenant.pk).update(updated_at=timezone.now() - timedelta(hours=30))
    return tenant


def _stuck_delete(monkeypatch, stuck):
    real = Tenant.delete

    def delete(self, *args, **kwargs):
        if self.pk == stuck.pk:
            raise RuntimeError("schema is locked")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Tenant, "delete", delete)


def test_it_purges_the_others_from_beat_and_reports_the_stuck_one(
    celery_eager, monkeypatch, caplog, tenant_a, django_capture_on_commit_callbacks
):
    stuck, other = _failed("stuck-one"), _failed("other-one")  # the stuck one is older: it comes first
    _stuck_delete(monkeypatch, stuck)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert purge_failed_signups() == 2  # one task each
    assert not Tenant.objects.filter(pk=other.pk).exists()
    assert Tenant.objects.filter(pk=stuck.pk).exists() and Tenant.objects.filter(pk=tenant_a.pk).exists()
    assert "schema is locked" in caplog.text


def test_it_purges_the_others_when_called_directly(db, monkeypatch, caplog):
    stuck, other = _failed("stuck-two"), _failed("other-two")
    _stuck_delete(monkeypatch, stuck)
    with caplog.at_level(logging.ERROR):
        assert tenant_purge_failed(older_than_hours=24) == 1
    assert not Tenant.objects.filter(pk=other.pk).exists() and Tenant.objects.filter(pk=stuck.pk).exists()
    assert f"purging failed signup {stuck.pk} failed" in caplog.text
