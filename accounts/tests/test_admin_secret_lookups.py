"""No admin URL filter works as an oracle on a secret or another user's field (issue 8 §1.2:
?token__startswith= recovered a pending owner invitation's token one character at a time).

Every admin is covered: accounts, tenants (operators), chat, orchestration and allauth's own. A
refused filter answers 400 whatever its value, so right and wrong guesses look the same."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from accounts.services import invitation_create


@pytest.fixture
def invitation(tenant_a, owner):
    with schema_context(tenant_a.schema_name):
        return invitation_create(actor=owner, email="future-owner@elsewhere.example", role=User.Role.OWNER)


@pytest.fixture
def operator_client(db):
    with schema_context("public"):
        operator = User.objects.create_superuser("lookup-operator@chorus.example", "x-operator-pw-1")
        client = Client(HTTP_HOST="localhost")
        client.force_login(operator)
    return client


def _without_nonce(body: bytes) -> bytes:
    """Every page carries its own CSP nonce (django-csp) and a freshly masked CSRF token (Django
    masks it per render), and the language switch sends back to the address asked (its own query,
    nothing learnt): the rest must be the same byte for byte."""
    body = re.sub(rb'nonce="[^"]*"', b'nonce=""', body)
    body = re.sub(rb'name="next" value="[^"]*"', b'name="next"', body)
    return re.sub(rb'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', b"csrf", body)


def test_it_gives_no_oracle_on_invitation_tokens(owner_client, invitation, tenant_a):
    with schema_context(tenant_a.schema_name):
        stored = Invitation.objects.get(pk=invitation.pk).token_hash
    url = "/admin/accounts/invitation/"
    for lookup, right, wrong in (
        ("token__startswith", invitation.token[:2], "~~"),
        ("token_hash__startswith", stored[:2], "zz"),
        ("token_hash", stored, "0" * 64),
        ("token_hash__regex", "^" + stored[:3], "^zzz"),
    ):
        hit = owner_client.get(url, {lookup: right})
        miss = owner_client.get(url, {lookup: wrong})
        assert hit.status_code == miss.status_code == 400, lookup
        assert _without_nonce(hit.content) == _without_nonce(miss.content)
    assert owner_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/?password__startswith=md5",
        "/admin/accounts/user/?google_id__startswith=g",
        "/admin/accounts/user/?emailaddress__verified=1",
        "/admin/chat/conversation/?user__password__startswith=md5",
        "/admin/chat/moderationlog/?user__password__startswith=md5",
        "/admin/orchestration/providercredential/?encrypted_api_key__startswith=g",
        "/admin/orchestration/providercredential/?key_set_by__password__startswith=md5",
    ],
)
def test_it_refuses_filters_on_secret_and_other_users_fields_in_the_tenant_admin(owner_client, path):
    assert owner_client.get(path).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tenants/tenant/?pending_owner__password__startswith=md5",
        "/admin/accounts/user/?password__startswith=md5",
        "/admin/socialaccount/socialapp/?secret__startswith=a",
        "/admin/socialaccount/socialtoken/?token__startswith=a",
        "/admin/socialaccount/socialaccount/?extra_data__icontains=a",
    ],
)
def test_it_refuses_filters_on_secret_fields_in_the_operator_admin(operator_client, path):
    assert operator_client.get(path).status_code == 400


def test_it_keeps_the_filters_the_lists_offer(owner_client):
    assert owner_client.get("/admin/accounts/user/?role__exact=admin").status_code == 200
    assert owner_client.get("/admin/accounts/user/?is_active__exact=1").status_code == 200
    assert owner_client.get("/admin/orchestration/providercredential/").status_code == 200
