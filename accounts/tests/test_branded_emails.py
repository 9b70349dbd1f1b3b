"""Every e-mail goes out as text + HTML in the workspace's name (sender, subject, logo) and in the
reader's language (issue 11 §6): invitation, address confirmation, password reset, owner confirmation."""

import re
from email.utils import parseaddr

from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import invitation_create
from tenants.services import tenant_settings_save

LOGO = "https://cdn.example/acme-logo.png"


def _brand(tenant, **values):
    tenant.branding = {**tenant.branding_data, "app_name": "Acme Assist", "logo_url": LOGO, **values}
    tenant_settings_save(tenant=tenant)


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def _assert_branded(message, app="Acme Assist"):
    name, address = parseaddr(message.from_email)
    assert name == app and address
    html = _html(message)
    assert app in message.subject and app in html and app in message.body
    assert f'src="{LOGO}"' in html
    assert "example.com" not in message.body and "Hello from tenant" not in message.body


def test_it_sends_a_branded_password_reset(tenant_client, tenant_a, member):
    _brand(tenant_a)
    tenant_client(tenant_a).post("/accounts/password/reset/", {"email": "member@a.example"})
    message = mail.outbox[-1]
    _assert_branded(message)
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    assert f'href="{link}"' in _html(message)


def test_it_sends_the_password_reset_in_slovenian(tenant_client, tenant_a, member):
    _brand(tenant_a)
    client = tenant_client(tenant_a)
    client.cookies["django_language"] = "sl"
    client.post("/accounts/password/reset/", {"email": "member@a.example"})
    message = mail.outbox[-1]
    assert "Izberite novo geslo" in message.subject
    assert "Izberite novo geslo" in _html(message)


def test_it_sends_a_branded_address_confirmation(tenant_client, tenant_a, member, in_tenant):
    _brand(tenant_a)
    with in_tenant(tenant_a):
        client = tenant_client(tenant_a, User.objects.get(pk=member.pk))
    client.post("/accounts/email/", {"action_add": "", "email": "mia.second@a.example"})
    message = [m for m in mail.outbox if m.to == ["mia.second@a.example"]][-1]
    _assert_branded(message)
    assert "/accounts/confirm-email/" in _html(message)


def test_it_sends_a_branded_invitation_naming_inviter_and_role(tenant_a, owner, rf, django_capture_on_commit_callbacks):
    _brand(tenant_a)
    request = rf.get("/", HTTP_HOST="tenant-a.localhost")
    request.tenant = tenant_a
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        User.objects.filter(pk=owner.pk).update(name="Olga Owner")
        owner.refresh_from_db()
        invitation_create(actor=owner, email="new-branded@elsewhere.example", role=User.Role.ADMIN, request=request)
    message = mail.outbox[-1]
    _assert_branded(message)
    assert message.subject == "Olga Owner invited you to Acme Assist"
    assert "Olga Owner invited you to Acme Assist as Admin." in message.body
    assert "/accounts/invitation/" in _html(message)


def test_it_sends_the_owner_confirmation_as_html_too(db, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("tenants.tasks.provision_tenant.apply_async", lambda *a, **k: None)
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.4.1.9")
    data = {
        "name": "Mailco",
        "subdomain": "mailco",
        "owner_email": "m@mailco.example",
        "owner_password": "purple-otter-rides-42",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/signup/", data).status_code == 302
    message = mail.outbox[-1]
    assert parseaddr(message.from_email)[0] == "Mailco"
    assert "/signup/" in _html(message) and "/confirm/" in _html(message)


def test_it_sends_a_branded_quota_warning(tenant_a, owner, in_tenant):
    from billing import quotas, tasks

    _brand(tenant_a)
    with in_tenant(tenant_a):
        assert tasks.notify_quota_warning.run(str(tenant_a.pk), [quotas.Kind.QUESTIONS]) == 1
    message = mail.outbox[-1]
    _assert_branded(message)
    assert re.search(r'href="http://tenant-a\.localhost(:\d+)?/billing/"', _html(message))
