"""Chat search finds conversation titles too (Slovenian words by their lemma, as documents do), and
its message snippets never cut a word in half (issue 11 §10)."""

import re

from chat.search import title_search
from chat.services import conversation_start, message_finalize
from chat.tests.factories import make_conversation


def test_it_finds_a_title_that_no_message_contains(member_client, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(member, title="Quarterly budget review")
    html = member_client.get("/chat/search/?q=budgets").content.decode()
    assert 'id="title-results"' in html
    assert f"/chat/{conversation.pk}/" in html
    assert "<mark>budget</mark>" in html


def test_it_finds_a_slovenian_title_by_its_lemma(member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(member, title="Garancija za pralni stroj")
        make_conversation(member, title="Dopust poleti")
        hits = title_search(user=member, query="garancije")
    assert [h.title_html for h in hits] == ["<mark>Garancija</mark> za pralni stroj"]


def test_it_escapes_titles(member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(member, title="<b>bold</b> plans & more")
        (hit,) = title_search(user=member, query="plans")
    assert "<b>" not in hit.title_html and "&amp;" in hit.title_html and "<mark>plans</mark>" in hit.title_html


def test_it_keeps_whole_words_in_message_snippets(member_client, member, tenant_a, in_tenant):
    words = [f"word{i:03d}" for i in range(200)]
    text = " ".join(words[:100]) + " needle " + " ".join(words[100:])
    with in_tenant(tenant_a):
        conversation = conversation_start(user=member, content="long text")
        message_finalize(message_id=conversation.messages.get(role="assistant").pk, status="complete", content=text)
    html = member_client.get("/chat/search/?q=needle").content.decode()
    snippet = html.split('class="hit-snippet">')[1].split("</span>")[0]
    assert "<mark>needle</mark>" in snippet
    shown = re.findall(r"\w+", snippet.replace("<mark>", " ").replace("</mark>", " "))
    assert shown and all(w in words or w in ("needle", "mark") for w in shown), shown


def test_it_shows_no_one_elses_titles(outsider_client, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(member, title="Quarterly budget review")
    html = outsider_client.get("/chat/search/?q=budget").content.decode()
    assert "Quarterly" not in html and 'id="title-results"' not in html
