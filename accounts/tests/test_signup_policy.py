"""Who may sign up follows the workspace's policy: invite-only, allowed domains, or open."""

from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from accounts.services import invitation_create
from tenants.services import tenant_settings_save

PW = "granite-tulip-sings-31"


def _set_policy(tenant, **values):
    tenant.settings = {**tenant.settings_data, **values}
    tenant_settings_save(tenant=tenant)  # the service: every process serves the new policy


def _signup(client, email, password=PW):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def test_it_closes_signup_in_an_invite_only_workspace(tenant_client, tenant_a):
    response = _signup(tenant_client(tenant_a), "someone@a.example")
    assert b"Sign-up is by invitation" in response.content or response.status_code in (302, 403)
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email="someone@a.example").exists()


def test_it_accepts_only_allowed_domains(tenant_client, tenant_a):
    _set_policy(tenant_a, signup_policy="domains", allowed_email_domains=["a.example"])
    refused = _signup(tenant_client(tenant_a), "intruder@evil.example")
    assert b"does not accept sign-ups from this e-mail address" in refused.content
    accepted = _signup(tenant_client(tenant_a), "colleague@a.example")
    assert accepted.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert User.objects.filter(email="colleague@a.example").exists()
        assert not User.objects.filter(email="intruder@evil.example").exists()


def test_it_refuses_a_duplicate_email_in_one_tenant_but_allows_it_across_tenants(tenant_client, tenant_a, tenant_b):
    _set_policy(tenant_a, signup_policy="open")
    _set_policy(tenant_b, signup_policy="open")
    duplicate = _signup(tenant_client(tenant_a), "member@a.example")
    assert duplicate.status_code == 200
    assert b"already registered" in duplicate.content
    across = _signup(tenant_client(tenant_b), "member@a.example")
    assert across.status_code == 302
    with schema_context(tenant_b.schema_name):
        assert User.objects.filter(email="member@a.example").count() == 1
    with schema_context(tenant_a.schema_name):
        assert User.objects.filter(email="member@a.example").count() == 1


def test_it_refuses_a_weak_password(tenant_client, tenant_a):
    _set_policy(tenant_a, signup_policy="open")
    response = _signup(tenant_client(tenant_a), "weak@a.example", password="password")
    assert response.status_code == 200
    assert b"too common" in response.content


def test_it_lets_an_invited_person_join_with_the_invited_role(tenant_client, tenant_a, owner, rf):
    with schema_context(tenant_a.schema_name):
        invitation = invitation_create(actor=owner, email="guest@elsewhere.example", role=User.Role.ADMIN)
    client = tenant_client(tenant_a)
    assert client.get(f"/accounts/invitation/{invitation.token}/").status_code == 302
    assert _signup(client, "guest@elsewhere.example").status_code == 302
    with schema_context(tenant_a.schema_name):
        guest = User.objects.get(email="guest@elsewhere.example")
        assert guest.role == User.Role.ADMIN and guest.is_staff
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_it_sends_the_invitation_by_email(tenant_a, owner, django_capture_on_commit_callbacks):
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=owner, email="friend@elsewhere.example")
    assert mail.outbox[-1].to == ["friend@elsewhere.example"]
    assert "/accounts/invitation/" in mail.outbox[-1].body


def test_it_does_not_let_an_invitation_sign_up_another_email(tenant_client, tenant_a, owner):
    with schema_context(tenant_a.schema_name):
        invitation = invitation_create(actor=owner, email="guest@elsewhere.example")
    client = tenant_client(tenant_a)
    client.get(f"/accounts/invitation/{invitation.token}/")
    response = _signup(client, "someone-else@elsewhere.example")
    assert b"does not accept sign-ups from this e-mail address" in response.content


def test_it_refuses_an_unknown_invitation_token(tenant_client, tenant_a):
    assert tenant_client(tenant_a).get("/accounts/invitation/not-a-token/").status_code == 404


def test_it_does_not_let_members_invite(tenant_a, member):
    import pytest
    from django.core.exceptions import PermissionDenied

    with schema_context(tenant_a.schema_name), pytest.raises(PermissionDenied):
        invitation_create(actor=member, email="x@y.example")


def test_it_hides_the_signup_link_when_signup_is_closed(tenant_client, tenant_a):
    assert b"/accounts/signup/" not in tenant_client(tenant_a).get("/accounts/login/").content
    _set_policy(tenant_a, signup_policy="open")
    assert b"/accounts/signup/" in tenant_client(tenant_a).get("/accounts/login/").content
