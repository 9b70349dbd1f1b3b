"""A whole thread's HTML, once read from Redis, is kept in the process under the same key (the
digest of every row it shows): later revisits do not ask Redis for it, still get their own CSRF
token and author's initial in its slots, and a change to the thread is a new key, shown at once."""

import re

from django.utils import translation

from chat.models import Message
from chat.services import message_rate
from chat.tests.factories import make_conversation
from chat.tests.helpers import recording_redis


def _thread_reads(sent: list) -> list:
    return [args[0] for args in sent if any(":chat:thread:" in str(a) for a in args[1:])]


def _thread_of(page: str) -> str:
    return page.split('id="thread"')[1].split("data-composer")[0]


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _thread_of(page))


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _thread_of(page))


def test_it_serves_a_thread_it_has_read_without_asking_redis(owner_client, tenant_a, owner, in_tenant, monkeypatch):
    with in_tenant(tenant_a), translation.override("en"):
        conversation = make_conversation(owner, turns=3)
        answer = conversation.current_leaf
    url = f"/chat/{conversation.pk}/"
    owner_client.get(url)  # renders the thread and stores it in Redis
    sent = recording_redis(monkeypatch)
    second = owner_client.get(url).content.decode()
    assert _thread_reads(sent) == ["GET"]  # from Redis, once
    sent.clear()
    third = owner_client.get(url).content.decode()
    assert _thread_reads(sent) == []  # from this process
    assert "\x1f" not in third and "Answer 2" in third
    tokens = _tokens(third)
    assert tokens and all(len(t) == 64 for t in tokens)  # each form carries this request's masked token
    assert _tokens(second) != tokens  # masked afresh per request, never the one stored
    assert _without_tokens(third) == _without_tokens(second)
    assert f'<div class="msg-avatar" aria-hidden="true">{owner.get_short_name()[:1].upper()}</div>' in third

    with in_tenant(tenant_a):
        message_rate(message=Message.objects.get(pk=answer.pk), rating=1)
    sent.clear()
    rated = owner_client.get(url).content.decode()
    assert 'aria-pressed="true" title="Good answer"' in rated  # a new digest: a new key, not the kept HTML
