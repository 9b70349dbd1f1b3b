"""Password reset works per workspace: the link points at the workspace's own host."""

import re

from django.core import mail


def test_it_mails_a_reset_link_on_the_workspace_host(tenant_client, tenant_a, member):
    client = tenant_client(tenant_a)
    response = client.post("/accounts/password/reset/", {"email": "member@a.example"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["member@a.example"]
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert link.startswith("http://tenant-a.localhost/accounts/password/reset/key/")


def test_it_sends_nothing_for_an_address_of_another_workspace(tenant_client, tenant_a):
    before = len(mail.outbox)
    tenant_client(tenant_a).post("/accounts/password/reset/", {"email": "outsider@b.example"})
    sent = mail.outbox[before:]
    assert all("/accounts/password/reset/key/" not in m.body for m in sent)


def test_it_builds_the_link_from_the_workspace_host_not_the_request_host_header(tenant_a, member):
    from django.test import Client

    client = Client(HTTP_HOST="tenant-a.localhost:6666")  # the port a client put in its Host header
    response = client.post("/accounts/password/reset/", {"email": "member@a.example"})
    assert response.status_code == 302
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert link.startswith("http://tenant-a.localhost/accounts/password/reset/key/")


def test_it_leaves_the_servers_own_port_out_of_the_link_behind_a_proxy(tenant_a, member, settings):
    from django.test import Client

    settings.PUBLIC_PORT = ""  # what production sets: the proxy serves the default port
    client = Client(HTTP_HOST="tenant-a.localhost", SERVER_PORT="8000")
    assert client.post("/accounts/password/reset/", {"email": "member@a.example"}).status_code == 302
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert link.startswith("http://tenant-a.localhost/accounts/password/reset/key/")
