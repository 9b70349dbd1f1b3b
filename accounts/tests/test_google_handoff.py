"""Google sign-in runs on the public host and hands a verified identity to the tenant host.

The provider is faked at allauth's seam (a SocialLogin as allauth builds it after talking to
Google); nothing here talks to Google.
"""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core import signing
from django.test import RequestFactory, override_settings
from django_tenants.utils import schema_context

from accounts.adapters import SESSION_OAUTH_TARGET, SocialAccountAdapter
from accounts.handoff import SALT, Identity, make_token
from accounts.models import User


def _identity(email="new.person@a.example"):
    return Identity(email=email, name="New Person", provider="google", uid="g-123")


def _fake_google_login(email, verified=True):
    user = User(email=email, name="Gina Google")
    login = SocialLogin(user=user, account=SocialAccount(provider="google", uid="g-999", extra_data={"email": email}))
    login.email_addresses = [EmailAddress(email=email, verified=verified, primary=True)]
    return login


def test_it_hands_a_verified_google_identity_to_the_workspace_it_started_from(tenant_a, public_client):
    request = RequestFactory().get("/oauth/google/login/callback/", HTTP_HOST="localhost")
    request.session = {SESSION_OAUTH_TARGET: tenant_a.schema_name}
    with pytest.raises(ImmediateHttpResponse) as exc:
        SocialAccountAdapter().pre_social_login(request, _fake_google_login("owner@a.example"))
    location = exc.value.response["Location"]
    assert location.startswith("http://tenant-a.localhost/accounts/handoff/?token=")


def test_it_refuses_an_unverified_google_email(tenant_a):
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    request.session = {SESSION_OAUTH_TARGET: tenant_a.schema_name}
    with pytest.raises(ImmediateHttpResponse) as exc:
        SocialAccountAdapter().pre_social_login(request, _fake_google_login("owner@a.example", verified=False))
    assert "error=unverified" in exc.value.response["Location"]


def test_it_signs_in_an_existing_user_with_a_valid_token(tenant_client, tenant_a, owner):
    client = tenant_client(tenant_a)
    token = make_token(identity=_identity("owner@a.example"), schema_name=tenant_a.schema_name)
    response = client.get(f"/accounts/handoff/?token={token}")
    assert response.status_code == 302
    assert client.get("/chat/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(email="owner@a.example").google_id == "g-123"


def test_it_refuses_a_replayed_token(tenant_client, tenant_a, owner):
    token = make_token(identity=_identity("owner@a.example"), schema_name=tenant_a.schema_name)
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}").status_code == 302
    replay = tenant_client(tenant_a)
    response = replay.get(f"/accounts/handoff/?token={token}")
    assert response.status_code == 400
    assert replay.get("/chat/").status_code == 302


def test_it_refuses_a_tampered_token(tenant_client, tenant_a):
    token = make_token(identity=_identity("owner@a.example"), schema_name=tenant_a.schema_name)
    payload = signing.loads(token, salt=SALT)
    forged = signing.dumps({**payload, "email": "member@a.example"}, salt=SALT, key="not-the-secret")
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={forged}").status_code == 400
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token[:-2]}xx").status_code == 400


@override_settings(HANDOFF_TOKEN_MAX_AGE=1)
def test_it_refuses_an_expired_token(tenant_client, tenant_a, monkeypatch):
    token = make_token(identity=_identity("owner@a.example"), schema_name=tenant_a.schema_name)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 120)
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}").status_code == 400


def test_it_refuses_a_token_meant_for_another_workspace(tenant_client, tenant_a, tenant_b):
    token = make_token(identity=_identity("outsider@b.example"), schema_name=tenant_b.schema_name)
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}").status_code == 400


def test_it_does_not_create_users_in_an_invite_only_workspace(tenant_client, tenant_a):
    token = make_token(identity=_identity("stranger@elsewhere.example"), schema_name=tenant_a.schema_name)
    response = tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}")
    assert response.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email="stranger@elsewhere.example").exists()


def test_it_creates_the_user_when_the_workspace_is_open(tenant_client, tenant_a):
    tenant_a.settings = {**tenant_a.settings_data, "signup_policy": "open"}
    tenant_a.save()
    token = make_token(identity=_identity("newbie@anywhere.example"), schema_name=tenant_a.schema_name)
    assert tenant_client(tenant_a).get(f"/accounts/handoff/?token={token}").status_code == 302
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email="newbie@anywhere.example")
        assert user.role == User.Role.MEMBER and not user.has_usable_password()
