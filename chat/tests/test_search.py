"""Full-text search over the user's own messages: ranked, highlighted safely, with the tenant's language."""

from chat import selectors
from chat.services import conversation_start, message_finalize
from chat.tests.factories import make_conversation


def _say(user, text, answer="ok"):
    conversation = conversation_start(user=user, content=text)
    message_finalize(message_id=conversation.messages.get(role="assistant").pk, status="complete", content=answer)
    return conversation


def test_it_finds_ranked_hits_with_stemming(tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        _say(owner, "How do I bake sourdough bread?", "Bake the bread at 250 degrees. Bread needs steam.")
        _say(owner, "Walking routes", "Try walking by the river.")
        _say(member, "bread recipes from the member")
        hits = selectors.message_search(user=owner, query="baking breads")
    assert hits and all("Walking" not in h.conversation_title for h in hits)
    assert "<mark>" in hits[0].snippet_html
    assert all("member" not in h.snippet_html for h in hits)
    assert hits[0].rank >= hits[-1].rank


def test_it_escapes_snippets(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        _say(owner, "Why does <script>alert(1)</script> dangerous code run? Tom & Jerry say 2 < 3")
        hits = selectors.message_search(user=owner, query="dangerous")
    assert hits
    assert "<script" not in hits[0].snippet_html and "Tom &amp; Jerry" in hits[0].snippet_html
    assert "<mark>dangerous</mark>" in hits[0].snippet_html


def test_it_uses_simple_configuration_for_slovenian_tenants(tenant_a, owner, in_tenant, monkeypatch):
    from chat import text

    monkeypatch.setattr(text, "tenant_language", lambda: "sl")
    with in_tenant(tenant_a):
        _say(owner, "Kje je najbližja knjižnica?")
        assert selectors.message_search(user=owner, query="knjižnica")
        assert not selectors.message_search(user=owner, query="knjižnice")  # no stemming for Slovenian


def test_it_renders_results_linking_to_the_message(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = _say(owner, "Notes about quantum computing")
        question = conversation.messages.get(role="user")
    body = owner_client.get("/chat/search/", {"q": "quantum"}).content.decode()
    assert f"/chat/{conversation.pk}/?m={question.pk}#m-{question.pk}" in body
    assert "<mark>quantum</mark>" in body
    page = owner_client.get(f"/chat/{conversation.pk}/?m={question.pk}").content.decode()
    assert f'data-focus="{question.pk}"' in page


def test_it_opens_a_hit_on_another_branch(owner_client, tenant_a, owner, in_tenant):
    from chat.services import message_edit

    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        original = conversation.messages.get(role="user")
        message_edit(message=original, user=owner, content="Edited away")
    page = owner_client.get(f"/chat/{conversation.pk}/?m={original.pk}").content.decode().split('id="thread"')[1]
    assert "Question 0" in page and "Edited away" not in page


def test_it_shows_nothing_found_and_the_outsider_finds_nothing(
    owner_client, outsider_client, tenant_a, owner, in_tenant
):
    with in_tenant(tenant_a):
        _say(owner, "zebra crossing")
    assert "Nothing found" in owner_client.get("/chat/search/", {"q": "giraffe"}).content.decode()
    assert "Nothing found" in outsider_client.get("/chat/search/", {"q": "zebra"}).content.decode()


def test_it_finds_nothing_for_stop_words_only(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        _say(owner, "the cat and the hat")
        assert selectors.message_search(user=owner, query="the and") == []
        assert selectors.message_search(user=owner, query="hat")


def test_it_indexes_the_owner_so_that_nobody_else_matches(tenant_a, owner, member, in_tenant):
    from chat.search_index import owner_lexeme

    with in_tenant(tenant_a):
        conversation = _say(owner, "unique marmalade words")
        vector = conversation.messages.filter(role="user").values_list("search_vector", flat=True).get()
        assert owner_lexeme(owner.pk) in vector
        assert selectors.message_search(user=member, query="marmalade") == []
        assert selectors.message_search(user=member, query=owner_lexeme(owner.pk)) == []
