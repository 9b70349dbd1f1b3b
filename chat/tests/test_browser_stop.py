"""In the browser: the stop button ends the answer; the partial text is kept as stopped."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import answer_like_a_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_it_stops_an_answer_mid_stream(chat_page, fake_llm):
    answer_like_a_provider(fake_llm, paused=True)  # the provider waits after "... comparison**"
    page = chat_page
    page.goto(page.base_url + "/chat/")
    box = page.locator("#composer textarea[name=content]")
    box.fill("Write slowly")
    box.press("Shift+Enter")  # a new line, not a send
    box.press_sequentially("please")
    expect(box).to_have_value("Write slowly\nplease")
    page.locator("#composer button[type=submit]").click()
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer.locator(".stream-text")).to_contain_text("comparison")
    stop = page.locator("#composer .stop-btn")
    expect(stop).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/stop/") and r.request.method == "POST") as stopped:
        stop.click()
    assert stopped.value.ok
    fake_llm.resume()  # the provider goes on; the worker sees the stop at its next chunk and hangs up
    expect(answer).to_have_attribute("data-status", "stopped")
    expect(answer.locator(".msg-note")).to_have_text("Stopped.")
    expect(answer.locator(".msg-body")).to_contain_text("comparison")
    expect(answer.locator(".msg-body")).not_to_contain_text("Polling wastes requests.")
    expect(page.locator("#composer .send-btn")).to_be_visible()
    # one provider call, with the question as typed (the new line kept)
    (call,) = fake_llm.requests_for(path="/chat/completions")
    assert call.body["messages"][-1]["content"] == "Write slowly\nplease"
