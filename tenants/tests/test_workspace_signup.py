"""The public signup form creates a workspace, shows progress, and refuses bad input cleanly."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision


@pytest.fixture
def public_client(db):
    """The public host, from an address of its own (workspace signups are throttled per IP)."""
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=f"127.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


def _confirm(tenant):
    from tenants.services import tenant_owner_confirm

    return tenant_owner_confirm(tenant_id=tenant.pk, email=GOOD["owner_email"])


GOOD = {
    "name": "Acme",
    "subdomain": "acme",
    "owner_email": "boss@acme.example",
    "owner_password": "purple-otter-rides-42",
}


def test_it_shows_the_landing_page_on_the_public_host(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert b"Create your workspace" in response.content


def test_it_creates_a_workspace_and_redirects_to_its_progress_page(public_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")
    assert response.status_code == 302
    assert response["Location"] == f"/signup/{tenant.pk}/"
    assert tenant.state == Tenant.State.PENDING
    assert len(callbacks) == 2  # provisioning is enqueued and the confirmation e-mail sent on commit
    assert Domain.objects.filter(domain="acme.localhost", tenant=tenant).exists()
    assert "purple-otter" not in str(tenant.pending_owner)  # only a hash travels


def test_it_provisions_the_workspace_and_its_owner_can_sign_in(public_client, tenant_client):
    public_client.post("/signup/", GOOD)
    tenant = tenant_provision(tenant_id=Tenant.objects.get(subdomain="acme").pk)
    tenant = _confirm(tenant)
    assert tenant.ready
    progress = public_client.get(f"/signup/{tenant.pk}/")
    assert b"http://acme.localhost/accounts/login/" in progress.content
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email="boss@acme.example")
        assert owner.role == User.Role.OWNER and owner.is_staff
    client = tenant_client(tenant)
    response = client.post("/accounts/login/", {"login": GOOD["owner_email"], "password": GOOD["owner_password"]})
    assert response.status_code == 302
    assert client.get("/chat/").status_code == 200


def test_it_reports_progress_as_json_and_htmx_redirects_when_ready(public_client):
    public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")
    assert public_client.get(f"/signup/{tenant.pk}/status/").json()["state"] == "pending"
    tenant_provision(tenant_id=tenant.pk)
    _confirm(tenant)
    response = public_client.get(f"/signup/{tenant.pk}/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "http://acme.localhost/accounts/login/"


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        ("www", b"reserved"),
        ("admin", b"reserved"),
        ("api", b"reserved"),
        ("static", b"reserved"),
        ("Acme!", b"lowercase letters"),
        ("a", b"lowercase letters"),
        ("-acme", b"lowercase letters"),
        ("ac--me", b"Two hyphens"),
        ("x" * 64, b"at most 63"),
        ("tenant-a", b"already taken"),
    ],
)
def test_it_refuses_bad_subdomains_and_creates_nothing(public_client, subdomain, message):
    before = Tenant.objects.count()
    response = public_client.post("/signup/", {**GOOD, "subdomain": subdomain})
    assert response.status_code == 400
    assert message in response.content
    assert Tenant.objects.count() == before


def test_it_refuses_a_weak_password_and_keeps_what_was_typed(public_client):
    response = public_client.post("/signup/", {**GOOD, "owner_password": "12345"})
    assert response.status_code == 400
    assert b"too short" in response.content or b"too common" in response.content
    assert b'value="acme"' in response.content  # nothing the user typed is lost
    assert not Tenant.objects.filter(subdomain="acme").exists()


def test_it_refuses_a_bad_email(public_client):
    response = public_client.post("/signup/", {**GOOD, "owner_email": "not-an-email"})
    assert response.status_code == 400
    assert not Tenant.objects.filter(subdomain="acme").exists()


def test_it_requires_csrf_on_signup(db):
    from django.test import Client

    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    assert client.post("/signup/", GOOD).status_code == 403
    assert not Tenant.objects.filter(subdomain="acme").exists()


def test_it_leaves_no_schema_when_provisioning_fails_and_can_retry(
    public_client, monkeypatch, django_capture_on_commit_callbacks
):
    public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")

    def explode(tenant):
        raise RuntimeError("disk full")

    monkeypatch.setattr("accounts.services.user_create_pending_owner", explode)
    failed = tenant_provision(tenant_id=tenant.pk)
    assert failed.state == Tenant.State.FAILED
    assert "disk full" in failed.provisioning_error
    assert not schema_exists(tenant.schema_name)
    assert b"Try again" in public_client.get(f"/signup/{tenant.pk}/").content

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = public_client.post(f"/signup/{tenant.pk}/retry/")
    assert response.status_code == 302 and len(callbacks) == 2  # the tenant cache's bump, provisioning
    assert tenant_provision(tenant_id=tenant.pk).state == Tenant.State.READY
    assert schema_exists(tenant.schema_name)
    connection.set_schema_to_public()


def test_it_frees_the_subdomain_of_a_failed_signup(public_client, monkeypatch):
    public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")
    monkeypatch.setattr("accounts.services.user_create_pending_owner", lambda t: 1 / 0)
    tenant_provision(tenant_id=tenant.pk)
    response = public_client.post("/signup/", {**GOOD, "name": "Acme again"})
    assert response.status_code == 302
    assert list(Tenant.objects.filter(subdomain="acme").values_list("name", flat=True)) == ["Acme again"]


def test_it_is_safe_to_run_provisioning_twice(public_client):
    public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")
    tenant_provision(tenant_id=tenant.pk)
    again = tenant_provision(tenant_id=tenant.pk)
    assert again.state == Tenant.State.READY
    with schema_context(tenant.schema_name):
        assert User.objects.filter(email="boss@acme.example").count() == 1


def test_it_purges_failed_signups_after_a_day(public_client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from tenants.services import tenant_purge_failed

    public_client.post("/signup/", GOOD)
    tenant = Tenant.objects.get(subdomain="acme")
    monkeypatch.setattr("accounts.services.user_create_pending_owner", lambda t: 1 / 0)
    tenant_provision(tenant_id=tenant.pk)
    assert tenant_purge_failed(older_than_hours=24) == 0  # too fresh: the user may retry
    Tenant.objects.filter(pk=tenant.pk).update(updated_at=timezone.now() - timedelta(hours=25))
    assert tenant_purge_failed(older_than_hours=24) == 1
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    assert not Domain.objects.filter(domain="acme.localhost").exists()
