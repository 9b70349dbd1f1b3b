"""“Test connection” calls the credential's provider once and shows the answer or the error."""

from __future__ import annotations

from accounts.models import User
from orchestration.models import ProviderCredential


def url(cred) -> str:
    return f"/admin/orchestration/providercredential/{cred.pk}/test/"


def test_it_shows_the_answer_and_offers_the_models_the_server_reports(
    owner_client, tenant_a, in_tenant, credential, fake_llm, settings
):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.server.models = ["llama3.1:8b", "qwen2.5:7b"]
    fake_llm.behave("*", text="ok")
    with in_tenant(tenant_a):
        cred = credential("openai_compatible", key="", models=[])
    response = owner_client.post(url(cred), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "llama3.1:8b answered “ok”" in html
    assert [r.path for r in fake_llm.requests] == ["/models", "/chat/completions"]
    with in_tenant(tenant_a):
        cred.refresh_from_db()
    assert cred.last_check_ok is True and cred.reported_models == ["llama3.1:8b", "qwen2.5:7b"]
    assert 'value="qwen2.5:7b"' in html  # offered in the models list of the form


def test_it_shows_the_providers_error(owner_client, tenant_a, in_tenant, credential, fake_llm):
    fake_llm.behave("*", status=401)
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-wrong-key-123", models=["gpt-4o"])
    html = owner_client.post(url(cred), follow=True).content.decode()
    assert "OpenAI rejected the API key" in html
    with in_tenant(tenant_a):
        cred.refresh_from_db()
    assert cred.last_check_ok is False and "rejected" in cred.last_check_message


def test_it_runs_from_the_list_as_an_action(owner_client, tenant_a, in_tenant, credential, fake_llm):
    fake_llm.behave("*", text="ok")
    with in_tenant(tenant_a):
        cred = credential("anthropic", key="sk-ant-key-456", models=["claude-haiku-4-5"])
    response = owner_client.post(
        "/admin/orchestration/providercredential/",
        {"action": "test_connection", "_selected_action": [str(cred.pk)]},
        follow=True,
    )
    # the workspace settings name the Anthropic model that answers (claude-sonnet-4-6 by default)
    assert "claude-sonnet-4-6 answered “ok”" in response.content.decode()


def test_it_refuses_members_and_calls_nobody(member_client, tenant_a, in_tenant, credential, fake_llm):
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-tenant-key-123", models=["gpt-4o"])
    assert member_client.post(url(cred)).status_code == 403
    assert fake_llm.requests == []
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.get(pk=cred.pk).last_checked_at is None


def test_it_does_not_find_another_workspaces_credential(tenant_client, tenant_a, tenant_b, in_tenant, credential,
                                                        outsider, fake_llm):  # fmt: skip
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-tenant-key-123", models=["gpt-4o"])
    with in_tenant(tenant_b):
        User.objects.filter(pk=outsider.pk).update(role=User.Role.OWNER, is_staff=True)
        outsider.refresh_from_db()
    assert tenant_client(tenant_b, outsider).post(url(cred)).status_code == 404
    assert fake_llm.requests == []
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.get(pk=cred.pk).last_checked_at is None


def test_it_only_accepts_a_post(owner_client, tenant_a, in_tenant, credential, fake_llm):
    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-tenant-key-123", models=["gpt-4o"])
    assert owner_client.get(url(cred)).status_code == 405
    assert fake_llm.requests == []
