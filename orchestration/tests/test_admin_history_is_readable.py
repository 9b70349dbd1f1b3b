"""The change history reads like sentences, in the admin's time zone, never as raw JSON."""

from accounts.models import User


def test_it_describes_strategy_and_credential_changes_in_words(owner_client, owner, tenant_a, in_tenant, credential):
    from orchestration.services import credential_save, settings_update

    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled={"single_provider": True, "adaptive": True})
        settings_update(user=owner, strategies_enabled={"single_provider": True, "parallel_consensus": True})
        cred = credential("openai", key="sk-tenant-key-123456", models=["gpt-4o"])
        cred.model_names = ["gpt-4o", "gpt-4o-mini"]
        cred.enabled = False
        credential_save(credential=cred, user=owner)
    html = owner_client.get("/admin/orchestration/settingschange/").content.decode()
    assert "Strategies: + Consensus of several models, − Automatic (adaptive)" in html
    assert "Models: gpt-4o → gpt-4o, gpt-4o-mini" in html
    assert "Enabled: Yes → No" in html and "API key set" in html
    assert "null" not in html and "{&quot;" not in html


def test_it_shows_when_in_the_admins_time_zone(owner_client, owner, tenant_a, in_tenant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from orchestration.models import SettingsChange
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(timezone="America/New_York")
        obj = settings_update(user=owner, prefer_cheaper_models=True)
        SettingsChange.objects.update(changed_at=datetime(2026, 7, 1, 3, 15, tzinfo=ZoneInfo("UTC")))
    html = owner_client.get(f"/admin/orchestration/orchestrationsettings/{obj.pk}/change/").content.decode()
    assert "June 30, 2026, 11:15 p.m." in html  # 03:15 UTC is 23:15 the day before in New York
