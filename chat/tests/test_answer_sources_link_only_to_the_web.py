"""Answer sources become links only when they are http(s): never javascript:, data: or vbscript:."""

import json

import pytest

from chat.models import Message
from chat.tests.factories import make_conversation
from core.weburl import web_url

BAD = [
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/\\evil.example/x",
    "https:/no-host",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD)
def test_it_refuses_links_that_are_not_http(url):
    assert web_url(url) == ""


def test_it_keeps_http_links_and_site_paths():
    assert web_url("https://www.gov.si/a?b=1") == "https://www.gov.si/a?b=1"
    assert web_url(" http://example.com ") == "http://example.com"
    assert web_url("/documents/1/") == "/documents/1/"


def _answer_with_sources(owner, sources):
    conversation = make_conversation(owner, turns=1)
    answer = conversation.current_leaf
    answer.meta_data = {"orchestration": {"sources_included": sources}}
    answer.save()
    return conversation


def test_it_shows_stored_unsafe_sources_as_text_not_links(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = _answer_with_sources(
            owner,
            [
                {"url": "javascript:alert(1)", "title": "Click me"},
                {"url": "data:text/html,x", "title": ""},
                {"url": "https://www.gov.si/", "title": "GOV.SI"},
            ],
        )
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "javascript:" not in page and "data:text/html" not in page
    assert "Click me" in page
    assert 'href="https://www.gov.si/"' in page


def test_it_leaves_unsafe_sources_out_of_the_markdown_export(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = _answer_with_sources(
            owner,
            [
                {"url": "javascript:alert(1)", "title": "Click me"},
                {"url": "https://www.gov.si/", "title": "GOV](javascript:alert(1))"},
            ],
        )
    body = owner_client.get(f"/chat/{conversation.pk}/export/", {"format": "md"}).getvalue().decode()
    assert "(javascript:" not in body.replace("\\(", "")
    assert "- [GOV\\]\\(javascript:alert\\(1\\)\\)](<https://www.gov.si/>)" in body
    assert "Click me" not in body


def test_it_refuses_an_import_with_an_unsafe_source(owner_client, tenant_a, owner, in_tenant, counts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "format": "chorus.chat",
        "version": 1,
        "conversations": [
            {
                "title": "Evil",
                "messages": [
                    {"id": "q", "role": "user", "content": "hi"},
                    {
                        "id": "a",
                        "parent_id": "q",
                        "role": "assistant",
                        "content": "see source",
                        "meta_data": {"orchestration": {"sources_included": [{"url": "javascript:alert(1)"}]}},
                    },
                ],
            }
        ],
    }
    before = counts(tenant_a)
    response = owner_client.post(
        "/chat/import/", {"file": SimpleUploadedFile("x.json", json.dumps(data).encode())}, follow=True
    )
    text = response.content.decode()
    assert "Nothing was imported" in text and "only http and https links are allowed" in text
    assert counts(tenant_a) == before


def test_it_drops_unsafe_perplexity_citations(fake_llm):
    from orchestration.tests.test_providers import call

    fake_llm.behave(
        "sonar",
        text="Ljubljana.",
        citations=[{"url": "javascript:alert(1)", "title": "x"}, {"url": "https://www.gov.si/", "title": "GOV.SI"}],
    )
    c = call(fake_llm, "perplexity")
    c.run()
    assert c.completion.citations == [{"url": "https://www.gov.si/", "title": "GOV.SI", "date": ""}]


def test_it_stores_only_web_links_from_the_strategies(tenant_a, in_tenant):
    from orchestration.strategies.base import Context

    ctx = Context.__new__(Context)
    ctx.sources = []
    new = ctx.add_sources(
        [
            {"url": "javascript:alert(1)"},
            {"url": "vbscript:x", "title": "Named"},
            {"url": "https://www.gov.si/", "title": "GOV.SI"},
        ]
    )
    assert [(s["url"], s["title"]) for s in new] == [("", "Named"), ("https://www.gov.si/", "GOV.SI")]


def test_it_answers_404_to_the_outsider(outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = _answer_with_sources(owner, [{"url": "https://www.gov.si/", "title": "GOV.SI"}])
        before = Message.objects.count()
    assert outsider_client.get(f"/chat/{conversation.pk}/export/", {"format": "md"}).status_code == 404
    with in_tenant(tenant_a):
        assert Message.objects.count() == before
