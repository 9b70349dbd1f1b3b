"""Workspace signups are throttled per client IP: a 429 that says when to try again (issue 8 §1.5/§1.6)."""

import uuid

from django.test import Client

from tenants.models import Tenant


def _client(ip):
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=ip)


def _ip():
    return f"127.3.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_it_refuses_the_signup_after_too_many_from_one_address(db, settings, monkeypatch):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    settings.WORKSPACE_SIGNUP_RATE_LIMIT = "3/hour"
    ip = _ip()
    tag = uuid.uuid4().hex[:6]
    for n in range(3):
        data = {
            "name": f"W{n}",
            "subdomain": f"w{n}-{tag}",
            "owner_email": f"o{n}@x.example",
            "owner_password": "purple-otter-rides-42",
        }
        assert _client(ip).post("/signup/", data).status_code == 302
    data = {
        "name": "W",
        "subdomain": f"w9-{tag}",
        "owner_email": "o@x.example",
        "owner_password": "purple-otter-rides-42",
    }
    refused = _client(ip).post("/signup/", data)
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert 0 < retry <= 3600
    assert f"try again in {retry} second".encode() in refused.content
    assert not Tenant.objects.filter(subdomain=f"w9-{tag}").exists()
    # another address is not affected
    assert _client(_ip()).post("/signup/", data).status_code == 302
