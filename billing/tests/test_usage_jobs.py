"""Beat jobs over the ledger: daily aggregates (idempotent), the two-year archive, overage to Stripe."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from billing import quotas
from billing.models import UsageDaily, UsageLog, UsageLogArchive
from billing.services import overage_report, usage_aggregate_day, usage_record

from .helpers import set_used

UTC = UTC


def _log(tenant, user, when, key, *, tokens=10, cost="0.5", provider="openai", platform=False):
    usage_record(
        schema=tenant.schema_name,
        action_type="question",
        user_id=user.pk,
        user_email=user.email,
        tokens=tokens,
        cost=Decimal(cost),
        provider=provider,
        strategy="single_provider",
        platform_key=platform,
        idempotency_key=key,
        now=when,
    )


def test_it_aggregates_a_day_per_tenant_user_and_key_and_gives_the_same_rows_twice(
    tenant_a, tenant_b, owner, member, outsider
):
    day = datetime(2030, 6, 1, 10, tzinfo=UTC)
    _log(tenant_a, member, day, "a1", provider="openai")
    _log(tenant_a, member, day, "a2", provider="anthropic", tokens=5)
    _log(tenant_a, member, day, "a3", platform=True)
    _log(tenant_a, owner, day + timedelta(days=1), "a4")  # the next day
    _log(tenant_b, outsider, day, "b1")
    usage_aggregate_day(day=day.date())
    first = sorted(
        UsageDaily.objects.filter(date=day.date()).values_list(
            "tenant_id", "user_email", "platform_key", "questions", "tokens_used", "cost"
        )
    )
    usage_aggregate_day(day=day.date())
    again = sorted(
        UsageDaily.objects.filter(date=day.date()).values_list(
            "tenant_id", "user_email", "platform_key", "questions", "tokens_used", "cost"
        )
    )
    assert first == again
    a_own = UsageDaily.objects.get(tenant=tenant_a, date=day.date(), user_id=member.pk, platform_key=False)
    assert (a_own.questions, a_own.tokens_used, a_own.cost) == (2, 15, Decimal("1.000000"))
    assert set(a_own.cost_by_provider) == {"openai", "anthropic"}
    assert UsageDaily.objects.get(tenant=tenant_a, date=day.date(), user_id=member.pk, platform_key=True).questions == 1
    assert UsageDaily.objects.get(tenant=tenant_b, date=day.date()).questions == 1


def test_it_archives_usage_logs_older_than_two_years(tenant_a, member, capsys):
    now = timezone.now()
    _log(tenant_a, member, now - timedelta(days=2 * 365 + 5), "old")
    _log(tenant_a, member, now - timedelta(days=300), "recent")
    call_command("archive_usage_logs")
    assert "archived 1" in capsys.readouterr().out
    assert list(UsageLog.objects.filter(tenant=tenant_a).values_list("idempotency_key", flat=True)) == ["recent"]
    assert list(UsageLogArchive.objects.values_list("idempotency_key", flat=True)) == ["old"]
    call_command("archive_usage_logs")
    assert UsageLogArchive.objects.count() == 1


def test_it_reports_overage_to_the_stripe_meter_once_per_hour(subscribed, fake_stripe, tenant_a, member, settings):
    from billing.services import QuotaExceeded, quota_reserve

    subscribed("pro")
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    assert limits.overage
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    for _ in range(3):  # pay as you go: admitted past the quota
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    now = timezone.now()
    assert overage_report(now=now) == {"tenants": 1, "questions": 3}
    assert overage_report(now=now) == {"tenants": 0, "questions": 0}  # nothing new
    tenant_a.refresh_from_db()
    event = next(iter(fake_stripe.meter_events.values()))
    assert event["identifier"].startswith(f"{tenant_a.pk}:{settings.BILLING_METER_EVENT_NAME}:")
    assert fake_stripe.meter_total(settings.BILLING_METER_EVENT_NAME, tenant_a.stripe_customer_id) == 3
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    overage_report(now=now + timedelta(hours=1))
    assert fake_stripe.meter_total(settings.BILLING_METER_EVENT_NAME, tenant_a.stripe_customer_id) == 4
    assert QuotaExceeded  # the free plan has no overage: see test_question_over_quota_is_refused


def test_it_shows_the_overage_on_the_billing_page(subscribed, owner_client, tenant_a, member):
    from billing.services import quota_reserve

    subscribed("pro")
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit + 4)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    assert 'data-overage="5"' in owner_client.get("/billing/").content.decode()
