"""Browser set-up for the documents test: the chat test's servers, with the worker consuming the
``documents`` queue too (processing) and a committed tenant of its own."""

from __future__ import annotations

import pytest

SUBDOMAIN = "docs-browser"


class DocumentServers:
    """chat.tests.browser.Servers with the worker on both queues."""

    def __init__(self):
        from chat.tests.browser import Servers

        self.inner = Servers()

    def start(self) -> int:
        from celery.contrib.testing import worker as testing_worker

        from config.celery_app import app

        with app.connection_for_write() as conn:
            for queue in ("orchestration", "documents"):
                conn.default_channel.queue_declare(queue, passive=False, durable=True, auto_delete=False)
                conn.default_channel.queue_purge(queue)
        original = testing_worker.start_worker

        def both_queues(*args, **kwargs):
            kwargs["queues"] = ["orchestration", "documents"]
            return original(*args, **kwargs)

        testing_worker.start_worker = both_queues
        try:
            return self.inner.start()
        finally:
            testing_worker.start_worker = original

    def stop(self) -> None:
        self.inner.stop()


@pytest.fixture(scope="session")
def docs_live(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from chat.tests.browser import Live
    from conftest import PASSWORD
    from tenants.models import Tenant
    from tenants.services import tenant_create, tenant_provision

    media = tmp_path_factory.mktemp("docs-browser-media")
    old_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(media)
    servers = DocumentServers()
    with django_db_blocker.unblock():
        Tenant.objects.filter(subdomain=SUBDOMAIN).delete()
        tenant = tenant_create(name="Docs Co", subdomain=SUBDOMAIN, owner_email="docs@example.com",
                               owner_password=PASSWORD, owner_name="Dora Docs", provision=False)  # fmt: skip
        tenant = tenant_provision(tenant_id=tenant.pk)
        with schema_context(tenant.schema_name):
            client = Client(HTTP_HOST=f"{SUBDOMAIN}.localhost")
            client.force_login(User.objects.get(email="docs@example.com"))
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
        connection.set_schema_to_public()
        port = servers.start()
        try:
            yield Live(base_url=f"http://{SUBDOMAIN}.localhost:{port}", host=f"{SUBDOMAIN}.localhost", tenant=tenant,
                       user_email="docs@example.com", password=PASSWORD, session=session)  # fmt: skip
        finally:
            servers.stop()
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()
            settings.MEDIA_ROOT = old_media


@pytest.fixture
def docs_page(docs_live, browser_instance):
    from django.conf import settings

    context = browser_instance.new_context(viewport={"width": 1280, "height": 860})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": docs_live.session, "domain": docs_live.host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base_url = docs_live.base_url
    yield page
    context.close()
