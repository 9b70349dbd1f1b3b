from datetime import timedelta

from django.utils import timezone

from privacy import services
from privacy.models import DataExport


def test_it_starts_afresh_when_an_export_was_abandoned(in_tenant, tenant_a, member):
    with in_tenant(tenant_a):
        first = services.data_export_request(user=member)
        assert services.data_export_request(user=member).pk == first.pk  # one at a time
        # Its worker died long ago (the task's time limit is an hour): asking again starts a new one.
        DataExport.objects.filter(pk=first.pk).update(status="running", created_at=timezone.now() - timedelta(hours=3))
        second = services.data_export_request(user=member)
        assert second.pk != first.pk and second.status == DataExport.Status.PENDING
