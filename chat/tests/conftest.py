import pytest

from chat.models import Conversation, Message
from chat.tests.browser import browser_instance  # noqa: F401  (one Chromium per module, shared by every app)


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
    """A committed tenant served by uvicorn with a Celery worker, for the browser tests
    (chat.tests.browser.live_workspace, the set-up every app's browser tests share)."""
    from chat.tests.browser import SUBDOMAIN, live_workspace

    with live_workspace(
        django_db_blocker,
        subdomain=SUBDOMAIN,
        name="Browser Co",
        owner_email="browser@example.com",
        owner_name="Bea Browser",
    ) as live:
        yield live


@pytest.fixture
def chat_page(chat_live, browser_instance, fake_llm, settings):  # noqa: F811
    """A signed-in page in the browser tenant. Answers come from the real engine, run by the Celery
    worker, from the fake provider server (chat.tests.browser.answer_like_a_provider), word by word."""
    from playwright.sync_api import expect

    from chat.tests.browser import answer_like_a_provider, open_context

    answer_like_a_provider(fake_llm)
    settings.ORCHESTRATION_CHUNK_GAP_TIMEOUT = 10  # two shared cores: a slow moment is not a dead provider
    context = open_context(browser_instance, chat_live, viewport={"width": 1280, "height": 860}, accept_downloads=True)
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
