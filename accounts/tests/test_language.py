"""Pages come in the user's language; visitors get the workspace's default language."""

from django_tenants.utils import schema_context

from accounts.models import User


def test_it_shows_pages_in_the_users_language(tenant_client, tenant_a, member):
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=member.pk).update(language="sl")
        member.refresh_from_db()
    body = tenant_client(tenant_a, member).get("/chat/").content.decode()
    assert 'lang="sl"' in body
    assert "Pogovori" in body and "Odjava" in body


def test_it_shows_english_to_an_english_user(member_client):
    body = member_client.get("/chat/").content.decode()
    assert 'lang="en"' in body and "Sign out" in body


def test_it_uses_the_workspace_default_language_for_visitors(tenant_client, tenant_a):
    tenant_a.settings = {**tenant_a.settings_data, "default_language": "sl"}
    tenant_a.save()
    body = tenant_client(tenant_a).get("/accounts/login/").content.decode()
    assert 'lang="sl"' in body
    assert "Prijava" in body


def test_it_lets_a_user_switch_language_in_preferences(member_client, tenant_a, member):
    response = member_client.post(
        "/accounts/preferences/",
        {"name": "Mia", "language": "sl", "timezone": "Europe/Ljubljana", "email_notifications": "on"},
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        member.refresh_from_db()
    assert (member.language, member.timezone) == ("sl", "Europe/Ljubljana")
    assert "Vaše nastavitve so shranjene." in member_client.get("/accounts/preferences/").content.decode()


def test_it_shows_the_public_signup_form_in_slovenian(public_client):
    body = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="sl").content.decode()
    assert "Ustvarite svoj delovni prostor" in body
