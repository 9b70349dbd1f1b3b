"""The key never reaches the admin's HTML: not as text, value, hidden input or initial value."""

from orchestration.models import ProviderCredential

SECRET = "sk-live-SECRET-abcdef123456"


def change_url(cred):
    return f"/admin/orchestration/providercredential/{cred.pk}/change/"


def test_it_never_renders_the_key_or_its_ciphertext(owner_client, owner, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
        ciphertext = cred.encrypted_api_key
    for url in (
        change_url(cred),
        "/admin/orchestration/providercredential/",
        f"/admin/orchestration/providercredential/{cred.pk}/history/",
        "/admin/orchestration/settingschange/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SECRET not in html, url
        assert ciphertext not in html, url
        assert ciphertext[:20] not in html, url
    html = owner_client.get(change_url(cred)).content.decode()
    assert "Set on" in html and str(owner) in html
    assert 'name="new_api_key"' in html


def test_it_replaces_the_key_through_the_admin_and_records_who(owner_client, owner, tenant_a, in_tenant, credential):
    from orchestration.selectors import credential_api_key, history_for

    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-old-key-000", models=["gpt-4o"])
    response = owner_client.post(
        change_url(cred),
        {
            "provider": "openai",
            "enabled": "on",
            "priority": 100,
            "new_api_key": SECRET,
            "base_url": "",
            "model_names": ["gpt-4o", "gpt-4o-mini"],
            "default_model": "gpt-4o",
            "requests_per_minute": "",
            "tokens_per_minute": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SECRET not in response.content.decode()
    with in_tenant(tenant_a):
        cred.refresh_from_db()
        assert credential_api_key(cred) == SECRET
        assert cred.model_names == ["gpt-4o", "gpt-4o-mini"]
        assert cred.key_set_by == owner
        change = history_for(target_id=cred.pk)[0]
    assert change.changes["api_key"] == "replaced"
    assert change.changed_by == owner
    assert SECRET not in str(change.changes)
    html = owner_client.get(change_url(cred)).content.decode()
    assert "API key replaced" in html and SECRET not in html


def test_it_clears_the_key(owner_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
    owner_client.post(
        change_url(cred),
        {
            "provider": "openai",
            "enabled": "on",
            "priority": 100,
            "clear_api_key": "on",
            "model_names": ["gpt-4o"],
            "default_model": "gpt-4o",
        },
    )
    with in_tenant(tenant_a):
        cred.refresh_from_db()
    assert cred.encrypted_api_key == "" and cred.key_set_at is None
    assert "Not set" in owner_client.get(change_url(cred)).content.decode()


def test_it_does_not_echo_the_key_when_the_form_has_errors(owner_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-old", models=["gpt-4o"])
    response = owner_client.post(change_url(cred), {"provider": "openai", "new_api_key": SECRET, "priority": "x"})
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_it_keeps_the_credential_admin_from_members(member_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
    response = member_client.get(change_url(cred))
    assert response.status_code in (302, 403, 404)
    assert SECRET not in response.content.decode()


def test_it_keeps_another_tenants_credential_out_of_reach(outsider_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
    response = outsider_client.get(change_url(cred))
    assert response.status_code in (302, 403, 404)
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.filter(pk=cred.pk).exists()


def test_it_adds_a_credential_with_a_key_through_the_admin(owner_client, owner, tenant_a, in_tenant):
    from orchestration.selectors import credential_api_key

    assert owner_client.get("/admin/orchestration/providercredential/add/").status_code == 200
    response = owner_client.post(
        "/admin/orchestration/providercredential/add/",
        {
            "provider": "anthropic",
            "enabled": "on",
            "priority": 100,
            "new_api_key": SECRET,
            "model_names": ["claude-haiku-4-5"],
            "default_model": "claude-haiku-4-5",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        cred = ProviderCredential.objects.get(provider="anthropic")
        assert credential_api_key(cred) == SECRET
        assert cred.key_set_by == owner
    html = owner_client.get(change_url(cred)).content.decode()
    assert SECRET not in html and cred.encrypted_api_key not in html
    assert "API key set" in html


def test_it_never_renders_the_key_on_the_dashboard_or_the_test_result(owner_client, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
        ciphertext = cred.encrypted_api_key
    owner_client.post(f"/admin/orchestration/providercredential/{cred.pk}/test/")
    for url in ("/admin/", change_url(cred), "/admin/orchestration/providercredential/"):
        html = owner_client.get(url).content.decode()
        assert SECRET not in html and ciphertext[:20] not in html, url
        assert "sk-…456" in html, url  # the hint only: the prefix and the last three characters
