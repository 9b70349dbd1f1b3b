"""In the browser: drop an image and a sound in the composer, send, and see the image shown at its
size (loaded through the authorised view, allowed by the CSP) and the sound's player; screenshots
at desktop and phone sizes go to test-artifacts/."""

import base64

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS
from documents.tests.helpers import image_bytes, wav_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _drop(page, files: list[tuple[str, str, bytes]]) -> None:
    page.evaluate(
        """(files) => {
            const dt = new DataTransfer();
            for (const [name, type, b64] of files) {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], name, {type: type}));
            }
            const target = document.querySelector("[data-composer] textarea");
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
            }
        }""",
        [[n, t, base64.b64encode(d).decode()] for n, t, d in files],
    )


def test_it_shows_the_image_and_plays_the_sound_sent_with_a_question(docs_page):
    page = docs_page
    page.goto(page.base_url + "/chat/")
    picture = image_bytes("PNG", (640, 400), color=(46, 125, 200))
    _drop(page, [("harbour.png", "image/png", picture), ("voice-memo.wav", "audio/wav", wav_bytes(4.0))])
    chips = page.locator("[data-file-chips] .file-chip")
    expect(chips).to_have_count(2)
    for i in range(2):
        expect(chips.nth(i)).to_have_attribute("data-status", "ready", timeout=30_000)
    box = page.locator("#composer textarea[name=content]")
    box.fill("What is in this picture and this memo?")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    question = page.locator('.msg[data-role="user"]').last
    img = question.locator(".media-image img")
    expect(img).to_have_attribute("width", "640")
    expect(img).to_have_attribute("height", "400")
    page.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=img.element_handle())
    audio = question.locator(".media-audio audio")
    expect(audio).to_have_attribute("preload", "none")
    expect(question.locator(".media-audio")).to_contain_text("voice-memo.wav · 0:04")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    question.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "media-message-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    question.scroll_into_view_if_needed()
    box_width = page.evaluate("el => el.getBoundingClientRect().width", img.element_handle())
    assert 0 < box_width <= 390  # scaled down to the phone's width, not overflowing
    page.screenshot(path=str(ARTIFACTS / "media-message-phone.png"))
