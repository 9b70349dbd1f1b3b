"""What a tenant admin does in /admin/ lands in the usage ledger as ``admin_action`` (issue 10 §5)."""

from billing.models import ActionType, UsageLog


def _logs(tenant):
    return list(UsageLog.objects.filter(tenant_id=tenant.pk, action_type=ActionType.ADMIN_ACTION))


def _invite(client, email):
    return client.post(
        "/admin/accounts/invitation/add/",
        {"email": email, "role": "member", "expires_at_0": "2099-01-01", "expires_at_1": "00:00:00"},
    )


def test_it_records_an_invitation_made_in_the_admin(owner_client, tenant_a, owner):
    assert _invite(owner_client, "guest@a.example").status_code == 302
    [log] = _logs(tenant_a)
    assert (log.user_id, log.user_email) == (owner.pk, owner.email)
    assert log.action_metadata["action"] == "add"
    assert log.action_metadata["model"] == "accounts.invitation"


def test_it_records_a_change_to_a_member(owner_client, tenant_a, member):
    form = {"email": member.email, "name": "Mia Renamed", "role": member.role, "language": "en", "timezone": "UTC"}
    response = owner_client.post(f"/admin/accounts/user/{member.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    [log] = _logs(tenant_a)
    assert log.action_metadata == {"action": "change", "model": "accounts.user", "object_id": str(member.pk)}


def test_it_records_nothing_for_a_member_or_the_outsider(member_client, outsider_client, tenant_a, tenant_b):
    assert _invite(member_client, "x@a.example").status_code in (302, 403)
    assert _invite(outsider_client, "y@a.example").status_code in (302, 403, 404)
    assert _logs(tenant_a) == [] and _logs(tenant_b) == []
