from billing.models import Plan, Subscription


def test_it_has_a_free_plan_and_paid_defaults(db):
    codes = set(Plan.objects.values_list("code", flat=True))
    assert {"free", "pro", "enterprise"} <= codes
    free = Plan.objects.get(code="free")
    assert free.price_cents == 0 and free.question_limit is not None


def test_it_starts_a_new_workspace_on_the_free_plan_and_writes_its_features(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        sub = Subscription.objects.get(tenant=tenant)
        assert sub.plan.code == "free"
        assert sub.status == Subscription.Status.ACTIVE
        assert sub.history.filter(source="workspace_created").count() == 1
        tenant.refresh_from_db()
        free = Plan.objects.get(code="free")
        assert tenant.features["monthly_questions"] == free.question_limit
        assert tenant.features["max_documents"] == free.document_limit
