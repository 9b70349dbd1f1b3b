"""Repeated failed logins are throttled (allauth rate limits, kept per tenant in Redis).

Each test uses its own account and client address, so no test depends on counters another left."""

import uuid

from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from conftest import PASSWORD, host_of


def _ip():
    return f"127.5.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _person(tenant):
    with schema_context(tenant.schema_name):
        return User.objects.create_user(f"person-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)


def test_it_throttles_repeated_failed_logins(tenant_a):
    person = _person(tenant_a)
    client = Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=_ip())
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": person.email, "password": "wrong-password"})
        assert b"Too many failed login attempts" not in response.content
    blocked = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_it_keeps_the_throttle_of_one_tenant_out_of_another(tenant_a, tenant_b):
    person = _person(tenant_b)
    ip = _ip()
    for _ in range(6):
        Client(HTTP_HOST=host_of(tenant_a), REMOTE_ADDR=ip).post(
            "/accounts/login/", {"login": person.email, "password": "nope"}
        )
    client = Client(HTTP_HOST=host_of(tenant_b), REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
