"""Google sign-in honours a pending invitation: the invited role, and the invitation is used (issue 8 §2)."""

import uuid

from django_tenants.utils import schema_context

from accounts.handoff import Identity, make_token
from accounts.models import Invitation, User
from accounts.services import invitation_create


def test_it_joins_an_invited_admin_with_the_invited_role(tenant_client, tenant_a, owner):
    email = f"invited-{uuid.uuid4().hex[:8]}@elsewhere.example"
    with schema_context(tenant_a.schema_name):
        invitation = invitation_create(actor=owner, email=email, role=User.Role.ADMIN)
    token = make_token(
        identity=Identity(email=email, name="Ada Admin", provider="google", uid=f"g-{uuid.uuid4().hex}"),
        schema_name=tenant_a.schema_name,
    )
    client = tenant_client(tenant_a)  # invite-only workspace, and the link was never opened here
    assert client.get(f"/accounts/handoff/?token={token}").status_code == 302
    assert client.get("/admin/").status_code == 200
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email=email)
        assert user.role == User.Role.ADMIN and user.is_staff
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_it_does_not_use_an_invitation_for_another_address(tenant_client, tenant_a, owner):
    with schema_context(tenant_a.schema_name):
        invitation = invitation_create(actor=owner, email="someone@elsewhere.example", role=User.Role.ADMIN)
    token = make_token(
        identity=Identity(email="stranger@elsewhere.example", name="S", provider="google", uid="g-stranger"),
        schema_name=tenant_a.schema_name,
    )
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}").status_code == 403
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
        assert not User.objects.filter(email="stranger@elsewhere.example").exists()
