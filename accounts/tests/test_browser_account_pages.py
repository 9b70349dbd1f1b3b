"""In the browser: the account pages (allauth's, overridden) are in the product's layout and
wording, at desktop and phone sizes, in English and Slovenian (issue 11 §6); screenshots are kept in
test-artifacts/. Nothing sticks out sideways on a phone."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS, Live, Servers
from chat.tests.conftest import browser_instance  # noqa: F401  (module-scoped Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
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
    """This module's own committed workspace, served by uvicorn (chat's browser set-up, see
    chat/tests/conftest.py), named "Browser Co"; module-scoped so that it is gone before chat's
    session-wide one starts."""
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from conftest import PASSWORD
    from tenants.models import Tenant
    from tenants.services import tenant_create, tenant_provision

    servers = Servers()
    with django_db_blocker.unblock():
        Tenant.objects.filter(subdomain=SUBDOMAIN).delete()
        tenant = tenant_create(
            name="Browser Co",
            subdomain=SUBDOMAIN,
            owner_email="browser@example.com",
            owner_password=PASSWORD,
            owner_name="Bea Browser",
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk)
        with schema_context(tenant.schema_name):
            client = Client(HTTP_HOST=f"{SUBDOMAIN}.localhost")
            client.force_login(User.objects.get(email="browser@example.com"))
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
        connection.set_schema_to_public()
        port = servers.start()
        try:
            yield Live(
                base_url=f"http://{SUBDOMAIN}.localhost:{port}",
                host=f"{SUBDOMAIN}.localhost",
                tenant=tenant,
                user_email="browser@example.com",
                password=PASSWORD,
                session=session,
            )
        finally:
            servers.stop()
            connection.set_schema_to_public()
            with connection.cursor() as cursor:  # connections the server threads kept open
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()


@pytest.fixture
def open_page(chat_live, browser_instance, settings):  # noqa: F811
    contexts = []

    def make(*, signed_in: bool, language: str):
        context = browser_instance.new_context()
        cookies = [{"name": "django_language", "value": language, "domain": chat_live.host, "path": "/"}]
        if signed_in:
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": chat_live.session,
                    "domain": chat_live.host,
                    "path": "/",
                }
            )
        context.add_cookies(cookies)
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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"account-{name}-{language}-{size}.png"), full_page=True)


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
