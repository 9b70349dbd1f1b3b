"""In the browser: the composer counts characters near the 32,000 limit and, above it, says by how much
the text is too long and does not send it, instead of cutting a pasted text silently."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize(
    "size", [{"width": 1280, "height": 860}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_it_says_when_a_message_is_too_long(chat_page, size):
    page = chat_page
    page.set_viewport_size(size)
    page.goto(page.base_url + "/chat/")
    box = page.locator("#composer textarea[name=content]")
    counter = page.locator("#composer .char-count")
    box.fill("short question")
    expect(counter).to_be_hidden()
    box.fill("x" * 40_000)
    assert box.evaluate("el => el.value.length") == 40_000  # nothing cut
    expect(counter).to_have_text("Too long: 40,000 of 32,000 characters. Shorten it by 8,000 to send it.")
    expect(page.locator("#composer .send-btn")).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"composer-too-long-{'phone' if size['width'] < 500 else 'desktop'}.png"))
    box.press("Enter")  # not sent
    expect(counter).to_contain_text("Too long")
    assert page.url.rstrip("/").endswith("/chat")
    box.fill("y" * 30_000)
    expect(counter).to_have_text("30,000 of 32,000 characters")
    expect(page.locator("#composer .send-btn")).to_be_enabled()
