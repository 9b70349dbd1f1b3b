"""A completed message is rendered once per language and served from the cache; what varies is filled in."""

import re

from django.core.cache import cache
from django.test import Client
from django.utils import translation

from accounts.models import User
from chat import fragments
from chat.models import Message
from chat.services import message_rate, message_regenerate
from chat.tests.factories import make_conversation
from conftest import host_of


def _thread(page: str) -> str:
    return page.split('id="thread"')[1].split("data-composer")[0]


def test_it_renders_the_same_page_from_the_cache(owner_client, tenant_a, owner, in_tenant, monkeypatch):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=3)
        answer = conversation.current_leaf
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    with in_tenant(tenant_a), translation.override("en"):
        assert cache.get(fragments.fragment_key(answer, "en")) is not None
    renders = []
    real = fragments.get_template

    class Counting:
        def __init__(self, name):
            self.name, self.template = name, real(name)

        def render(self, context):
            renders.append(self.name)
            return self.template.render(context)

    monkeypatch.setattr(fragments, "get_template", Counting)
    second = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert renders == []  # six completed messages, none rendered again
    assert _same(_thread(second)) == _same(_thread(first))
    assert "Answer 2" in second and "\x1f" not in second


def _same(html: str) -> str:
    """Django masks the CSRF token differently in every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


def test_it_fills_in_each_sessions_own_csrf_token(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
    tokens = []
    for _ in range(2):
        client = Client(HTTP_HOST=host_of(tenant_a))
        with in_tenant(tenant_a):
            client.force_login(owner)
        page = client.get(f"/chat/{conversation.pk}/").content.decode()
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _thread(page)))
        assert found
        tokens.append({_unmasked(t) for t in found})
    assert len(tokens[0]) == len(tokens[1]) == 1  # every form of a page carries its session's secret
    assert tokens[0] != tokens[1]  # the second page came from the cache with its own token


def _unmasked(token: str) -> str:
    from django.middleware.csrf import _unmask_cipher_token

    return _unmask_cipher_token(token)


def test_it_shows_a_change_to_the_message_at_once(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        answer = conversation.current_leaf
    owner_client.get(f"/chat/{conversation.pk}/")
    with in_tenant(tenant_a):
        message_rate(message=Message.objects.get(pk=answer.pk), rating=1)
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'aria-pressed="true" title="Good answer"' in page


def test_it_shows_the_versions_nav_of_a_cached_answer_once_it_has_a_sibling(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        answer = conversation.current_leaf
    assert 'class="sib-pos"' not in owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    with in_tenant(tenant_a):
        newer = message_regenerate(message=answer)
        Message.objects.filter(pk=newer.pk).update(status="complete", content="Another answer")
    owner_client.post(f"/chat/m/{answer.pk}/switch/")
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert '<span class="sib-pos">1/2</span>' in page  # the original answer, its fragment cached before


def test_it_keeps_a_fragment_per_language(owner_client, tenant_a, owner, in_tenant, slovenian_catalog):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
    english = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
    slovenian = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'title="Regenerate"' in english
    assert 'title="Ustvari znova"' in slovenian and 'title="Regenerate"' not in slovenian


def test_it_renders_an_open_answer_every_time(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        pending = message_regenerate(message=conversation.current_leaf)
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert f'data-stream-url="/chat/m/{pending.pk}/stream/"' in page
    with in_tenant(tenant_a), translation.override("en"):
        assert cache.get(fragments.fragment_key(pending, "en")) is None


def test_it_shows_the_outsider_nothing(outsider_client, owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
    owner_client.get(f"/chat/{conversation.pk}/")  # cached in tenant A
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404


def test_it_shows_a_renamed_conversation_in_the_cached_sidebar_at_once(owner_client, tenant_a, owner, in_tenant):
    from chat.services import conversation_rename

    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Old name", turns=1)
    assert "Old name" in owner_client.get("/chat/").content.decode()
    with in_tenant(tenant_a):
        conversation_rename(conversation=conversation, title="New name")
    body = owner_client.get("/chat/").content.decode()
    assert "New name" in body and "Old name" not in body
