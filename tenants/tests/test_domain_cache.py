"""The host -> tenant lookup is cached per process, but never past a change to a tenant or domain."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.services import domain_add, domain_remove, tenant_set_active


def _domain_lookups(client, path="/accounts/login/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, sum("tenants_domain" in q["sql"] for q in ctx.captured_queries)


def test_it_looks_a_host_up_once(tenant_client, tenant_a):
    client = tenant_client(tenant_a)
    first, lookups = _domain_lookups(client)
    assert first.status_code == 200 and lookups == 1
    second, lookups = _domain_lookups(client)
    assert second.status_code == 200 and lookups == 0


def test_it_shows_the_suspended_page_right_after_a_suspension(
    tenant_client, tenant_a, django_capture_on_commit_callbacks
):
    client = tenant_client(tenant_a)
    assert client.get("/accounts/login/").status_code == 200  # cached as active
    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_active(tenant=tenant_a, active=False)
    assert client.get("/accounts/login/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_active(tenant=tenant_a, active=True)
    assert client.get("/accounts/login/").status_code == 200


def test_it_forgets_a_removed_domain_and_serves_a_new_one_at_once(tenant_a, django_capture_on_commit_callbacks):
    client = Client(HTTP_HOST="chat.cached-corp.example")
    assert client.get("/accounts/login/").status_code == 404  # unknown hosts are not cached
    with django_capture_on_commit_callbacks(execute=True):
        domain = domain_add(tenant=tenant_a, domain="chat.cached-corp.example", is_custom=True)
    assert client.get("/accounts/login/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        domain_remove(domain=domain)
    assert client.get("/accounts/login/").status_code == 404
