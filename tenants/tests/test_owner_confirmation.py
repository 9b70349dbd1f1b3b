"""A public signup does not make its owner's address verified: the owner follows the link in an
e-mail before the workspace is usable (issue 8 §1.6, workspace squatting). Operator-created
workspaces are trusted as before."""

import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import owner_confirm_token, tenant_provision

OWNER = "ceo@bigcorp.example"


@pytest.fixture
def public_client(db):
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=f"127.2.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


def _sign_up(client, django_capture_on_commit_callbacks, subdomain="bigcorp"):
    data = {"name": "BigCorp", "subdomain": subdomain, "owner_email": OWNER, "owner_password": "purple-otter-rides-42"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/signup/", data)
    assert response.status_code == 302, response.content[:500]
    return Tenant.objects.get(subdomain=subdomain)


def _link(tenant):
    message = [m for m in mail.outbox if m.to == [OWNER]][-1]
    match = re.search(r"http://\S+/signup/" + str(tenant.pk) + r"/confirm/\S+/", message.body)
    assert match, message.body
    return match.group(0).replace("http://localhost", "")


def test_it_keeps_the_workspace_closed_until_the_owner_confirms(
    public_client, tenant_client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    tenant = _sign_up(public_client, django_capture_on_commit_callbacks)
    assert tenant.owner_verified_at is None
    tenant = tenant_provision(tenant_id=tenant.pk)
    assert tenant.state == Tenant.State.READY and not tenant.ready

    with schema_context(tenant.schema_name):
        assert not EmailAddress.objects.get(email=OWNER).verified
    closed = tenant_client(tenant).get("/accounts/login/")
    assert closed.status_code == 503
    assert b"confirms their e-mail address" in closed.content
    progress = public_client.get(f"/signup/{tenant.pk}/")
    assert b"Check your e-mail." in progress.content
    assert b"/accounts/login/" not in progress.content

    link = _link(tenant)
    assert public_client.get(link).status_code == 200  # a GET (a mail scanner) confirms nothing
    assert Tenant.objects.get(pk=tenant.pk).owner_verified_at is None
    assert public_client.post(link).status_code == 302

    tenant = Tenant.objects.get(pk=tenant.pk)
    assert tenant.ready
    with schema_context(tenant.schema_name):
        assert EmailAddress.objects.get(email=OWNER).verified
    client = tenant_client(tenant)
    response = client.post("/accounts/login/", {"login": OWNER, "password": "purple-otter-rides-42"})
    assert response.status_code == 302
    assert client.get("/chat/").status_code == 200


def test_it_creates_a_verified_owner_when_confirmed_before_provisioning_ends(
    public_client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    tenant = _sign_up(public_client, django_capture_on_commit_callbacks)
    assert public_client.post(_link(tenant)).status_code == 302
    tenant = tenant_provision(tenant_id=tenant.pk)
    assert tenant.ready
    with schema_context(tenant.schema_name):
        assert EmailAddress.objects.get(email=OWNER).verified


def test_it_refuses_a_forged_or_foreign_confirmation_link(
    public_client, tenant_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    tenant = _sign_up(public_client, django_capture_on_commit_callbacks)
    assert public_client.post(f"/signup/{tenant.pk}/confirm/forged-token/").status_code == 404
    foreign = owner_confirm_token(tenant_a, OWNER)  # a valid token, for another workspace
    assert public_client.post(f"/signup/{tenant.pk}/confirm/{foreign}/").status_code == 404
    assert Tenant.objects.get(pk=tenant.pk).owner_verified_at is None


def test_it_trusts_the_owner_of_an_operator_created_workspace(db):
    call_command(
        "create_workspace",
        subdomain="trusted",
        name="Trusted",
        owner_email="boss@trusted.example",
        owner_password="tidy-lemon-garden-7",
    )
    tenant = Tenant.objects.get(subdomain="trusted")
    assert tenant.ready
    with schema_context(tenant.schema_name):
        assert EmailAddress.objects.get(email="boss@trusted.example").verified


def test_it_asks_for_the_confirmation_in_slovenian(public_client, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    tenant = _sign_up(public_client, django_capture_on_commit_callbacks)
    public_client.cookies["django_language"] = "sl"
    assert "Preverite e-pošto." in public_client.get(f"/signup/{tenant.pk}/").content.decode()


def test_it_resends_the_confirmation_to_the_signup_address_only(
    public_client, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.WORKSPACE_CONFIRMATION_RESEND_RATE_LIMIT = "2/hour"
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    tenant = _sign_up(public_client, django_capture_on_commit_callbacks)
    tenant = tenant_provision(tenant_id=tenant.pk)
    assert "password" not in tenant.pending_owner  # the hash is gone once the schema is built
    before = len(mail.outbox)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert public_client.post(f"/signup/{tenant.pk}/resend/", {"email": "x@evil.example"}).status_code == 302
    assert [m.to for m in mail.outbox[before:]] == [[OWNER], [OWNER]]
    refused = public_client.post(f"/signup/{tenant.pk}/resend/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert public_client.post(_link(tenant)).status_code == 302
    assert Tenant.objects.get(pk=tenant.pk).pending_owner == {}
    assert public_client.post(f"/signup/{tenant.pk}/resend/").status_code == 404  # nothing left to confirm
