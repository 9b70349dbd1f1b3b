"""In the browser: a streaming answer shows as rendered markdown while it arrives (no raw `**`, `|--`,
fences), and the final server HTML takes its place without the message changing height; every code
block has a copy button and a long one scrolls sideways (desktop and phone)."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ANSWER, ARTIFACTS, answer_like_a_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LONG_LINE = "total = " + " + ".join(f"value_{i}" for i in range(40))
TEXT = ANSWER + f"\n\nAnd one long line:\n\n```\n{LONG_LINE}\n```"
WORDS = TEXT.split(" ")
# the fake provider streams word by word: pause inside the first code block, after the table
PAUSE = next(i for i in range(len(WORDS)) if "for event" in " ".join(WORDS[:i]))
RAW_MARKERS = ["**", "|--", "|:-", "```", "](http"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def _height(locator) -> float:
    return locator.evaluate("el => el.getBoundingClientRect().height")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_it_renders_markdown_while_streaming_without_a_jump(chat_page, fake_llm, size):
    answer_like_a_provider(fake_llm, text=TEXT)
    fake_llm.behave(text=TEXT, chunk_delay=0.01, pause_after=PAUSE, citations=[])
    page = chat_page
    page.set_viewport_size(VIEWPORTS[size])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(page.base_url + "/chat/")
    box = page.locator("#composer textarea[name=content]")
    box.fill("Compare the relays")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    body = answer.locator(".stream-text")
    # frozen mid-stream, inside the code fence: everything so far is rendered markdown
    expect(body.locator("pre code")).to_contain_text("def relay(stream):")
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(body.locator("strong")).to_have_text("short comparison")
    expect(body.locator("table th")).to_have_count(3)
    expect(body.locator("table td").first).to_have_text("Redis streams")
    expect(body.locator(".code-block .code-copy")).to_have_count(1)
    shown = body.inner_text()
    assert not [m for m in RAW_MARKERS if m in shown], shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"streaming-markdown-midstream-{size}.png"))

    # hold the final HTML back until the streamed text is complete and measured
    detail = answer.get_attribute("data-detail-url")
    held = []
    page.route(lambda url: url.endswith(detail), lambda route: held.append(route))
    with page.expect_request(lambda r: r.url.endswith(detail)):
        fake_llm.resume()
    expect(body).to_contain_text("See the docs for more.")
    expect(body.locator("pre")).to_have_count(2)
    assert held, "the final HTML was requested"
    before = _height(answer)
    assert "**" not in body.inner_text()
    held[0].continue_()
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator("pre.highlight .k").first).to_have_text("def")  # the server's highlighted HTML
    after = _height(answer)
    jump = after - before
    print(f"\n[{size}] answer height streamed {before:.1f} px, final {after:.1f} px, jump {jump:+.1f} px")
    assert abs(jump) <= 2, (before, after)

    # a copy button on each server-rendered code block; the long one scrolls inside its block
    blocks = answer.locator(".msg-body .code-block")
    expect(blocks).to_have_count(2)
    expect(blocks.locator(".code-copy")).to_have_count(2)
    long_pre = blocks.nth(1).locator("pre")
    assert long_pre.evaluate("el => el.scrollWidth > el.clientWidth + 20")
    thread = page.locator("#thread-scroll")
    assert thread.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the page itself does not scroll sideways"
    blocks.nth(1).hover()
    blocks.nth(1).locator(".code-copy").click()
    expect(blocks.nth(1).locator(".code-copy")).to_have_class("icon-btn code-copy is-done")
    assert page.evaluate("navigator.clipboard.readText()") == LONG_LINE
    page.screenshot(path=str(ARTIFACTS / f"streaming-markdown-final-{size}.png"))
