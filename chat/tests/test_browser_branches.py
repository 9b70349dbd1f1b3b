"""In the browser: regenerate an answer, edit a question into a branch, switch between branches."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _last_answer(page):
    return page.locator('#thread .msg[data-role="assistant"]').last


def test_it_regenerates_edits_and_switches_branches(chat_page):
    page = chat_page
    page.goto(page.base_url + "/chat/")
    box = page.locator("#composer textarea[name=content]")
    box.fill("First question")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    expect(_last_answer(page)).to_have_attribute("data-status", "complete", timeout=20_000)

    # Regenerate: a second answer beside the first, shown as 2/2.
    _last_answer(page).locator('[data-action="regenerate"]').click()
    expect(_last_answer(page)).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(_last_answer(page).locator(".sib-pos")).to_have_text("2/2")
    _last_answer(page).locator(".siblings button").first.click()
    expect(_last_answer(page).locator(".sib-pos")).to_have_text("1/2")

    # Edit the question: a new branch with its own answer.
    question = page.locator('#thread .msg[data-role="user"]').first
    question.hover()
    question.locator('[data-action="edit"]').click()
    edit = question.locator(".edit-form textarea")
    edit.fill("Second, better question")
    edit.press("Enter")
    expect(page.locator('#thread .msg[data-role="user"]').first).to_contain_text("Second, better question")
    expect(_last_answer(page)).to_have_attribute("data-status", "complete", timeout=20_000)
    user_nav = page.locator('#thread .msg[data-role="user"]').first.locator(".sib-pos")
    expect(user_nav).to_have_text("2/2")

    # Back to the first branch: its question and both of its answers come back.
    page.locator('#thread .msg[data-role="user"]').first.locator(".siblings button").first.click()
    expect(page.locator('#thread .msg[data-role="user"]').first).to_contain_text("First question")
    expect(page.locator('#thread .msg[data-role="user"]').first.locator(".sib-pos")).to_have_text("1/2")
    expect(_last_answer(page).locator(".sib-pos")).to_have_text("2/2")
