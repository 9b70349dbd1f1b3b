"""Links to a workspace carry its own host, and a port only where the public URL has one."""

from django.test import RequestFactory

from tenants.services import tenant_url


def test_it_uses_the_public_port_behind_a_proxy_not_the_servers(tenant_a, settings):
    settings.PUBLIC_PORT = ""
    request = RequestFactory().get("/", HTTP_HOST="tenant-a.localhost:6666", SERVER_PORT="8000")
    assert tenant_url(tenant_a, "/accounts/login/", request) == "http://tenant-a.localhost/accounts/login/"
    settings.PUBLIC_PORT = "8443"
    assert tenant_url(tenant_a, "/x/", request) == "http://tenant-a.localhost:8443/x/"


def test_it_uses_the_servers_port_in_development(tenant_a, settings):
    settings.PUBLIC_PORT = None
    request = RequestFactory().get("/", HTTP_HOST="tenant-a.localhost:6666", SERVER_PORT="8000")
    assert tenant_url(tenant_a, "/", request) == "http://tenant-a.localhost:8000/"  # never the Host header's 6666
