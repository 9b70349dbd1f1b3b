"""The hourly overage report dies after Stripe accepted it and before Chorus wrote that down: the next
run sends the same event again (same identifier, same value), so Stripe counts every question once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import quotas, stripe_api
from billing.models import UsageCounter
from billing.services import overage_report, quota_reserve

from .helpers import set_used


class Crash(Exception):
    pass


def _crash_after_stripe_accepts(monkeypatch):
    real_client = stripe_api.client

    class MeterEvents:
        def create(self, **kwargs):
            real_client().v1.billing.meter_events.create(**kwargs)
            raise Crash  # the worker died before the counter was updated

    class Client:
        class v1:  # noqa: N801 - the SDK's shape
            class billing:  # noqa: N801
                meter_events = MeterEvents()

    monkeypatch.setattr(stripe_api, "client", lambda: Client)


def test_it_reports_each_overage_question_once_when_the_job_dies_after_stripe_accepted(
    subscribed, fake_stripe, tenant_a, tenant_b, member, settings, monkeypatch
):
    subscribed("pro")
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    for _ in range(3):
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    now = timezone.now()
    with monkeypatch.context() as m:
        _crash_after_stripe_accepts(m)
        with pytest.raises(Crash):
            overage_report(now=now)
    meter = settings.BILLING_METER_EVENT_NAME
    tenant_a.refresh_from_db()
    assert fake_stripe.meter_total(meter, tenant_a.stripe_customer_id) == 3
    overage_report(now=now + timedelta(hours=1))  # the next run, another hour
    assert fake_stripe.meter_total(meter, tenant_a.stripe_customer_id) == 3
    counter = UsageCounter.objects.get(tenant_id=tenant_a.pk, kind=quotas.Kind.QUESTIONS, user_id=quotas.TENANT_WIDE)
    assert (counter.reported, counter.pending) == (3, 0)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    overage_report(now=now + timedelta(hours=1))  # a second report in the same hour is not dropped
    assert fake_stripe.meter_total(meter, tenant_a.stripe_customer_id) == 4
    assert not UsageCounter.objects.filter(tenant_id=tenant_b.pk, reported__gt=0).exists()
