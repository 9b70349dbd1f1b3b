"""Inviting again replaces the old invitation, whose link then says so; inviting a member says only
that they are a member (issue 11 §10)."""

from django.contrib.messages import get_messages
from django_tenants.utils import schema_context

from accounts.models import Invitation
from accounts.services import invitation_create

GUEST = "guest-again@elsewhere.example"


def test_it_says_an_old_link_was_replaced_by_a_newer_invitation(tenant_client, tenant_a, owner):
    with schema_context(tenant_a.schema_name):
        first = invitation_create(actor=owner, email=GUEST)
        second = invitation_create(actor=owner, email=GUEST)
        assert Invitation.objects.get(pk=first.pk).replaced_at is not None
    client = tenant_client(tenant_a)
    old = client.get(f"/accounts/invitation/{first.token}/")
    assert old.status_code == 410
    assert "replaced by a newer invitation" in old.content.decode()
    assert client.get(f"/accounts/invitation/{second.token}/").status_code == 302


def test_it_says_only_already_a_member_when_inviting_a_member(owner_client, tenant_a):
    response = owner_client.post(
        "/admin/accounts/invitation/add/",
        {"email": "member@a.example", "role": "member", "expires_at_0": "2099-01-01", "expires_at_1": "10:00:00"},
    )
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with the reason
    assert "This person is already a member of the workspace." in html
    assert not [m for m in get_messages(response.wsgi_request) if "added" in str(m) or "sent" in str(m)]
    with schema_context(tenant_a.schema_name):
        assert not Invitation.objects.filter(email="member@a.example").exists()
