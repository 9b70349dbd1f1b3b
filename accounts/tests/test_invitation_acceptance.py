"""The invitation page says who invited you to what; accepting asks a display name and does not
ask to confirm the address the invitation was sent to (issue 11 §5)."""

from allauth.account.models import EmailAddress
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import invitation_create

PW = "granite-tulip-sings-31"
GUEST = "guest-accept@elsewhere.example"


def test_it_names_the_inviter_the_workspace_and_the_role(tenant_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(name="Olga Owner")
        owner.refresh_from_db()
        invitation = invitation_create(actor=owner, email=GUEST, role=User.Role.ADMIN)
    client = tenant_client(tenant_a)
    page = client.get(client.get(f"/accounts/invitation/{invitation.token}/")["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>Olga Owner</strong> invited you to <strong>" + tenant_a.app_name + "</strong> as Admin." in html
    assert 'name="name"' in html
    assert GUEST in html


def test_it_signs_up_with_a_name_and_asks_no_confirmation(
    tenant_client, tenant_a, owner, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"  # even where allauth would send its e-mail
    with schema_context(tenant_a.schema_name):
        invitation = invitation_create(actor=owner, email=GUEST)
    client = tenant_client(tenant_a)
    client.get(f"/accounts/invitation/{invitation.token}/")
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"name": "Gina Guest", "email": GUEST, "password1": PW, "password2": PW}, follow=True
        )
    html = response.content.decode()
    assert response.wsgi_request.path == "/chat/"
    assert "Gina" in html
    assert "confirm" not in html.lower()
    assert len(mail.outbox) == before  # no confirmation e-mail for the address the link proved
    with schema_context(tenant_a.schema_name):
        guest = User.objects.get(email=GUEST)
        assert guest.name == "Gina Guest"
        assert EmailAddress.objects.get(user=guest).verified


def test_it_asks_a_name_at_an_open_signup(tenant_client, tenant_a, in_tenant):
    from tenants.services import tenant_settings_save

    tenant_a.settings = {**tenant_a.settings_data, "signup_policy": "open"}
    tenant_settings_save(tenant=tenant_a)
    client = tenant_client(tenant_a)
    assert 'name="name"' in client.get("/accounts/signup/").content.decode()
    client.post("/accounts/signup/", {"name": " Pia ", "email": "pia@open.example", "password1": PW, "password2": PW})
    with in_tenant(tenant_a):
        assert User.objects.get(email="pia@open.example").name == "Pia"
