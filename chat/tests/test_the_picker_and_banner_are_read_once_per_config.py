"""The composer's strategy/model picker and the admins' model banner are read once per process for
the workspace's orchestration config token (chat.forms.tenant_config_memo): a revisit neither copies
the settings nor decrypts the provider keys again, and a save through the orchestration services
shows on the next page."""

from chat.tests.factories import make_conversation
from orchestration import engine, services
from orchestration import selectors as orchestration_selectors
from orchestration.models import ProviderCredential


def _counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_it_reads_the_picker_and_banner_once_and_sees_a_save_at_once(
    owner_client, member_client, outsider_client, tenant_a, owner, member, in_tenant, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with in_tenant(tenant_a):
        mine = make_conversation(owner, title="Mine")
        theirs = make_conversation(member, title="Theirs")
    choices = _counting(monkeypatch, engine, "choices")
    connection = _counting(monkeypatch, orchestration_selectors, "model_connection")
    first = owner_client.get(f"/chat/{mine.pk}/").content.decode()
    assert 'data-model-banner="none"' in first and 'name="model"' in first
    assert owner_client.get(f"/chat/{mine.pk}/").content.decode().count('data-model-banner="none"') == 1
    assert (len(choices), len(connection)) == (1, 1)  # the revisit read neither again
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        services.credential_save(
            credential=ProviderCredential(provider="openai", model_names=["gpt-4o-picker-test"]),
            user=owner, api_key="sk-picker-test-1234",
        )  # fmt: skip
    after = owner_client.get(f"/chat/{mine.pk}/").content.decode()
    assert 'value="openai:gpt-4o-picker-test"' in after  # the new model, at once
    assert 'data-model-banner="untested"' in after and 'data-model-banner="none"' not in after
    assert (len(choices), len(connection)) == (2, 2)
    # the member (no admin) sees the picker without a banner; nobody reaches another's conversation
    theirs_page = member_client.get(f"/chat/{theirs.pk}/").content.decode()
    assert 'value="openai:gpt-4o-picker-test"' in theirs_page and "data-model-banner" not in theirs_page
    assert member_client.get(f"/chat/{mine.pk}/").status_code == 404
    assert outsider_client.get(f"/chat/{mine.pk}/").status_code == 404
