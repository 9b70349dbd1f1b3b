"""Repeated failed logins are throttled (allauth rate limits, kept per tenant in Redis)."""

from django.core.cache import cache

from conftest import PASSWORD


def test_it_throttles_repeated_failed_logins(tenant_client, tenant_a):
    cache.clear()
    client = tenant_client(tenant_a)
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "owner@a.example", "password": "wrong-password"})
        assert b"Too many failed login attempts" not in response.content
    blocked = client.post("/accounts/login/", {"login": "owner@a.example", "password": PASSWORD})
    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_it_keeps_the_throttle_of_one_tenant_out_of_another(tenant_client, tenant_a, tenant_b):
    cache.clear()
    for _ in range(6):
        tenant_client(tenant_a).post("/accounts/login/", {"login": "outsider@b.example", "password": "nope"})
    client = tenant_client(tenant_b)
    response = client.post("/accounts/login/", {"login": "outsider@b.example", "password": PASSWORD})
    assert response.status_code == 302
    cache.clear()
