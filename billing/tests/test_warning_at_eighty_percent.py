from django.core import mail

from billing import quotas
from billing.services import quota_reserve

from .helpers import set_used


def test_it_warns_users_and_admins_at_80_percent_and_mails_the_owners_once(
    tenant_a, member, member_client, owner_client, django_capture_on_commit_callbacks, settings
):
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    threshold = quotas.warn_threshold(limits.question_limit)
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, threshold - 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)  # threshold - 1: no warning yet
    assert callbacks == []
    assert "data-billing-banner" not in member_client.get("/chat/").content.decode()

    from billing import tasks

    sent = []
    monkey = tasks.notify_quota_warning
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)  # reaches 80 %
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)  # past it: no second warning
    assert len(callbacks) == 2  # the warning task, and the banner cache's new token (both once)
    # what the task does, in the tenant's schema
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.schema_name):
        sent.append(monkey.run(str(tenant_a.pk), [quotas.Kind.QUESTIONS]))
    assert sent == [1]
    assert [m.to for m in mail.outbox] == [["owner@a.example"]]
    assert 'data-billing-banner="warn"' in member_client.get("/chat/").content.decode()
    assert 'data-billing-banner="warn"' in owner_client.get("/chat/").content.decode()


def test_it_says_the_limit_is_reached_at_100_percent(tenant_a, member_client):
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    page = member_client.get("/chat/").content.decode()
    assert 'data-billing-banner="full"' in page
    assert "Ask an admin to upgrade" in page
