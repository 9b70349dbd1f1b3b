"""Beat clears expired sessions (seed 001) in every workspace's own schema, one task each: a
workspace whose schema is gone fails its own task and the others are still cleared; live sessions
stay; running it twice is harmless."""

import logging
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from tenants.tasks import clear_expired_sessions


def _session(key: str, *, expired: bool) -> None:
    delta = timedelta(days=-1) if expired else timedelta(days=1)
    Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + delta)


def test_it_clears_expired_sessions_per_workspace_past_a_broken_one(
    celery_eager, dropped_tenant, tenant_a, tenant_b, in_tenant, caplog, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        _session("a-expired-0000000000000000000000", expired=True)
        _session("a-live-000000000000000000000000", expired=False)
    with in_tenant(tenant_b):
        _session("b-expired-0000000000000000000000", expired=True)

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        clear_expired_sessions.delay()
    with django_capture_on_commit_callbacks(execute=True):
        clear_expired_sessions.delay()  # again: nothing left to clear, nothing fails

    with in_tenant(tenant_a):
        assert set(Session.objects.values_list("session_key", flat=True)) >= {"a-live-000000000000000000000000"}
        assert not Session.objects.filter(session_key="a-expired-0000000000000000000000").exists()
    with in_tenant(tenant_b):
        assert not Session.objects.filter(session_key="b-expired-0000000000000000000000").exists()
    assert dropped_tenant.schema_name in caplog.text  # the broken workspace's own task failed, logged


def test_it_is_scheduled_in_beat():
    from config.settings import base  # the test settings run no beat jobs

    entry = base.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] == "tenants.tasks.clear_expired_sessions"
    assert entry["schedule"] <= 1800
