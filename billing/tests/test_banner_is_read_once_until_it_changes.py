"""The billing banner runs on every page: memoised per user until a billing service changes what it says."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import quotas
from billing.services import quota_reserve

from .helpers import set_used


def _counter_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/chat/").status_code == 200
    return sum("billing_usagecounter" in q["sql"] for q in ctx.captured_queries)


def test_it_reads_the_counters_only_on_the_first_page(tenant_a, member_client):
    assert _counter_queries(member_client) == 1
    assert _counter_queries(member_client) == 0


def test_it_shows_the_full_banner_as_soon_as_a_question_reaches_the_limit(
    tenant_a, member, member_client, django_capture_on_commit_callbacks
):
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    with django_capture_on_commit_callbacks(execute=True):  # committed: the banner's token is replaced
        set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit - 1)
    assert 'data-billing-banner="warn"' in member_client.get("/chat/").content.decode()
    assert _counter_queries(member_client) == 0  # memoised
    with django_capture_on_commit_callbacks(execute=True):
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)  # the last question
    assert 'data-billing-banner="full"' in member_client.get("/chat/").content.decode()


def test_it_keeps_another_workspace_banner_apart(tenant_a, tenant_b, member_client, outsider_client):
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    assert "data-billing-banner" not in outsider_client.get("/chat/").content.decode()
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    assert 'data-billing-banner="full"' in member_client.get("/chat/").content.decode()
    assert "data-billing-banner" not in outsider_client.get("/chat/").content.decode()
