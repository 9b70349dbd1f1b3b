"""In the browser: the account pages (allauth's, overridden) are in the product's layout and
wording, at desktop and phone sizes, in English and Slovenian (issue 11 §6); screenshots are kept in
test-artifacts/. Nothing sticks out sideways on a phone."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import SIZES, browser_instance, live_workspace, open_context, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ANONYMOUS = {
    "login": ("/accounts/login/", "Sign in to Browser Co", "Prijava v Browser Co"),
    "signup-closed": ("/accounts/signup/", "Sign-up is by invitation", "Registracija je mogoča le s povabilom"),
    "password-reset": ("/accounts/password/reset/", "Reset your password", "Ponastavite geslo"),
}
SIGNED_IN = {
    "email": ("/accounts/email/", "E-mail addresses", "E-poštni naslovi"),
    "password-change": ("/accounts/password/change/", "Change password", None),
    "logout": ("/accounts/logout/", "Sign out", "Odjava"),
}


SUBDOMAIN = "account-browser"


@pytest.fixture(scope="module")
def chat_live(django_db_setup, django_db_blocker):
    """This module's own committed workspace, served by the shared browser set-up
    (chat.tests.browser.live_workspace), named "Browser Co"; module-scoped so that it is gone
    before chat's session-wide one starts."""
    with live_workspace(
        django_db_blocker,
        subdomain=SUBDOMAIN,
        name="Browser Co",
        owner_email="browser@example.com",
        owner_name="Bea Browser",
    ) as live:
        yield live


@pytest.fixture
def open_page(chat_live, browser_instance):  # noqa: F811
    contexts = []

    def make(*, signed_in: bool, language: str):
        context = open_context(browser_instance, chat_live, signed_in=signed_in, language=language)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def _check(page, base_url, name, path, heading, size, language):
    page.set_viewport_size(SIZES[size])
    page.goto(f"{base_url}{path}")
    expect(page.locator("main h1")).to_have_text(heading)
    expect(page.locator("header.topbar .brand")).to_contain_text("Browser Co")  # the product's layout
    expect(page.locator("footer.footer")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    screenshot(page, f"account-{name}-{language}-{size}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_shows_the_account_pages_in_the_product_layout(open_page, chat_live, size, language):  # noqa: F811
    page = open_page(signed_in=False, language=language)
    for name, (path, english, slovenian) in ANONYMOUS.items():
        _check(page, chat_live.base_url, name, path, english if language == "en" else slovenian, size, language)
    login = page.goto(f"{chat_live.base_url}/accounts/login/")
    assert login.status == 200
    expect(page.locator('label[for="id_login"]')).to_have_text("E-mail" if language == "en" else "E-pošta")


@pytest.mark.parametrize("size", list(SIZES))
def test_it_shows_the_signed_in_account_pages_in_the_product_layout(open_page, chat_live, size):  # noqa: F811
    page = open_page(signed_in=True, language="en")
    for name, (path, english, _slovenian) in SIGNED_IN.items():
        _check(page, chat_live.base_url, name, path, english, size, "en")
    page.goto(f"{chat_live.base_url}/accounts/email/")
    expect(page.locator(".address-list li")).to_contain_text("browser@example.com")
    expect(page.locator(".address-list .badge.ok")).to_be_visible()
