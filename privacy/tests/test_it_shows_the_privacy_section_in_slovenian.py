from django.urls import reverse


def test_it_shows_the_privacy_section_in_slovenian(in_tenant, tenant_a, member, member_client):
    with in_tenant(tenant_a):
        member.language = "sl"
        member.save()
    member_client.cookies["django_language"] = "sl"
    page = member_client.get(reverse("accounts_preferences"), HTTP_ACCEPT_LANGUAGE="sl").content.decode()
    assert "Vaši podatki" in page and "Pripravi moje podatke za prenos" in page and "Izbriši moj račun" in page
    assert "data-privacy" in page
