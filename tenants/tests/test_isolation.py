"""Tenants are isolated by schema: sessions, credentials, admin lists, tables and cache keys."""

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.cache import make_key
from django_tenants.utils import schema_context

from conftest import PASSWORD, host_of


def test_it_makes_a_session_cookie_from_tenant_a_worthless_on_tenant_b(owner_client, tenant_client, tenant_a, tenant_b):
    assert owner_client.get("/chat/").status_code == 200
    stolen = owner_client.cookies[settings.SESSION_COOKIE_NAME].value

    other = tenant_client(tenant_b)
    other.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = other.get("/chat/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_does_not_log_in_tenant_a_credentials_on_tenant_b(tenant_client, tenant_a, tenant_b):
    response = tenant_client(tenant_b).post(
        "/accounts/login/", {"login": "owner@a.example", "password": PASSWORD}, HTTP_HOST=host_of(tenant_b)
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in tenant_client(tenant_b).session
    assert b"not correct" in response.content or b"incorrect" in response.content.lower()


def test_it_logs_in_tenant_a_credentials_on_tenant_a(tenant_client, tenant_a):
    client = tenant_client(tenant_a)
    response = client.post("/accounts/login/", {"login": "owner@a.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/chat/").status_code == 200


def test_it_never_lists_tenant_b_users_in_tenant_a_admin(owner_client):
    response = owner_client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert b"member@a.example" in response.content
    assert b"owner@a.example" in response.content
    assert b"outsider@b.example" not in response.content


def test_it_keeps_tenant_tables_out_of_the_public_schema(db):
    tenant_only = [a.split(".")[-1] for a in settings.TENANT_APPS if a not in settings.SHARED_APPS]
    tables = {
        model._meta.db_table
        for label in tenant_only
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and model._meta.managed
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        public_tables = {row[0] for row in cursor.fetchall()}
    assert not tables & public_tables
    assert "tenants_tenant" in public_tables


def test_it_gives_the_same_cache_key_different_names_per_tenant(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        key_a = make_key("greeting", "", 1)
        cache.set("greeting", "hello from A", 30)
    with schema_context(tenant_b.schema_name):
        key_b = make_key("greeting", "", 1)
        assert cache.get("greeting") is None
    with schema_context(tenant_a.schema_name):
        assert cache.get("greeting") == "hello from A"
        cache.delete("greeting")
    assert key_a != key_b
