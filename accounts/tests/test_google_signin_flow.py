"""The whole Google sign-in, end to end through allauth's real Google provider and a fake Google.

tenant login page -> public host /oauth/start/google/ -> allauth login (POST) -> "Google" ->
callback with a code -> token exchange with the fake Google -> hand-off token -> tenant host.
"""

from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.tests.fake_google import FakeGoogle
from conftest import host_of

CLIENT_ID = "chorus-test.apps.googleusercontent.com"


@pytest.fixture
def google(settings, monkeypatch):
    settings.GOOGLE_ENABLED = True
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            "APPS": [{"client_id": CLIENT_ID, "secret": "test-secret", "key": ""}],
            "SCOPE": ["profile", "email"],
        }
    }
    with FakeGoogle(client_id=CLIENT_ID) as fake:
        monkeypatch.setattr(GoogleOAuth2Adapter, "access_token_url", fake.token_url)
        yield fake


def _sign_in_with_google(tenant, code="good-code"):
    tenant_page = Client(HTTP_HOST=host_of(tenant)).get("/accounts/login/").content.decode()
    start = f"http://localhost/oauth/start/google/?workspace={tenant.subdomain}"
    assert start in tenant_page  # the button on the tenant's login page

    public = Client(HTTP_HOST="localhost")
    response = public.get(f"/oauth/start/google/?workspace={tenant.subdomain}")
    assert response.status_code == 302
    response = public.post(response["Location"])  # allauth's confirmation step
    authorize = urlparse(response["Location"])
    assert authorize.netloc == "accounts.google.com"
    state = parse_qs(authorize.query)["state"][0]
    assert parse_qs(authorize.query)["client_id"] == [CLIENT_ID]

    # Google redirects back to the public host with a code
    return public.get(f"/oauth/google/login/callback/?code={code}&state={state}")


def test_it_signs_in_to_the_workspace_through_google_on_the_public_host(google, tenant_a, owner):
    google.identity = {**google.identity, "email": "owner@a.example", "sub": "g-owner"}
    response = _sign_in_with_google(tenant_a)
    assert response.status_code == 302
    handoff = urlparse(response["Location"])
    assert (handoff.hostname, handoff.path) == ("tenant-a.localhost", "/accounts/handoff/")

    tenant = Client(HTTP_HOST=host_of(tenant_a))
    assert tenant.get(f"{handoff.path}?{handoff.query}").status_code == 302
    assert tenant.get("/chat/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(email="owner@a.example").google_id == "g-owner"
    # nobody was signed in or created on the public host
    with schema_context("public"):
        assert not User.objects.filter(email="owner@a.example").exists()


def test_it_refuses_an_unverified_google_address(google, tenant_a):
    google.identity = {**google.identity, "email": "owner@a.example", "email_verified": False}
    response = _sign_in_with_google(tenant_a)
    assert "error=unverified" in response["Location"]


def test_it_fails_cleanly_when_google_rejects_the_code(google, tenant_a):
    response = _sign_in_with_google(tenant_a, code="stolen-code")
    assert response.status_code == 401  # allauth's authentication error page
    assert b"handoff" not in response.content
    assert google.codes_seen == ["stolen-code"]


def test_it_refuses_to_start_for_an_unknown_workspace(google, db):
    assert Client(HTTP_HOST="localhost").get("/oauth/start/google/?workspace=nope").status_code == 404
