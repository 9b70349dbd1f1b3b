"""In the browser, under the Content-Security-Policy (django-csp, ADR 0012): the chat page streams an
answer (htmx, EventSource, markdown-it, DOMPurify), the language menu submits, the admin and the
allauth pages render, and not one CSP violation is reported on any of them."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import answer_like_a_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Every violation the page reports (securitypolicyviolation events), kept on window for the test.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
    + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def _watch(page):
    page.add_init_script(WATCH)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page, console):
    return page.evaluate("window.__csp") + console


def test_it_streams_an_answer_under_the_policy_with_no_violation(chat_page, fake_llm):
    answer_like_a_provider(fake_llm)
    page = chat_page
    console = _watch(page)
    response = page.goto(page.base_url + "/chat/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe" not in policy.split("script-src")[1].split(";")[0]
    box = page.locator("#composer textarea[name=content]")
    box.fill("Which relay is fastest?")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(answer.locator("table")).to_be_visible()  # the markdown table, aligned by style attributes
    assert _violations(page, console) == []
    # the language menu (formerly an inline onchange handler) still submits its form on change
    with page.expect_navigation():
        page.select_option("select[name=language]", "sl")
    page.wait_for_load_state("networkidle")
    found = _violations(page, console)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/accounts/user/", "/admin/orchestration/orchestrationsettings/", "/documents/", "/billing/"],
)
def test_it_renders_admin_and_app_pages_with_no_violation(chat_page, path):
    page = chat_page
    console = _watch(page)
    response = page.goto(page.base_url + path)
    assert response.status == 200
    assert "content-security-policy" in response.headers
    page.wait_for_load_state("networkidle")
    found = _violations(page, console)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/admin/login/"])
def test_it_renders_sign_in_pages_with_no_violation(chat_live, browser_instance, path):
    context = browser_instance.new_context()
    page = context.new_page()
    try:
        console = _watch(page)
        response = page.goto(chat_live.base_url + path)
        assert response.status == 200
        page.wait_for_load_state("networkidle")
        expect(page.locator("form").first).to_be_visible()
        found = _violations(page, console)
        assert found == [], "\n".join(found)
    finally:
        context.close()


def test_it_uploads_in_the_library_and_refreshes_the_list_with_no_violation(chat_page):
    """The upload form's after-request refresh (formerly an hx-on attribute, eval) is site.js now."""
    page = chat_page
    console = _watch(page)
    page.goto(page.base_url + "/documents/")
    name = "csp-check-notes.txt"
    page.set_input_files("#docs-files", files=[{"name": name, "mimeType": "text/plain", "buffer": b"Plain notes."}])
    page.locator(".docs-upload button[type=submit]").click()
    expect(page.locator("#docs-list")).to_contain_text(name)  # the list reloaded without a page load
    assert page.evaluate("document.getElementById('docs-files').files.length") == 0  # the form was reset
    found = _violations(page, console)
    assert found == [], "\n".join(found)
