"""Beat jobs over the ledger: daily aggregates (recomputed, so idempotent), the two-year archive,
and metered overage reported to Stripe Billing Meters with idempotent identifiers."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tenants.models import Tenant

from .. import quotas, stripe_api
from ..models import TENANT_WIDE, Subscription, UsageCounter

logger = logging.getLogger(__name__)
RETENTION = relativedelta(years=2)  # seed 000: usage logs are kept two years

_AGGREGATE_SQL = """
WITH logs AS (
    SELECT tenant_id, coalesce(user_id, %(wide)s::uuid) AS user_id, platform_key, action_type, tokens_used,
           cost_estimate, nullif(provider, '') AS provider, nullif(strategy, '') AS strategy, user_email, created_at
    FROM billing_usagelog WHERE created_at >= %(start)s AND created_at < %(end)s
), per_user AS (
    SELECT tenant_id, user_id, platform_key,
           max(user_email) AS user_email,
           count(*) FILTER (WHERE action_type = 'question') AS questions,
           count(*) FILTER (WHERE action_type = 'document_upload') AS documents,
           count(*) FILTER (WHERE action_type = 'admin_action') AS admin_actions,
           coalesce(sum(tokens_used), 0) AS tokens, coalesce(sum(cost_estimate), 0) AS cost
    FROM logs GROUP BY 1, 2, 3
), by_provider AS (
    SELECT tenant_id, user_id, platform_key, jsonb_object_agg(provider, c) AS j FROM (
        SELECT tenant_id, user_id, platform_key, provider, sum(cost_estimate) AS c FROM logs
        WHERE provider IS NOT NULL GROUP BY 1, 2, 3, 4) x GROUP BY 1, 2, 3
), by_strategy AS (
    SELECT tenant_id, user_id, platform_key, jsonb_object_agg(strategy, c) AS j FROM (
        SELECT tenant_id, user_id, platform_key, strategy, sum(cost_estimate) AS c FROM logs
        WHERE strategy IS NOT NULL GROUP BY 1, 2, 3, 4) x GROUP BY 1, 2, 3
), gone AS (
    DELETE FROM billing_usagedaily d WHERE d.date = %(day)s
    AND NOT EXISTS (SELECT 1 FROM per_user u WHERE u.tenant_id = d.tenant_id AND u.user_id = d.user_id
                    AND u.platform_key = d.platform_key)
)
INSERT INTO billing_usagedaily (tenant_id, date, user_id, user_email, platform_key, questions, documents_uploaded,
                                admin_actions, tokens_used, cost, cost_by_provider, cost_by_strategy, updated_at)
SELECT u.tenant_id, %(day)s, u.user_id, u.user_email, u.platform_key, u.questions, u.documents, u.admin_actions,
       u.tokens, u.cost, coalesce(p.j, '{}'::jsonb), coalesce(s.j, '{}'::jsonb), now()
FROM per_user u
LEFT JOIN by_provider p USING (tenant_id, user_id, platform_key)
LEFT JOIN by_strategy s USING (tenant_id, user_id, platform_key)
ON CONFLICT (tenant_id, date, user_id, platform_key) DO UPDATE SET
    user_email = EXCLUDED.user_email, questions = EXCLUDED.questions,
    documents_uploaded = EXCLUDED.documents_uploaded, admin_actions = EXCLUDED.admin_actions,
    tokens_used = EXCLUDED.tokens_used, cost = EXCLUDED.cost, cost_by_provider = EXCLUDED.cost_by_provider,
    cost_by_strategy = EXCLUDED.cost_by_strategy, updated_at = now()
"""


@transaction.atomic
def usage_aggregate_day(*, day: date) -> int:
    """Recompute the day's aggregates from the ledger (running it twice gives the same rows)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            _AGGREGATE_SQL, {"start": start, "end": start + timedelta(days=1), "day": day, "wide": str(TENANT_WIDE)}
        )
        return cursor.rowcount


def usage_aggregate_recent(*, now: datetime | None = None) -> int:
    """Beat (hourly): today and yesterday (late answers finish after midnight)."""
    today = (now or timezone.now()).astimezone(UTC).date()
    rows = usage_aggregate_day(day=today - timedelta(days=1)) + usage_aggregate_day(day=today)
    _questions_used_refresh()
    return rows


def _questions_used_refresh() -> None:
    """Seed 000 subscriptions.questions_used: this period's count, copied from the counters."""
    now = timezone.now()
    for sub in Subscription.objects.select_related("tenant"):
        try:
            limits = quotas.limits_for(schema=sub.tenant.schema_name, now=now)
        except quotas.UnknownTenant:
            continue
        used = (
            UsageCounter.objects.filter(
                tenant_id=sub.tenant_id,
                user_id=TENANT_WIDE,
                kind=UsageCounter.Kind.QUESTIONS,
                period_start=limits.period.start,
            )
            .values_list("used", flat=True)
            .first()
            or 0
        )
        if sub.questions_used != used:
            Subscription.objects.filter(pk=sub.pk).update(questions_used=used)


