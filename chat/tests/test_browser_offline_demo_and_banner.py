"""In the browser, with no model connected: the owner sees the first-run banner linking to the
provider credentials admin, and a question gets the offline demo answer rendered as markdown (a
heading, a list, a table, code blocks) that says plainly no model is connected (desktop and phone)."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_it_shows_the_banner_and_a_formatted_offline_answer(chat_page, settings, size):
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = settings.PERPLEXITY_API_KEY = ""  # nothing connected
    page = chat_page
    page.set_viewport_size(VIEWPORTS[size])
    page.goto(page.base_url + "/chat/")
    banner = page.locator('[data-model-banner="none"]')
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("No language model connected yet")
    expect(banner.locator("a")).to_have_attribute("href", "/admin/orchestration/providercredential/add/")
    box = page.locator("#composer textarea[name=content]")
    box.fill("Write a Python function that greets me")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    message = page.locator('.msg[data-role="assistant"]').last
    expect(message).to_have_attribute("data-status", "complete")
    answer = message.locator(".msg-body")
    expect(answer).to_contain_text("I am running offline")
    expect(answer.locator("h3").first).to_have_text("You asked")
    expect(answer.locator("ul li")).to_have_count(4)
    expect(answer.locator("table th")).to_have_count(3)
    expect(answer.locator("pre code")).to_have_count(2)
    expect(answer.locator("pre code").first).to_contain_text("def greet")
    shown = answer.inner_text()
    assert "|---" not in shown and "```" not in shown and "### " not in shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"offline-demo-and-banner-{size}.png"), full_page=True)
