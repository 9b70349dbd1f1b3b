"""In the browser: search finds a message and opens it in its conversation; export downloads JSON."""

import json

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_it_searches_and_exports(chat_page):
    page = chat_page
    page.goto(page.base_url + "/chat/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-new.png"))
    box = page.locator("#composer textarea[name=content]")
    box.fill("Tell me about photosynthesis in cacti")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    conversation_url = page.url
    expect(page.locator('#thread .msg[data-role="assistant"]').last).to_have_attribute(
        "data-status", "complete", timeout=20_000
    )

    search = page.locator(".sidebar-search input[name=q]")
    search.fill("cacti")
    search.press("Enter")
    hit = page.locator("#search-results .hit").first
    expect(hit.locator("mark")).to_have_text("cacti")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-search.png"))
    hit.locator("a").click()
    page.wait_for_url(conversation_url + "?m=*")
    expect(page.locator(".msg.is-focused")).to_contain_text("photosynthesis in cacti")

    page.locator(".chat-header details.menu summary").click()
    with page.expect_download() as info:
        page.locator(".chat-header a.menu-item", has_text="JSON").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["format"] == "chorus.chat"
    assert data["conversations"][0]["messages"][0]["content"] == "Tell me about photosynthesis in cacti"
