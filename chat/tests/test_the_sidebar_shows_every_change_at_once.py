"""The sidebar's list is cached under a token per user that the conversation services replace on
commit: a revisit reads no conversation row, and every write it shows (create, rename, star, archive,
delete, restore, a question, an answer, a regeneration, an import, retention) shows at once."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from chat import services
from chat.models import Conversation, Message
from chat.tests.factories import make_conversation


def _sidebar(client, path: str) -> str:
    html = client.get(path).content.decode()
    return html.split('id="conv-list"')[1].split("</ul>")[0]


def _list_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return sum('ORDER BY "chat_conversation"."is_starred" DESC' in q["sql"] for q in ctx.captured_queries)


def test_it_reads_no_conversation_row_on_a_revisit(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Kept in the cache")
    path = f"/chat/{conversation.pk}/"
    assert _list_queries(owner_client, path) == 1
    assert _list_queries(owner_client, path) == 0
    assert "Kept in the cache" in _sidebar(owner_client, path)


def _noop_generation(monkeypatch):
    monkeypatch.setattr("chat.services.messages._enqueue_generation", lambda *a, **k: None)


def _rename(c, owner):
    services.conversation_rename(conversation=c, title="Renamed at once")
    return lambda s: "Renamed at once" in s


def _star(c, owner):
    services.conversation_star(conversation=c, starred=True)
    return lambda s: 'aria-label="Starred"' in s


def _archive(c, owner):
    services.conversation_archive(conversation=c, archived=True)
    return lambda s: "Watched chat" not in s


def _delete(c, owner):
    services.conversation_delete(conversation=c)
    return lambda s: "Watched chat" not in s


def _create(c, owner):
    services.conversation_create(user=owner, title="Brand new chat")
    return lambda s: "Brand new chat" in s


def _question(c, owner):
    services.message_send(conversation_id=c.pk, user=owner, content="A fresh question")
    return lambda s: "A fresh question" in s


def _answer(c, owner):
    pending = Message.objects.create(conversation=c, parent=c.current_leaf, role="assistant", status="pending")
    services.message_finalize(message_id=pending.pk, status="complete", content="A final answer")
    return lambda s: "A final answer" in s


def _regenerate(c, owner):
    old = f'datetime="{c.last_message_at.isoformat()}"'  # 40 days ago
    services.message_regenerate(message=c.current_leaf)
    return lambda s: old not in s and "Watched chat" in s


def _import(c, owner):
    export = services.conversations_export(user=owner)
    for i, item in enumerate(export["conversations"]):
        item.update(title="Imported at once", origin_id=f"another-origin-{i}")
    services.conversations_import(user=owner, raw=json.dumps(export))
    return lambda s: "Imported at once" in s


def _retention(c, owner):
    services.conversations_archive_inactive(days=30)  # the watched chat is 40 days old
    return lambda s: "Watched chat" not in s


@pytest.mark.parametrize(
    "change",
    [_rename, _star, _archive, _delete, _create, _question, _answer, _regenerate, _import, _retention],
    ids=lambda f: f.__name__.strip("_"),
)
def test_it_shows_each_change_at_once(
    change, owner_client, outsider_client, tenant_a, owner, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    _noop_generation(monkeypatch)
    with in_tenant(tenant_a):
        other = make_conversation(owner, title="Other chat")
        watched = make_conversation(
            owner, title="Watched chat", turns=2, last_message_at=timezone.now() - timedelta(days=40)
        )
    path = f"/chat/{other.pk}/"
    with translation.override("en"):
        before = _sidebar(owner_client, path)
        assert "Watched chat" in before and _list_queries(owner_client, path) == 0  # cached
        with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):  # committed: tokens replaced
            shows = change(Conversation.objects.get(pk=watched.pk), owner)
        after = _sidebar(owner_client, path)
    assert shows(after), after
    assert outsider_client.get(path).status_code == 404


def test_it_never_shows_one_users_list_to_another(
    owner_client, member_client, outsider_client, tenant_a, owner, in_tenant
):
    with in_tenant(tenant_a):
        mine = make_conversation(owner, title="Owner secret plans")
    assert "Owner secret plans" in _sidebar(owner_client, f"/chat/{mine.pk}/")
    assert "Owner secret plans" in _sidebar(owner_client, "/chat/search/")  # cached now
    assert "Owner secret plans" not in _sidebar(member_client, "/chat/search/")
    assert "Owner secret plans" not in _sidebar(outsider_client, "/chat/search/")
    assert outsider_client.get(f"/chat/{mine.pk}/").status_code == 404


def test_it_follows_the_language_and_marks_the_current_conversation(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        untitled = make_conversation(owner, title="")
        other = make_conversation(owner, title="Other chat")
    english = _sidebar(owner_client, f"/chat/{untitled.pk}/")
    assert "New chat" in english
    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
    slovenian = _sidebar(owner_client, f"/chat/{untitled.pk}/")
    assert "Nov pogovor" in slovenian and "New chat" not in slovenian, slovenian
    on_other = _sidebar(owner_client, f"/chat/{other.pk}/")  # the same cached list, another highlight
    current = re.findall(r'<a class="conv is-current" href="/chat/([0-9a-f-]+)/" aria-current="page">', on_other)
    assert current == [str(other.pk)] and on_other.count("is-current") == 1 and "\x1f" not in on_other
