"""In the browser: the tenant admin opens on its dashboard and saves the answer settings as one form,
at desktop and phone sizes (screenshots kept in test-artifacts/)."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_it_opens_the_admin_on_the_dashboard(chat_page, size):
    page = chat_page
    page.set_viewport_size(SIZES[size])
    page.goto(f"{page.base_url}/admin/")
    expect(page.locator("h1")).to_contain_text("at a glance")
    for figure in ("people", "conversations", "mistakes"):
        expect(page.locator(f'[data-figure="{figure}"]')).to_be_visible()
    expect(page.locator("#providers-title")).to_be_visible()  # the language models panel (its rows: view tests)
    expect(page.locator("[data-provider]").first).to_be_visible()
    # nothing sticks out sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-dashboard-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_it_saves_the_answer_settings_and_tells_what_changed(chat_page, size):
    page = chat_page
    page.set_viewport_size(SIZES[size])
    page.goto(f"{page.base_url}/admin/orchestration/orchestrationsettings/")
    expect(page.locator("h1")).to_have_text("Answer settings")
    expect(page.locator('input[name="_addanother"]')).to_have_count(0)
    target = "adaptive" if size == "desktop" else "parallel_consensus"  # each differs from the default
    page.select_option('select[name="default_strategy"]', target)
    page.fill('input[name="price_overrides-0-model"]', "gpt-4o")
    page.fill('input[name="price_overrides-0-input"]', "2")
    page.fill('input[name="price_overrides-0-output"]', "8")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("The settings were saved.")
    expect(page.locator(".chorus-history")).to_contain_text("Default strategy:")
    expect(page.locator('input[name="price_overrides-0-model"]')).to_have_value("gpt-4o")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-settings-{size}.png"), full_page=True)
