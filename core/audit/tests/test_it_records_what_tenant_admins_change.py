"""Issue 12 §4: every change a tenant admin makes is in the audit log, with the changed fields'
before and after, the actor and the address; a provider key only as the fact."""

import json

from core.audit.models import AuditEntry

SECRET = "sk-live-AUDIT-SECRET-9f8e7d6c"


def _user_form(user, **changes):
    data = {
        "email": user.email, "name": user.name, "role": user.role, "is_active": "on", "language": user.language,
        "timezone": user.timezone, "email_notifications": "on",
    }  # fmt: skip
    data.update(changes)
    return data


def test_it_records_a_change_with_before_and_after(owner_client, owner, member, tenant_a, in_tenant):
    url = f"/admin/accounts/user/{member.pk}/change/"
    response = owner_client.post(url, _user_form(member, name="Mia Renamed"), REMOTE_ADDR="127.0.0.7")
    assert response.status_code == 302, response.content.decode()[:1500]
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action="change", object_id=str(member.pk))
    assert entry.actor_id == owner.pk and entry.actor_email == owner.email
    assert entry.object_type == "accounts.User" and entry.ip == "127.0.0.7"
    assert entry.changes == {"name": {"before": "Mia Member", "after": "Mia Renamed"}}


def test_it_records_additions_deletions_and_actions(owner_client, member, tenant_a, in_tenant):
    response = owner_client.post(
        "/admin/accounts/invitation/add/", {"email": "new@a.example", "role": "member", "expires_at_0": "2030-01-01",
                                            "expires_at_1": "10:00:00"}
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    owner_client.post("/admin/accounts/user/", {"action": "export_users_data", "_selected_action": [str(member.pk)]})
    with in_tenant(tenant_a):
        added = AuditEntry.objects.get(action="add", object_type="accounts.Invitation")
        assert "new@a.example" in json.dumps(added.changes)
        ran = AuditEntry.objects.get(action="action", action_name="export_users_data")
        assert ran.changes["selected"] == [str(member.pk)]
        invitation_pk = added.object_id
    response = owner_client.post(f"/admin/accounts/invitation/{invitation_pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="delete", object_id=invitation_pk).exists()


def test_it_records_a_provider_key_only_as_a_fact(owner_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-old-key-000", models=["gpt-4o"])
    response = owner_client.post(
        f"/admin/orchestration/providercredential/{cred.pk}/change/",
        {
            "provider": "openai", "enabled": "on", "priority": 100, "new_api_key": SECRET, "base_url": "",
            "model_names": ["gpt-4o"], "default_model": "gpt-4o", "requests_per_minute": "", "tokens_per_minute": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action="change", object_type="orchestration.ProviderCredential")
        everything = json.dumps([list(e.values()) for e in AuditEntry.objects.values()], default=str)
    assert entry.changes["new_api_key"] == "set"
    assert SECRET not in everything and SECRET[:12] not in everything
