"""Changing the workspace's language keeps old messages findable, and a task re-indexes them in the new one."""

from chat import selectors, text
from chat.models import Message, SearchIndexState
from chat.services import conversation_start, message_finalize
from chat.services.search import search_index_rebuild, search_index_sync
from chat.tasks import reindex_search


def _say(user, content, answer="ok"):
    conversation = conversation_start(user=user, content=content)
    message_finalize(message_id=conversation.messages.get(role="assistant").pk, status="complete", content=answer)
    return conversation


def _speak(monkeypatch, language):
    monkeypatch.setattr(text, "tenant_language", lambda: language)


def test_it_finds_old_messages_right_after_the_language_changed(tenant_a, owner, in_tenant, monkeypatch):
    _speak(monkeypatch, "en")
    with in_tenant(tenant_a):
        _say(owner, "Libraries near the river")  # indexed with 'english': 'librari', 'river'
        _speak(monkeypatch, "sl")  # the admin switched the workspace to Slovenian ('simple')
        hits = selectors.message_search(user=owner, query="libraries")
    assert [h.role for h in hits] == ["user"]


def test_it_rebuilds_the_index_in_the_new_language(
    owner_client, tenant_a, owner, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    _speak(monkeypatch, "en")
    with in_tenant(tenant_a):
        conversation = _say(owner, "Libraries near the river")
        _speak(monkeypatch, "sl")
    with django_capture_on_commit_callbacks() as callbacks:
        owner_client.get("/chat/search/", {"q": "libraries"})  # the page notices; it writes nothing
    assert "enqueue.<locals>.<lambda>" in [c.__qualname__ for c in callbacks]  # the task, after the response
    with in_tenant(tenant_a):
        assert (SearchIndexState.objects.get().config, SearchIndexState.objects.get().building) == ("english", "")
        assert reindex_search() == Message.objects.count()  # the task, in the tenant's schema
        assert (SearchIndexState.objects.get().config, SearchIndexState.objects.get().building) == ("simple", "")
        vector = conversation.messages.filter(role="user").values_list("search_vector", flat=True).get()
        assert "'libraries'" in vector and "'librari'" not in vector  # simple: no English stemming any more
        hits = selectors.message_search(user=owner, query="knjižnica libraries")
        assert not hits  # both words must match, and there is no 'knjižnica'
        assert [h.role for h in selectors.message_search(user=owner, query="libraries")] == ["user"]
        assert search_index_rebuild() == 0  # a redelivered task finds nothing to do


def test_it_finds_every_message_while_the_rebuild_is_half_way(tenant_a, owner, in_tenant, monkeypatch):
    _speak(monkeypatch, "en")
    with in_tenant(tenant_a):
        _say(owner, "Libraries near the river")
        _say(owner, "Walking in the libraries")
        _speak(monkeypatch, "sl")
        assert search_index_sync() == "simple"  # the rebuild starts: new vectors use 'simple'
        assert search_index_rebuild(batch=2, batches=1) == 2  # 2 of 4 messages in 'simple', 2 in 'english'
        _say(owner, "More libraries")  # indexed with 'simple' while the rebuild runs
        assert len(selectors.message_search(user=owner, query="libraries")) == 3
        search_index_rebuild()
        assert SearchIndexState.objects.get().configs == ("simple",)
        assert len(selectors.message_search(user=owner, query="libraries")) == 3


def test_it_finds_nothing_of_the_owners_for_the_outsider(outsider_client, tenant_a, owner, in_tenant, monkeypatch):
    _speak(monkeypatch, "en")
    with in_tenant(tenant_a):
        _say(owner, "Libraries near the river")
        _speak(monkeypatch, "sl")
    assert "Libraries" not in outsider_client.get("/chat/search/", {"q": "libraries"}).content.decode()
