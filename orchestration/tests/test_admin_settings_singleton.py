"""The answer settings are one form: the list opens the workspace's one row; no Add, no "Save and add another"."""

from accounts.models import User
from orchestration.models import OrchestrationSettings

LIST = "/admin/orchestration/orchestrationsettings/"


def test_it_opens_the_one_settings_form_even_before_anything_was_saved(owner_client, tenant_a, in_tenant):
    response = owner_client.get(LIST)
    with in_tenant(tenant_a):
        obj = OrchestrationSettings.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{obj.pk}/change/")
    html = owner_client.get(response["Location"]).content.decode()
    assert "Answer settings" in html
    assert "_addanother" not in html and "_continue" not in html
    assert owner_client.get(LIST + "add/").status_code == 403


def test_it_offers_choices_not_free_text(owner_client):
    html = owner_client.get(owner_client.get(LIST)["Location"]).content.decode()
    assert '<select name="openai_model"' in html and '<option value="gpt-4o-mini"' in html
    assert '<option value="parallel_consensus">Consensus of several models</option>' in html
    assert 'name="price_overrides-0-model"' in html
    assert 'name="app_name"' not in html  # the app name lives in Workspace settings only


def test_it_refuses_members_and_changes_nothing(member_client, tenant_a, in_tenant):
    response = member_client.get(LIST)
    assert response.status_code == 403
    with in_tenant(tenant_a):
        assert not OrchestrationSettings.objects.exists()


def test_it_keeps_another_workspaces_settings_out_of_reach(owner_client, tenant_client, tenant_a, tenant_b, in_tenant,
                                                           outsider):  # fmt: skip
    obj_url = owner_client.get(LIST)["Location"]
    with in_tenant(tenant_b):
        User.objects.filter(pk=outsider.pk).update(role=User.Role.OWNER, is_staff=True)
        outsider.refresh_from_db()
    client_b = tenant_client(tenant_b, outsider)
    assert client_b.get(obj_url).status_code in (302, 404)  # the admin's "does not exist" redirect
    assert client_b.post(obj_url, {"system_message": "pwned"}).status_code in (302, 404)
    with in_tenant(tenant_a):
        assert OrchestrationSettings.objects.get().system_message != "pwned"


def test_it_refuses_a_negative_price_and_saves_nothing(owner_client, tenant_a, in_tenant):
    url = owner_client.get(LIST)["Location"]
    data = {"openai_model": "gpt-4o", "anthropic_model": "claude-sonnet-4-6", "perplexity_model": "sonar",
            "strategies": ["single_provider"], "default_strategy": "single_provider", "default_temperature": "0.7",
            "default_max_tokens": "4000", "request_timeout": "30", "max_cost_per_query": "0.10",
            "price_overrides-0-model": "gpt-4o", "price_overrides-0-input": "-1",
            "price_overrides-0-output": "2"}  # fmt: skip
    response = owner_client.post(url, data)
    assert response.status_code == 200 and "Prices cannot be negative (gpt-4o)." in response.content.decode()
    with in_tenant(tenant_a):
        assert OrchestrationSettings.objects.get().price_overrides == {}
