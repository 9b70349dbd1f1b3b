from decimal import Decimal

from orchestration.models import OrchestrationSettings, SettingsChange


def test_it_keeps_every_settings_change_with_who_and_when(owner, member, tenant_a, in_tenant):
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        settings_update(user=owner, max_cost_per_query=Decimal("0.20"))
        settings_update(user=member, prefer_cheaper_models=True)
        settings_update(user=member, prefer_cheaper_models=True)  # no change, no record
        assert OrchestrationSettings.objects.count() == 1
        changes = list(SettingsChange.objects.select_related("changed_by").order_by("changed_at"))
    assert [c.changed_by for c in changes] == [owner, member]
    assert changes[0].changes["max_cost_per_query"]["to"] == "0.20"
    assert changes[1].changes == {"prefer_cheaper_models": {"from": False, "to": True}}
    assert all(c.changed_at for c in changes)


def test_it_shows_the_history_on_the_settings_admin_page(owner_client, owner, tenant_a, in_tenant):
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        settings_update(user=owner, default_strategy="single_provider")
        obj = settings_update(user=owner, default_strategy="parallel_consensus", prefer_cheaper_models=True)
    response = owner_client.get("/admin/orchestration/orchestrationsettings/")
    assert response.status_code == 302 and str(obj.pk) in response["Location"]
    html = owner_client.get(response["Location"]).content.decode()
    assert "Default strategy: Single model → Consensus of several models" in html
    assert "Prefer cheaper models: No → Yes" in html and str(owner) in html


def test_it_saves_settings_through_the_admin(owner_client, owner, tenant_a, in_tenant):
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        obj = settings_update(user=owner, system_message="Hello.")
    data = {
        "openai_model": "gpt-4o-mini",
        "anthropic_model": "claude-haiku-4-5",
        "perplexity_model": "sonar",
        "openai_compatible_model": "",
        "system_message": "Be brief.",
        "strategies": ["single_provider", "adaptive"],
        "default_strategy": "adaptive",
        "default_temperature": "0.5",
        "default_max_tokens": "2000",
        "request_timeout": "20",
        "max_cost_per_query": "0.05",
        "price_overrides-0-model": "gpt-4o-mini",
        "price_overrides-0-input": "0.1",
        "price_overrides-0-output": "0,5",
        "price_overrides-0-request": "",
        "price_overrides-1-model": "",
        "price_overrides-1-input": "",
        "price_overrides-1-output": "",
        "price_overrides-1-request": "",
        "support_email": "help@example.com",
    }
    response = owner_client.post(f"/admin/orchestration/orchestrationsettings/{obj.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with in_tenant(tenant_a):
        obj.refresh_from_db()
        assert obj.strategies_enabled["adaptive"] is True and obj.strategies_enabled["parallel_consensus"] is False
        assert obj.openai_model == "gpt-4o-mini"
        assert obj.price_overrides == {"gpt-4o-mini": {"input": 0.1, "output": 0.5}}
        assert SettingsChange.objects.filter(target_id=obj.pk, changed_by=owner).count() == 2
