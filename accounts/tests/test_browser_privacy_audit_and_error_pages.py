"""In the browser, at desktop and phone sizes, in English and Slovenian: the pages added last (the
privacy section of the preferences, the workspace's audit log in its admin, the 400 page and the
unknown-workspace 404) are in the product's layout, translated, and nothing sticks out sideways on
a phone. Screenshots are kept in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import SIZES, browser_instance, live_workspace, open_context, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SUBDOMAIN = "pages-browser"
WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll("body *")].filter(
  (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
).map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`)"""


@pytest.fixture(scope="module")
def pages_live(django_db_setup, django_db_blocker):
    """A committed workspace with a few audit entries, served by the shared browser set-up; a
    signed-in person's language is their own (not the cookie's), so the Slovenian pages are seen by
    an admin who chose Slovenian. Yields (live, {language: session})."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from conftest import PASSWORD
    from core.audit.services import audit_record

    with live_workspace(
        django_db_blocker, subdomain=SUBDOMAIN, name="Pages Co", owner_email="pages@example.com", owner_name="Pia Pages"
    ) as live:
        with django_db_blocker.unblock(), schema_context(live.tenant.schema_name):
            owner = User.objects.get(email=live.user_email)
            admin = User.objects.create_user(
                email="sasa@example.com", password=PASSWORD, name="Saša Skrbnik", role=User.Role.ADMIN, language="sl"
            )
            for action, name in (("change", "role"), ("add", "invitation"), ("change", "branding")):
                audit_record(
                    actor=owner,
                    action=action,
                    obj=admin,
                    action_name=name,
                    changes={"role": {"before": "member", "after": "admin"}},
                )
            client = Client(HTTP_HOST=live.host)
            client.force_login(admin)
            sessions = {"en": live.session, "sl": client.cookies[settings.SESSION_COOKIE_NAME].value}
        yield live, sessions


@pytest.fixture
def open_page(pages_live, browser_instance):  # noqa: F811
    from django.conf import settings

    live, sessions = pages_live
    contexts = []

    def make(*, size: str, language: str):
        context = open_context(browser_instance, live, signed_in=False, language=language, viewport=SIZES[size])
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": sessions[language], "domain": live.host, "path": "/"}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def _fits(page, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], page.evaluate(WIDER_THAN_THE_PAGE)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_shows_the_privacy_section_in_the_preferences(open_page, pages_live, size, language):
    live, _sessions = pages_live
    page = open_page(size=size, language=language)
    page.goto(f"{live.base_url}/accounts/preferences/")
    section = page.locator("[data-privacy]")
    expect(section.locator("h2").first).to_have_text("Your data" if language == "en" else "Vaši podatki")
    expect(section.locator("button[type=submit]").first).to_be_visible()
    expect(page.locator("header.topbar .brand")).to_contain_text("Pages Co")
    _fits(page, size)
    section.scroll_into_view_if_needed()
    screenshot(page, f"preferences-privacy-{language}-{size}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_shows_the_audit_log_in_the_workspace_admin(open_page, pages_live, size, language):
    live, _sessions = pages_live
    page = open_page(size=size, language=language)
    response = page.goto(f"{live.base_url}/admin/audit/auditentry/")
    assert response.status == 200
    expect(page.locator("#result_list tbody tr").nth(2)).to_be_visible()  # the three entries made above
    expect(page.locator("#content h1")).not_to_be_empty()
    heading = {"en": "Select audit entry to view", "sl": None}[language]
    if heading:
        expect(page.locator("#content h1")).to_have_text(heading)
    else:  # Slovenian: the admin's own words, the model's names and the column headings
        expect(page.locator("html")).to_have_attribute("lang", "sl")
        expect(page.locator("#content h1")).to_have_text("Izberite revizijski zapis za ogled")
        for english in ("Select ", " to view", "Show counts", "Who", "Action", "Object type"):
            expect(page.locator("#content")).not_to_contain_text(english)
    _fits(page, size)
    screenshot(page, f"admin-audit-log-{language}-{size}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_shows_a_styled_400_page(open_page, pages_live, size, language):
    live, _sessions = pages_live
    page = open_page(size=size, language=language)
    response = page.goto(f"{live.base_url}/chat/?deleted=not-an-id")
    assert response.status == 400
    card = page.locator("[data-error='400']")
    expect(card).to_contain_text(
        "This list address is not valid." if language == "en" else "Naslov tega seznama ni veljaven."
    )
    expect(page.locator("header.topbar .brand")).to_contain_text("Pages Co")
    expect(page.locator("footer.footer")).to_be_visible()
    _fits(page, size)
    screenshot(page, f"error-400-{language}-{size}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_shows_a_styled_404_for_an_unknown_workspace(browser_instance, pages_live, size, language):  # noqa: F811
    live, _sessions = pages_live
    context = browser_instance.new_context(viewport=SIZES[size], locale="sl-SI" if language == "sl" else "en-US")
    try:
        page = context.new_page()
        response = page.goto(f"http://no-such-workspace.localhost:{live.port}/chat/")
        assert response.status == 404
        card = page.locator("[data-unknown-host]")
        expect(card.locator("h1")).to_have_text(
            "No workspace here" if language == "en" else "Tukaj ni delovnega prostora"
        )
        assert page.evaluate("getComputedStyle(document.querySelector('header.topbar')).display") == "flex"  # styled
        button = card.locator("a.button")
        expect(button).to_have_attribute("href", f"http://localhost:{live.port}/")
        # in the product's colour: no workspace sets --primary here (the button was white on white)
        expect(button).to_have_css("background-color", "rgb(79, 70, 229)")
        _fits(page, size)
        screenshot(page, f"unknown-workspace-404-{language}-{size}")
    finally:
        context.close()
