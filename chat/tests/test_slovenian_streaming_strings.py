"""The strings chat.js shows for progress, code blocks and the length counter are in Slovenian too."""

from accounts.models import User
from chat.tests.factories import make_conversation


def test_it_hands_chat_js_the_slovenian_strings(slovenian_catalog, owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
        conversation = make_conversation(owner)
    body = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'aria-label="Kopiraj kodo"' in body
    for text in ("pi\\u0161e \\u2026", "\\u010daka", "Kon\\u010dni odgovor", "Predolgo: %(count)s od %(limit)s znakov"):
        assert text in body, text
    assert "Too long" not in body and "Copy code" not in body
