"""A stored key leaves a hint (sk-…123) taken at encryption time; clearing the key clears it."""

from orchestration.models import key_hint


def test_it_keeps_the_prefix_and_the_last_three_characters_only():
    assert key_hint("sk-proj-abcdefghijklmnop789") == "sk-…789"
    assert key_hint("abcdefghijklmnop123") == "…123"
    assert key_hint("short1") == "…1"
    assert key_hint("") == "…"


def test_it_stores_and_clears_the_hint_with_the_key(owner, tenant_a, in_tenant, credential):
    from orchestration.services import credential_save

    with in_tenant(tenant_a):
        cred = credential("openai", key="sk-live-abcdefghij-456", models=["gpt-4o"])
        assert cred.key_hint == "sk-…456"
        credential_save(credential=cred, user=owner, clear_key=True)
        cred.refresh_from_db()
    assert cred.key_hint == "" and not cred.has_key
