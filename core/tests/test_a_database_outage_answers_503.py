"""While PostgreSQL does not answer, every request fails cleanly: 503 with a short translated page
and Retry-After, not Django's 500. The outage is injected on the test's database connection (Django's
execute_wrapper raises what psycopg's error becomes in Django for a server that is gone); the real
restart, and the recovery, is measured by bench/faults.py (docs/FAULTS.md)."""

import pytest
from django import db
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from conftest import host_of


def _server_gone(execute, sql, params, many, context):
    raise db.OperationalError("connection failed: server closed the connection unexpectedly")


def _a_bug(execute, sql, params, many, context):
    raise RuntimeError("a bug, not an outage")


def _signed_in(tenant, user) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), raise_request_exception=False)
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/chat/", "/accounts/login/", "/documents/"])
def test_it_answers_503_on_a_workspace_host_while_the_database_is_down(tenant_a, owner, path):
    client = _signed_in(tenant_a, owner)
    with connection.execute_wrapper(_server_gone):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.content.decode()
    assert "briefly unavailable" in body and "Traceback" not in body and "server closed" not in body
    assert client.get(path).status_code in (200, 302)  # it answers again: so does the page


def test_it_answers_503_on_the_public_host_in_the_visitors_language(db, settings):
    client = Client(HTTP_HOST=settings.BASE_DOMAIN, raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="sl")
    with connection.execute_wrapper(_server_gone):
        response = client.get("/")
    assert response.status_code == 503
    body = response.content.decode()
    assert '<html lang="sl">' in body and "briefly unavailable" not in body  # the Slovenian text


def test_it_still_answers_500_for_any_other_error(tenant_a, owner):
    client = _signed_in(tenant_a, owner)
    with connection.execute_wrapper(_a_bug):
        response = client.get("/chat/")
    assert response.status_code == 500
    assert "Retry-After" not in response