_ARCHIVE_SQL = """
WITH moved AS (
    DELETE FROM billing_usagelog WHERE id IN (
        SELECT id FROM billing_usagelog WHERE created_at < %(cutoff)s ORDER BY created_at LIMIT %(batch)s
    )
    RETURNING id, tenant_id, user_id, user_email, action_type, tokens_used, cost_estimate, provider, strategy,
              platform_key, action_metadata, idempotency_key, created_at
)
INSERT INTO billing_usagelogarchive (id, tenant_id, user_id, user_email, action_type, tokens_used, cost_estimate,
                                     provider, strategy, platform_key, action_metadata, idempotency_key, created_at,
                                     archived_at)
SELECT *, now() FROM moved
ON CONFLICT (id) DO NOTHING
"""


def usage_archive(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Move usage logs older than two years to the archive table, in batches (each its own transaction)."""
    cutoff = (now or timezone.now()) - RETENTION
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_ARCHIVE_SQL, {"cutoff": cutoff, "batch": batch})
            count = cursor.rowcount
        moved += count
        if count < batch:
            return moved


def overage_identifier(tenant_id, meter: str, period_start: datetime, hour: datetime) -> str:
    return f"{tenant_id}:{meter}:{period_start:%Y%m%d%H%M}:{hour:%Y%m%d%H}"


def overage_report(*, now: datetime | None = None) -> dict[str, int]:
    """Hourly: tell Stripe's meter how many questions past the quota each paying tenant asked since
    the last report. The identifier ``tenant:meter:period:hour`` makes a repeated report a no-op at
    Stripe. A report is written down (``pending`` and its identifier, committed) before it is sent
    and moved into ``reported`` once Stripe accepted it; a run that finds one pending (the last run
    crashed or Stripe failed between the two) first sends that same event again, so whatever moment
    the job dies, every question is reported once (Stripe keeps identifiers for at least 24 hours;
    the job runs hourly)."""
    now = now or timezone.now()
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    meter = settings.BILLING_METER_EVENT_NAME
    sent = {"tenants": 0, "questions": 0}
    if not stripe_api.configured():
        return sent
    subs = (
        Subscription.objects.select_related("tenant", "plan")
        .filter(plan__overage_price_cents__isnull=False, status__in=list(quotas.PAID_STATUSES))
        .exclude(tenant__stripe_customer_id="")
    )
    for sub in subs:
        limits = quotas.limits_for(schema=sub.tenant.schema_name, now=now)
        if not limits.overage or limits.question_limit is None:
            continue
        for counter in UsageCounter.objects.filter(
            tenant_id=sub.tenant_id,
            user_id=TENANT_WIDE,
            kind=UsageCounter.Kind.QUESTIONS,
            period_start__lte=limits.period.start,
        ).order_by("-period_start")[:2]:  # this period and the one that just ended
            count = 0
            if counter.pending > 0:  # written down, maybe sent: the same event again
                count += _overage_send(sub, counter, meter, now)
                counter.refresh_from_db()
            over = max(0, counter.used - limits.question_limit) - counter.reported
            if over > 0:
                identifier = overage_identifier(sub.tenant_id, meter, counter.period_start, hour)
                if counter.pending_identifier.startswith(identifier):  # a report went out this hour already
                    identifier = f"{identifier}:{counter.reported}"
                written = UsageCounter.objects.filter(pk=counter.pk, pending=0, reported=counter.reported).update(
                    pending=over, pending_identifier=identifier
                )
                if written:  # committed before the call (no transaction here: the job runs in autocommit)
                    counter.pending, counter.pending_identifier = over, identifier
                    count += _overage_send(sub, counter, meter, now)
            if count:
                sent["tenants"] += 1
                sent["questions"] += count
    return sent


def _overage_send(sub: Subscription, counter: UsageCounter, meter: str, now: datetime) -> int:
    """Send the counter's pending report to Stripe, then move it into ``reported``. Returns its size."""
    stripe_api.client().v1.billing.meter_events.create(
        params={
            "event_name": meter,
            "identifier": counter.pending_identifier,
            "payload": {"stripe_customer_id": sub.tenant.stripe_customer_id, "value": str(counter.pending)},
            "timestamp": int(min(now, counter.period_end - timedelta(seconds=1)).timestamp()),
        }
    )
    UsageCounter.objects.filter(pk=counter.pk, pending=counter.pending).update(
        reported=F("reported") + counter.pending, pending=0
    )
    return counter.pending


def overage_so_far(*, tenant: Tenant, limits: quotas.Limits, used: int) -> tuple[int, Decimal]:
    """Questions past the quota this period and what they cost so far (the billing page)."""
    if not limits.overage or limits.question_limit is None:
        return 0, Decimal("0")
    over = max(0, used - limits.question_limit)
    cents = tenant.subscription.plan.overage_price_cents or 0
    return over, Decimal(over * cents) / 100
