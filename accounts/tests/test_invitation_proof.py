"""Invitation tokens are kept only as a hash, and the invited role goes only to a proven address:
opening the e-mailed link is the proof (allauth's verified-e-mail stash) (issue 8 §1.2)."""

import hashlib
import re

from allauth.account.models import EmailAddress
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from accounts.services import invitation_create

PW = "granite-tulip-sings-31"
GUEST = "guest-proof@elsewhere.example"


def _invite(tenant, owner, role=User.Role.ADMIN, **kwargs):
    with schema_context(tenant.schema_name):
        return invitation_create(actor=owner, email=GUEST, role=role, **kwargs)


def _signup(client, email=GUEST):
    return client.post("/accounts/signup/", {"email": email, "password1": PW, "password2": PW})


def test_it_stores_only_a_hash_of_the_token_and_mails_the_token(
    tenant_a, owner, rf, django_capture_on_commit_callbacks
):
    request = rf.get("/", HTTP_HOST="tenant-a.localhost:7777")
    request.tenant = tenant_a
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(tenant_a, owner, request=request)
    token = invitation.token
    with schema_context(tenant_a.schema_name):
        row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert link == f"http://tenant-a.localhost/accounts/invitation/{token}/"


def test_it_does_not_accept_the_stored_hash_as_a_token(tenant_client, tenant_a, owner):
    invitation = _invite(tenant_a, owner)
    with schema_context(tenant_a.schema_name):
        stored = Invitation.objects.get(pk=invitation.pk).token_hash
    assert tenant_client(tenant_a).get(f"/accounts/invitation/{stored}/").status_code == 404


def test_it_proves_the_address_by_the_invitation_link(tenant_client, tenant_a, owner, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    invitation = _invite(tenant_a, owner)
    client = tenant_client(tenant_a)
    assert client.get(f"/accounts/invitation/{invitation.token}/").status_code == 302
    assert _signup(client).status_code == 302
    assert client.get("/chat/").status_code == 200  # no confirmation e-mail needed: the link was the proof
    with schema_context(tenant_a.schema_name):
        guest = User.objects.get(email=GUEST)
        assert guest.role == User.Role.ADMIN
        assert EmailAddress.objects.get(user=guest, email=GUEST).verified
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_it_grants_no_role_to_an_address_nobody_proved(tenant_client, tenant_a, owner):
    invitation = _invite(tenant_a, owner)
    client = tenant_client(tenant_a)
    client.get(f"/accounts/invitation/{invitation.token}/")
    session = client.session
    session["account_verified_email"] = None  # the proof is gone (another flow consumed it)
    session.save()
    _signup(client)
    with schema_context(tenant_a.schema_name):
        guest = User.objects.get(email=GUEST)
        assert guest.role == User.Role.MEMBER and not guest.is_staff
        assert not EmailAddress.objects.get(user=guest, email=GUEST).verified
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_it_invites_from_the_admin_with_a_link_that_works(
    owner_client, tenant_client, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/admin/accounts/invitation/add/",
            {"email": GUEST, "role": "member", "expires_at_0": "2099-01-01", "expires_at_1": "00:00:00"},
        )
    assert response.status_code == 302, response.content[:1000]
    link = re.search(r"http://tenant-a\.localhost(/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    client = tenant_client(tenant_a)
    assert client.get(link).status_code == 302
    assert _signup(client).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(email=GUEST).accepted_at is not None
