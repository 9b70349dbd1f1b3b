"""Documents report to billing through document_reserve / document_release / usage_record (billing
imports no documents code)."""

import pytest

from billing import quotas
from billing.models import Plan, UsageLog
from billing.services import QuotaExceeded, document_release, document_reserve, usage_record


def test_it_holds_the_plans_document_limit_and_frees_a_place_on_delete(tenant_a, owner):
    Plan.objects.filter(code="free").update(document_limit=2)
    document_reserve(schema=tenant_a.schema_name, user_id=owner.pk)
    document_reserve(schema=tenant_a.schema_name, user_id=owner.pk)
    with pytest.raises(QuotaExceeded) as refused:
        document_reserve(schema=tenant_a.schema_name, user_id=owner.pk)
    assert refused.value.limit == quotas.Kind.DOCUMENTS and refused.value.reset_at is None
    document_release(schema=tenant_a.schema_name)
    document_reserve(schema=tenant_a.schema_name, user_id=owner.pk)


def test_it_records_an_upload_in_the_ledger_once(tenant_a, owner):
    for _ in range(2):
        usage_record(
            schema=tenant_a.schema_name,
            action_type="document_upload",
            user_id=owner.pk,
            user_email=owner.email,
            metadata={"size": 1234},
            idempotency_key=f"doc:{tenant_a.pk}:1",
        )
    assert UsageLog.objects.filter(tenant=tenant_a, action_type="document_upload").count() == 1
