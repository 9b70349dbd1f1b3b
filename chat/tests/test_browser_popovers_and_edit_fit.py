"""In the browser: on a phone the answer's popovers open as bottom sheets inside the screen, and the
edit form's Save/Cancel are in view and not behind the composer (desktop and phone)."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
LONG = "\n\n".join(f"Paragraph {i}: " + "words that fill the screen " * 6 for i in range(8))


def _ask(page, text):
    box = page.locator("#composer textarea[name=content]")
    box.fill(text)
    box.press("Enter")


def _uncovered(page, locator) -> bool:
    """The element's centre is inside the window and the element itself is what is shown there."""
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
                   if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
                   const hit = document.elementFromPoint(x, y); return !!hit && (hit === el || el.contains(hit)); }"""
    )


def _conversation(page, fake_llm):
    fake_llm.behave(text=LONG, chunk_delay=0)
    page.goto(page.base_url + "/chat/")
    _ask(page, "A long answer first")
    page.wait_for_url("**/chat/*-*/")
    expect(page.locator('.msg[data-role="assistant"]').last).to_have_attribute("data-status", "complete")
    fake_llm.behave(text="Short.", chunk_delay=0)
    _ask(page, "Then a short one")
    expect(page.locator('.msg[data-role="assistant"]')).to_have_count(2)
    expect(page.locator('.msg[data-role="assistant"]').last).to_have_attribute("data-status", "complete")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_it_keeps_the_edit_forms_buttons_in_view(chat_page, fake_llm, size):
    page = chat_page
    page.set_viewport_size(VIEWPORTS[size])
    _conversation(page, fake_llm)
    question = page.locator('.msg[data-role="user"]').last
    # the question just above the composer, as when scrolling back to it: the form opens downwards
    question.evaluate("el => el.scrollIntoView({block: 'end'})")
    question.hover()
    question.locator('[data-action="edit"]').click()
    save = question.locator(".edit-form button[type=submit]")
    cancel = question.locator('.edit-form [data-action="cancel-edit"]')
    expect(save).to_be_visible()
    assert _uncovered(page, save) and _uncovered(page, cancel)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"edit-form-{size}.png"))


def test_it_opens_popovers_as_bottom_sheets_on_a_phone(chat_page, fake_llm):
    page = chat_page
    page.set_viewport_size(VIEWPORTS["phone"])
    _conversation(page, fake_llm)
    answer = page.locator('.msg[data-role="assistant"]').last
    for name, popover in (("details", "details.details-panel"), ("mistake", "details.popover:not(.details-panel)")):
        answer.locator(f"{popover} > summary").click()
        sheet = answer.locator(f"{popover} > .popover-body")
        expect(sheet).to_be_visible()
        box = sheet.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, box  # nothing cut off at the sides
        assert abs(box["y"] + box["height"] - 844) <= 1, box  # at the bottom of the screen
        assert box["width"] >= 389, box  # as wide as the screen
        page.screenshot(path=str(ARTIFACTS / f"popover-sheet-{name}-phone.png"))
        page.keyboard.press("Escape")
        expect(sheet).to_be_hidden()


def test_it_opens_the_first_answers_details_inside_the_thread_on_desktop(chat_page, fake_llm):
    fake_llm.behave(text="Short.", chunk_delay=0)
    page = chat_page
    page.goto(page.base_url + "/chat/")
    _ask(page, "One question")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer).to_have_attribute("data-status", "complete")
    answer.locator("details.details-panel > summary").click()
    panel = answer.locator("details.details-panel > .popover-body")
    expect(panel).to_be_visible()
    thread = page.locator("#thread-scroll").bounding_box()
    box = panel.bounding_box()
    assert box["y"] >= thread["y"], (box, thread)  # not cut off under the header
    assert _uncovered(page, panel.locator("dt").first)
    page.screenshot(path=str(ARTIFACTS / "details-first-answer-desktop.png"))
