"""Repeated failed logins are throttled (allauth rate limits, kept per tenant in Redis).

Each test signs in as a user of its own from an address of its own, so no other test's attempts
count towards its limits and nothing shared has to be cleared."""

import uuid

import pytest

from accounts.services import user_create
from conftest import PASSWORD

THROTTLED = b"Too many failed login attempts"


@pytest.fixture
def address():
    """A client address no other test uses (allauth counts failures per address and per login)."""
    n = uuid.uuid4().int
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{(n & 255) or 1}"


@pytest.fixture
def new_login(in_tenant):
    """``new_login(tenant)``: the e-mail of a new user of that tenant, with the cast's password."""

    def make(tenant):
        email = f"login-{uuid.uuid4().hex[:12]}@example.com"
        with in_tenant(tenant):
            user_create(email=email, password=PASSWORD)
        return email

    return make


def _login(client, email, password, address):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def test_it_throttles_repeated_failed_logins(tenant_client, tenant_a, new_login, address):
    email = new_login(tenant_a)
    client = tenant_client(tenant_a)
    for _ in range(5):
        response = _login(client, email, "wrong-password", address)
        assert response.status_code == 200 and THROTTLED not in response.content
    blocked = _login(client, email, PASSWORD, address)
    assert THROTTLED in blocked.content
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password_before_the_limit(tenant_client, tenant_a, new_login, address):
    email = new_login(tenant_a)
    client = tenant_client(tenant_a)
    for _ in range(4):
        _login(client, email, "wrong-password", address)
    assert _login(client, email, PASSWORD, address).status_code == 302
    assert "_auth_user_id" in client.session


def test_it_keeps_the_throttle_of_one_tenant_out_of_another(tenant_client, tenant_a, tenant_b, new_login, address):
    email = new_login(tenant_b)  # the same address and login are throttled in tenant A only
    client_a = tenant_client(tenant_a)
    for _ in range(6):
        response = _login(client_a, email, "nope", address)
    assert THROTTLED in response.content  # the attempts did count, in A
    client_b = tenant_client(tenant_b)
    response = _login(client_b, email, PASSWORD, address)
    assert response.status_code == 302
    assert "_auth_user_id" in client_b.session
