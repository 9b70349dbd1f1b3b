"""/admin/login/ is throttled like allauth's sign-in, on tenant hosts and for operators on the public
host (issue 8 §1.4: 40 wrong passwords then the right one were accepted)."""

import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from conftest import PASSWORD, host_of


def _ip():
    return f"127.4.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _admin_login(client, email, password):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


@pytest.fixture
def tenant_admin(tenant_a):
    with schema_context(tenant_a.schema_name):
        return User.objects.create_user(f"admin-{uuid.uuid4().hex[:8]}@a.example", PASSWORD, role=User.Role.ADMIN)


@pytest.fixture
def operator(db):
    with schema_context("public"):
        return User.objects.create_superuser(f"operator-{uuid.uuid4().hex[:8]}@chorus.example", PASSWORD)


def _brute_force_then_right_password(host, email, settings):
    settings.ADMIN_LOGIN_FAILED_RATE_LIMIT = "5/5 minutes"
    client = Client(HTTP_HOST=host, REMOTE_ADDR=_ip())
    for _ in range(5):
        assert _admin_login(client, email, "wrong-password").status_code == 200  # the form again
    blocked = _admin_login(client, email, PASSWORD)
    assert blocked.status_code == 429
    retry = int(blocked["Retry-After"])
    assert 0 < retry <= 300
    assert f"try again in {retry} second".encode() in blocked.content
    assert "_auth_user_id" not in client.session
    return blocked


def test_it_refuses_the_right_password_after_repeated_failures_on_a_tenant_host(tenant_a, tenant_admin, settings):
    _brute_force_then_right_password(host_of(tenant_a), tenant_admin.email, settings)


def test_it_refuses_the_right_password_after_repeated_failures_for_an_operator(operator, settings):
    _brute_force_then_right_password("localhost", operator.email, settings)


def test_it_throttles_one_account_from_many_addresses(tenant_a, tenant_admin, settings):
    settings.ADMIN_LOGIN_FAILED_RATE_LIMIT = "5/5 minutes"
    for _ in range(5):
        _admin_login(Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=_ip()), tenant_admin.email, "wrong")
    blocked = _admin_login(Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=_ip()), tenant_admin.email, PASSWORD)
    assert blocked.status_code == 429


def test_it_lets_the_admin_in_with_the_right_password(tenant_a, tenant_admin):
    client = Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=_ip())
    assert _admin_login(client, tenant_admin.email, PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_counts_every_attempt_from_one_address(tenant_a, tenant_admin, settings):
    """Attempts that raced past the failure count still meet the per-address budget of attempts."""
    settings.ADMIN_LOGIN_RATE_LIMIT = "3/minute"
    settings.ADMIN_LOGIN_FAILED_RATE_LIMIT = "100/minute"
    client = Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=_ip())
    for _ in range(3):
        assert _admin_login(client, tenant_admin.email, "wrong").status_code == 200
    assert _admin_login(client, tenant_admin.email, PASSWORD).status_code == 429
