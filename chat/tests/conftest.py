import pytest

from chat.models import Conversation, Message


@pytest.fixture(autouse=True)
def _own_search_index_cache_key(monkeypatch):
    """The recorded search configuration is cached after commit; each test rolls its row back, so each
    test gets its own key (a cached value from another test would describe a row that is gone)."""
    import uuid

    from chat import search_index

    monkeypatch.setattr(search_index, "CACHE_KEY", f"{search_index.CACHE_KEY}:test-{uuid.uuid4().hex}")


@pytest.fixture
def counts(in_tenant):
    """``counts(tenant)``: (conversations, messages) in that tenant, to assert nothing changed."""

    def count(tenant):
        with in_tenant(tenant):
            return Conversation.objects.count(), Message.objects.count()

    return count


@pytest.fixture(scope="session")
def chat_live(django_db_setup, django_db_blocker):
    """A committed tenant served by uvicorn with a Celery worker, for the browser tests."""
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from chat.tests.browser import SUBDOMAIN, Live, Servers
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
            with connection.cursor() as cursor:  # connections the server and worker threads kept open
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()


@pytest.fixture(scope="module")
def browser_instance():
    """Chromium for one test module. Playwright's sync API keeps an event loop running in this thread,
    which Django's async-safety check would take for an async context: allowed for the module only."""
    import os

    from playwright.sync_api import sync_playwright

    from chat.tests.browser import CHROMIUM_ARGS, chromium_or_fail

    chromium = chromium_or_fail()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def chat_page(chat_live, browser_instance, fake_llm, settings):
    """A signed-in page in the browser tenant. Answers come from the real engine, run by the Celery
    worker, from the fake provider server (chat.tests.browser.answer_like_a_provider), word by word."""
    from playwright.sync_api import expect

    from chat.tests.browser import answer_like_a_provider

    answer_like_a_provider(fake_llm)
    settings.ORCHESTRATION_CHUNK_GAP_TIMEOUT = 10  # two shared cores: a slow moment is not a dead provider
    session = chat_live.session
    context = browser_instance.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": chat_live.host, "path": "/"}]
    )
    page = context.new_page()
    # Waits on page state, bounded generously: two cores shared with other work can be slow, and a
    # wait ends as soon as the state is there. expect() has its own default (5 s) besides the page's.
    page.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)
    page.base_url = chat_live.base_url
    yield page
    context.close()


@pytest.fixture(scope="session")
def slovenian_catalog():
    """chat's compiled Slovenian catalog (``make`` compiles it; this does when pytest runs alone)."""
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parents[1] / "locale" / "sl" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        from core import tools

        msgfmt = tools.msgfmt()
        if msgfmt is None:  # never a silent skip: the Slovenian pages would be English
            pytest.fail("gettext is missing: run `make test` (installs it) or `sudo apt-get install gettext`.")
        subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
        from django.utils import translation

        translation.trans_real._translations = {}
    return mo
