"""In the browser: a message streams in as it is written, then shows as rendered markdown; reload resumes."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS, PROMPT_TOKENS, answer_like_a_provider, completion_tokens

# django_db: makes pytest-django create the test database; the browser's data is committed by chat_live.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _ask(page, text):
    box = page.locator("#composer textarea[name=content]")
    box.fill(text)
    box.press("Enter")


def test_it_streams_an_answer_and_renders_markdown(chat_page, fake_llm):
    answer_like_a_provider(fake_llm, paused=True)
    page = chat_page
    page.goto(page.base_url + "/chat/")
    _ask(page, "How should I relay tokens to the browser?")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer.locator(".stream-text")).to_contain_text("comparison")  # text arrives while streaming
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(answer.locator(".stream-text")).not_to_contain_text("Polling")
    fake_llm.resume()
    expect(answer).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(answer.locator("table")).to_be_visible()
    expect(answer.locator("pre.highlight .k").first).to_have_text("def")
    expect(page.locator("#chat-title")).to_have_text("How should I relay tokens to the browser?")
    # Details panel
    answer.locator("details.details-panel summary").click()
    # what the fake provider reported, as the real engine recorded it
    tokens = completion_tokens()
    expect(answer.locator(".details-panel")).to_contain_text(f"{PROMPT_TOKENS} + {tokens} = {PROMPT_TOKENS + tokens}")
    expect(answer.locator(".details-panel a[href='https://redis.io/docs/']")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("body").click(position={"x": 5, "y": 200})
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"))


def test_it_resumes_after_a_reload_mid_answer(chat_page, fake_llm):
    answer_like_a_provider(fake_llm, paused=True)
    page = chat_page
    page.goto(page.base_url + "/chat/")
    _ask(page, "Reload while you write")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer.locator(".stream-text")).to_contain_text("comparison")
    page.reload()
    answer = page.locator('.msg[data-role="assistant"]').last
    # the reloaded page picks the answer up where it is: streaming, with the words so far
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(answer.locator(".stream-text")).to_contain_text("comparison")
    fake_llm.resume()
    expect(answer).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(answer.locator("table")).to_be_visible()
    expect(answer.locator(".msg-body")).to_contain_text("Polling wastes requests.")
