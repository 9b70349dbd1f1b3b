"""The chat page tells owners and admins (not members) that no language model is connected yet,
links to the provider credentials admin with the last "Test connection" result, and goes away
once a credential works (issue 11 §3)."""

from orchestration.models import ProviderCredential
from orchestration.services import credential_record_check, credential_save


def banner(response) -> str:
    html = response.content.decode()
    start = html.find('class="model-banner"')
    return "" if start < 0 else html[start : html.find("</aside>", start)]


def add_credential(owner, **check):
    cred = ProviderCredential(provider="openai")
    credential_save(credential=cred, user=owner, api_key="sk-test-banner-0001")
    if check:
        credential_record_check(credential=cred, **check)
    return cred


def test_it_shows_the_owner_a_banner_linking_to_add_a_provider(owner_client):
    response = owner_client.get("/chat/")
    assert response.status_code == 200
    text = banner(response)
    assert 'data-model-banner="none"' in text
    assert "No language model connected yet" in text and "Ollama, vLLM" in text
    assert 'href="/admin/orchestration/providercredential/add/"' in text


def test_it_shows_no_banner_to_a_member(member_client):
    response = member_client.get("/chat/")
    assert response.status_code == 200
    assert banner(response) == ""


def test_it_offers_test_connection_and_shows_the_last_failure(owner_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        cred = add_credential(owner, ok=False, message="The provider refused the key (401).")
    text = banner(owner_client.get("/chat/"))
    assert 'data-model-banner="failed"' in text
    assert "The provider refused the key (401)." in text
    assert f'action="/admin/orchestration/providercredential/{cred.pk}/test/"' in text
    assert f'href="/admin/orchestration/providercredential/{cred.pk}/change/"' in text


def test_it_says_an_untested_credential_was_never_tested(owner_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        add_credential(owner)
    text = banner(owner_client.get("/chat/"))
    assert 'data-model-banner="untested"' in text and "never tested" in text


def test_it_goes_away_once_a_credential_works(owner_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        add_credential(owner, ok=False, message="down")
    assert banner(owner_client.get("/chat/"))
    with in_tenant(tenant_a):
        cred = ProviderCredential.objects.get(provider="openai")
        credential_record_check(credential=cred, ok=True, message="OK: gpt-4o answered.")
    assert banner(owner_client.get("/chat/")) == ""


def test_it_shows_no_banner_with_a_platform_key(owner_client, settings):
    settings.ANTHROPIC_API_KEY = "sk-ant-platform"
    assert banner(owner_client.get("/chat/")) == ""


def test_it_leaves_the_outsider_out(outsider_client, owner, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        cred = add_credential(owner, ok=False, message="secret detail")
    response = outsider_client.get("/chat/")
    assert str(cred.pk) not in response.content.decode() and "secret detail" not in response.content.decode()
    assert outsider_client.post(f"/admin/orchestration/providercredential/{cred.pk}/test/").status_code in (403, 404)
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.get(pk=cred.pk).last_check_message == "secret detail"
