"""Browser set-up for the documents test: the shared one (chat.tests.browser.live_workspace) with
the worker consuming the ``documents`` queue too (processing), a committed tenant of its own and
its own MEDIA_ROOT."""

from __future__ import annotations

import pytest

SUBDOMAIN = "docs-browser"


@pytest.fixture(scope="session")
def docs_live(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    from chat.tests.browser import live_workspace

    old_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("docs-browser-media"))
    try:
        with live_workspace(
            django_db_blocker,
            subdomain=SUBDOMAIN,
            name="Docs Co",
            owner_email="docs@example.com",
            owner_name="Dora Docs",
            queues=["orchestration", "documents"],
        ) as live:
            yield live
    finally:
        settings.MEDIA_ROOT = old_media


@pytest.fixture
def docs_page(docs_live, browser_instance):
    from chat.tests.browser import open_context

    context = open_context(browser_instance, docs_live, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base_url = docs_live.base_url
    yield page
    context.close()
