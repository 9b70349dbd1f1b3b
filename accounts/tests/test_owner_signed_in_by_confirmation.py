"""The link of the owner's confirmation e-mail signs the owner in on the new workspace as soon as
it is ready (issue 11 §5), through the signed single-use hand-off of ADR 0003; the display name
given at signup greets them, and the language chosen on the public host is kept."""

import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.handoff import OWNER_CONFIRMED, Identity, make_token
from accounts.models import User
from tenants.models import Tenant
from tenants.services import tenant_provision

PW = "purple-otter-rides-42"


@pytest.fixture
def public(db):
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=f"127.3.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


def _sign_up(client, capture, email, subdomain, **extra):
    data = {"name": "Onboard", "subdomain": subdomain, "owner_name": "Ana Novak", "owner_email": email}
    with capture(execute=True):
        response = client.post("/signup/", {**data, "owner_password": PW, **extra})
    assert response.status_code == 302, response.content[:800]
    return Tenant.objects.get(subdomain=subdomain)


def _link(tenant, email):
    body = [m for m in mail.outbox if m.to == [email]][-1].body
    return re.search(r"http://\S+(/signup/" + str(tenant.pk) + r"/confirm/\S+/)", body).group(1)


def _follow(client, response):
    """Follow redirects across hosts (the test client keeps one Host header)."""
    while response.status_code == 302:
        location = response["Location"]
        match = re.match(r"https?://([^/:]+)(?::\d+)?(/.*)", location)
        if match:
            client.defaults["HTTP_HOST"] = match.group(1)
            location = match.group(2)
        response = client.get(location)
    return response


def test_it_signs_the_owner_in_when_the_confirmation_link_is_followed(
    public, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    email = "ana@onboard.example"
    tenant = _sign_up(public, django_capture_on_commit_callbacks, email, "onboard-ready")
    tenant_provision(tenant_id=tenant.pk)
    response = public.post(_link(tenant, email))
    page = _follow(public, response)
    assert public.defaults["HTTP_HOST"] == "onboard-ready.localhost"
    assert page.status_code == 200
    assert page.wsgi_request.path == "/chat/"
    assert page.wsgi_request.user.email == email
    assert "Ana" in page.content.decode()  # the greeting uses the display name, not the address
    with schema_context(tenant.schema_name):
        assert User.objects.get(email=email).name == "Ana Novak"


def test_it_signs_the_owner_in_once_provisioning_ends_after_the_confirmation(
    public, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    email = "bo@onboard.example"
    tenant = _sign_up(public, django_capture_on_commit_callbacks, email, "onboard-later")
    response = public.post(_link(tenant, email))
    assert response.status_code == 302
    waiting = public.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in waiting  # still being built
    tenant_provision(tenant_id=tenant.pk)
    ready = public.get(response["Location"], HTTP_HX_REQUEST="true")
    assert ready["HX-Redirect"] == f"/signup/{tenant.pk}/signin/"
    page = _follow(public, public.get(ready["HX-Redirect"]))
    assert page.wsgi_request.user.email == email
    # the hand-off is used once: the same browser cannot mint a second one
    public.defaults["HTTP_HOST"] = "localhost"
    assert public.get(f"/signup/{tenant.pk}/signin/").status_code == 404


def test_it_does_not_sign_in_a_browser_that_did_not_follow_the_link(
    public, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    email = "cy@onboard.example"
    tenant = _sign_up(public, django_capture_on_commit_callbacks, email, "onboard-other")
    tenant_provision(tenant_id=tenant.pk)
    Client(HTTP_HOST="localhost").post(_link(tenant, email))  # another browser (the mail app)
    assert public.get(f"/signup/{tenant.pk}/signin/").status_code == 404
    progress = public.get(f"/signup/{tenant.pk}/")
    assert "http://onboard-other.localhost/accounts/login/" in progress.content.decode()


def test_it_keeps_the_language_chosen_on_the_public_host(public, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    email = "di@onboard.example"
    public.cookies["django_language"] = "sl"
    tenant = _sign_up(public, django_capture_on_commit_callbacks, email, "onboard-sl")
    tenant_provision(tenant_id=tenant.pk)
    page = _follow(public, public.post(_link(tenant, email)))
    assert page.wsgi_request.user.email == email
    assert public.cookies["django_language"].value == "sl"
    assert 'lang="sl"' in page.content.decode()


def test_it_refuses_an_owner_hand_off_for_someone_who_is_not_a_proven_owner(tenant_client, tenant_a, member):
    for email in ("member@a.example", "nobody@a.example"):
        identity = Identity(email=email, name="", provider=OWNER_CONFIRMED, uid="")
        client = tenant_client(tenant_a)
        response = client.get(
            f"/accounts/handoff/?token={make_token(identity=identity, schema_name=tenant_a.schema_name)}"
        )
        assert response.status_code == 403
        assert client.get("/chat/").status_code == 302
