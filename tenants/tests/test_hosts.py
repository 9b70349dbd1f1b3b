"""Host routing: unknown hosts 404, suspended workspaces say so, unfinished ones ask to wait."""

from django.test import Client

from tenants.models import Tenant
from tenants.services import tenant_set_active


def test_it_answers_404_to_an_unknown_host(db):
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404


def test_it_answers_404_to_an_unknown_custom_domain(db):
    assert Client(HTTP_HOST="evil.example.org").get("/accounts/login/").status_code == 404


def test_it_shows_the_suspended_page_for_an_inactive_workspace(tenant_client, tenant_a, owner):
    tenant_set_active(tenant=tenant_a, active=False)
    response = tenant_client(tenant_a, owner).get("/chat/")
    assert response.status_code == 403
    assert b"Workspace suspended" in response.content
    login = tenant_client(tenant_a).get("/accounts/login/")
    assert login.status_code == 403


def test_it_asks_to_wait_while_a_workspace_is_provisioned(tenant_client, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(state=Tenant.State.PROVISIONING)
    tenant_a.refresh_from_db()
    response = tenant_client(tenant_a).get("/accounts/login/")
    assert response.status_code == 503
    assert b"still being prepared" in response.content


def test_it_serves_a_custom_domain(tenant_a):
    from tenants.models import Domain

    Domain.objects.create(domain="chat.acme-corp.example", tenant=tenant_a, is_primary=False, is_custom=True)
    response = Client(HTTP_HOST="chat.acme-corp.example").get("/accounts/login/")
    assert response.status_code == 200
