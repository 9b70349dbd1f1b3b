"""Quotas: what a tenant (and a user) may still use, taken atomically from per-period counter rows.

Admission is two statements: one read of everything that sets the limits (tenant, subscription,
plan, the free plan, the user's tier) and one write that takes from every counter at once — each
counter is an ``INSERT … ON CONFLICT DO UPDATE … WHERE used + n <= limit RETURNING``, so
PostgreSQL re-checks the condition on the latest row version under its row lock: with one question
left, of fifty concurrent askers exactly one gets a row back. Nothing is read and then written.
If any counter refuses, the savepoint rolls back the others.

The plan's concurrent sessions (docs/adr/0013) are no counter: they are the workspace's answers
being written, which only chat can count. ``quota_reserve`` is given that count as a function and
calls it under a per-tenant transaction lock that the limits statement takes, so the count and the
caller's new answer are one step (exactly ``limit`` of N concurrent questions get in), and a place
frees when the answer row stops being open — a dead worker's answer too, once chat's sweep ends it.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.db import fetch_prepared
from core.versioned_cache import VersionedCache

from .models import TENANT_WIDE, Subscription, UsageCounter

Kind = UsageCounter.Kind
SESSIONS = "sessions"  # the plan's concurrent sessions: not a counter row (docs/adr/0013)
FOREVER_START = datetime(2000, 1, 1, tzinfo=UTC)
FOREVER_END = datetime(9999, 1, 1, tzinfo=UTC)
# Statuses on which the subscribed plan's limits apply; otherwise the free plan's.
PAID_STATUSES = {Subscription.Status.ACTIVE, Subscription.Status.TRIALING, Subscription.Status.PAST_DUE}


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


@dataclass
class Limits:
    """Everything admission needs, read in one statement (:func:`limits_for`)."""

    tenant_id: uuid.UUID
    plan_code: str
    plan_name: str
    status: str
    period: Period  # the billing period (the subscription's, monthly for free)
    question_limit: int | None
    token_limit_daily: int | None
    document_limit: int | None
    session_limit: int | None  # answers being written at once in the workspace (docs/adr/0013)
    overage: bool  # questions past the quota are billed (Stripe meter) instead of refused
    read_only: bool  # past due beyond the grace period
    past_due_since: datetime | None
    user_questions: int | None = None  # the user's tier, per calendar month
    user_tokens: int | None = None
    tier_name: str = ""
    grace_ends: datetime | None = None
    cancel_at_period_end: bool = False
    extras: dict = field(default_factory=dict)


def month_of(now: datetime) -> Period:
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Period(start, start + relativedelta(months=1))


def day_of(now: datetime) -> Period:
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return Period(start, start + timedelta(days=1))


def billing_period(*, start: datetime | None, end: datetime | None, interval: str, now: datetime) -> Period:
    """The subscription's period containing ``now``; past its end (a renewal not yet reported) the
    next periods of the same length follow on; without a subscription period, the calendar month."""
    if start is None or end is None:
        return month_of(now)
    if start <= now < end:
        return Period(start, end)
    step = relativedelta(years=1) if interval == "year" else relativedelta(months=1)
    if now < start:
        return month_of(now)
    n = 0
    s, e = end, end + step
    while not (s <= now < e) and n < 1200:
        s, e = e, e + step
        n += 1
    return Period(s, e)


_LIMITS_SQL = """
SELECT t.id, s.status, s.past_due_since, s.current_period_start, s.current_period_end, s.cancel_at_period_end,
       p.code, p.name, p.interval, p.question_limit, p.token_limit_daily, p.document_limit, p.overage_price_cents,
       p.stripe_overage_price_id, p.session_limit,
       f.code, f.name, f.question_limit, f.token_limit_daily, f.document_limit, f.session_limit,
       ti.name, ti.monthly_questions, ti.monthly_tokens,
       CASE WHEN %(lock)s::boolean AND (p.session_limit IS NOT NULL OR f.session_limit IS NOT NULL)
            THEN pg_advisory_xact_lock(%(lock_key)s::int, hashtext(t.schema_name)) IS NULL END
FROM tenants_tenant t
LEFT JOIN billing_subscription s ON s.tenant_id = t.id
LEFT JOIN billing_plan p ON p.id = s.plan_id
LEFT JOIN billing_plan f ON f.code = 'free'
LEFT JOIN billing_usertier ut ON ut.tenant_id = t.id AND ut.user_id = %(user)s
LEFT JOIN LATERAL (
    SELECT name, monthly_questions, monthly_tokens FROM billing_usagetier x
    WHERE (ut.tier_id IS NOT NULL AND x.id = ut.tier_id) OR (ut.tier_id IS NULL AND x.tenant_id = t.id AND x.is_default)
    ORDER BY x.is_default LIMIT 1
) ti ON true
WHERE t.schema_name = %(schema)s
"""


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# The banner on top of every page (``selectors.banner_for``), memoised per tenant schema and user.
# It changes level only when a counter reaches a warning threshold or its limit, a question is given
# back, or the subscription, plan or tiers change: the services doing that call
# :func:`banner_changed`. What changes in between (the percent of a "warn" banner, a grace period
# running out, a period rolling over) shows within ``BANNER_TTL`` seconds.
BANNER_TTL = 30.0
BANNER = VersionedCache("billing:banner", ttl=BANNER_TTL, clone=lambda value: value)


def banner_changed(schema: str) -> None:
    """What the billing banner says for ``schema`` may have changed (on commit, every process reads again)."""
    BANNER.bump(schema=schema)


def reaches_banner(taken: list[Taken]) -> bool:
    """A take that moves the banner: a warning threshold crossed, or a limit reached."""
    return any(t.just_warned or (t.limit is not None and t.used >= t.limit) for t in taken)


class UnknownTenant(Exception):
    pass


# The first key of the tenant's session lock (pg_advisory_xact_lock(int, int)); the second is the
# hash of its schema name. Nothing else in Chorus takes two-key advisory locks under this key.
SESSION_LOCK_KEY = 0x0C5E  # "chorus sessions"


def limits_for(
    *, schema: str | None = None, user_id=None, now: datetime | None = None, lock_sessions: bool = False
) -> Limits:
    """The limits of ``schema``'s workspace (and of ``user_id``'s tier), in one statement.

    ``lock_sessions``: when a session limit may apply, the same statement also takes the tenant's
    session lock (a transaction-level advisory lock, released at commit or rollback), so that the
    caller's count of open sessions and its new session are one step for every other admitter."""
    now = now or timezone.now()
    schema = schema or connection.schema_name  # type: ignore[attr-defined]
    if lock_sessions and not connection.in_atomic_block:
        raise RuntimeError("the session lock needs the caller's transaction (it is released at its end)")
    row = fetch_prepared(
        _LIMITS_SQL,
        {
            "schema": schema,
            "user": _uuid(user_id or TENANT_WIDE),
            "lock": bool(lock_sessions),
            "lock_key": SESSION_LOCK_KEY,
        },
    )
    if row is None:
        raise UnknownTenant(schema)
    (
        tenant_id,
        status,
        past_due_since,
        p_start,
        p_end,
        cancel_at_end,
        code,
        name,
        interval,
        q,
        tok,
        docs,
        over_cents,
        over_price,
        sessions,
        f_code,
        f_name,
        f_q,
        f_tok,
        f_docs,
        f_sessions,
        tier,
        tier_q,
        tier_tok,
        _locked,
    ) = row
    paid = code is not None and status in PAID_STATUSES
    if paid and cancel_at_end and p_end is not None and now >= p_end:  # cancelled: free from the period's end
        paid = False
    if not paid:  # no subscription, cancelled (at its period end) or never completed: the free plan
        code, name, q, tok, docs = f_code or "free", f_name or "Free", f_q, f_tok, f_docs
        sessions = f_sessions
        interval, over_cents, over_price = "month", None, ""
        p_start = p_end = None  # free: calendar months
    grace_ends = None
    read_only = False
    if status == Subscription.Status.PAST_DUE and past_due_since is not None:
        grace_ends = past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)
        read_only = now >= grace_ends
    return Limits(
        tenant_id=tenant_id,
        plan_code=code,
        plan_name=name,
        status=status or Subscription.Status.ACTIVE,
        period=billing_period(start=p_start, end=p_end, interval=interval or "month", now=now),
        question_limit=q,
        token_limit_daily=tok,
        document_limit=docs,
        session_limit=sessions,
        overage=bool(paid and over_cents is not None and over_price),
        read_only=read_only,
        past_due_since=past_due_since,
        user_questions=tier_q,
        user_tokens=tier_tok,
        tier_name=tier or "",
        grace_ends=grace_ends,
        cancel_at_period_end=bool(cancel_at_end),
    )


@dataclass(frozen=True)
class Take:
    """Take ``add`` from a counter, provided ``used + need <= limit`` (``limit`` None: always)."""

    kind: str
    user_id: uuid.UUID
    period: Period
    add: int
    need: int
    limit: int | None


@dataclass(frozen=True)
class Taken:
    kind: str
    used: int
    limit: int | None
    just_warned: bool


_UPSERT = """
{name} AS (
    INSERT INTO billing_usagecounter AS c
        (tenant_id, user_id, kind, period_start, period_end, used, reported, warned_at)
    VALUES (%({p}t)s, %({p}u)s, %({p}k)s::text, %({p}s)s, %({p}e)s, %({p}a)s::bigint, 0,
            CASE WHEN %({p}w)s::bigint IS NOT NULL AND %({p}a)s::bigint >= %({p}w)s::bigint
                 THEN statement_timestamp() END)
    ON CONFLICT (tenant_id, user_id, kind, period_start) DO UPDATE
        SET used = c.used + EXCLUDED.used,
            warned_at = CASE WHEN c.warned_at IS NULL AND %({p}w)s::bigint IS NOT NULL
                                  AND c.used + EXCLUDED.used >= %({p}w)s::bigint
                             THEN statement_timestamp() ELSE c.warned_at END
        WHERE %({p}l)s::bigint IS NULL OR c.used + %({p}n)s::bigint <= %({p}l)s::bigint
    RETURNING c.used, c.warned_at IS NOT DISTINCT FROM statement_timestamp() AS just_warned
)"""


def warn_threshold(limit: int | None) -> int | None:
    if limit is None:
        return None
    return max(1, math.ceil(limit * settings.BILLING_WARN_AT))


class Refused(Exception):
    def __init__(self, take: Take):
        super().__init__(take.kind)
        self.take = take


def take(tenant_id, takes: list[Take]) -> list[Taken]:
    """Take from every counter in one statement, or from none (raises :class:`Refused` with the first
    counter that had too little left)."""
    for t in takes:  # a limit below what is needed refuses without a statement (a new row would pass)
        if t.limit is not None and t.need > t.limit:
            raise Refused(t)
    if not takes:
        return []
    ctes, selects, params = [], [], {}
    for i, t in enumerate(takes):
        p = f"c{i}_"
        ctes.append(_UPSERT.format(name=f"c{i}", p=p))
        selects.append(f"(SELECT used FROM c{i}), (SELECT just_warned FROM c{i})")
        params.update(
            {
                f"{p}t": _uuid(tenant_id),
                f"{p}u": _uuid(t.user_id),
                f"{p}k": t.kind,
                f"{p}s": t.period.start,
                f"{p}e": t.period.end,
                f"{p}a": t.add,
                f"{p}n": t.need,
                f"{p}l": t.limit,
                f"{p}w": warn_threshold(t.limit),
            }
        )
    sql = "WITH " + ",".join(ctes) + " SELECT " + ", ".join(selects)
    if not connection.in_atomic_block:  # alone, the statement and a refusal's undo must be one transaction
        with transaction.atomic():
            return _take(tenant_id, takes, sql, params)
    return _take(tenant_id, takes, sql, params)


def _take(tenant_id, takes: list[Take], sql: str, params: dict) -> list[Taken]:
    row = fetch_prepared(sql, params)
    out: list[tuple[Take, Taken]] = []
    refused = None
    for i, t in enumerate(takes):
        used, warned = row[2 * i], row[2 * i + 1]
        if used is None:
            refused = refused or t
        else:
            out.append((t, Taken(kind=t.kind, used=int(used), limit=t.limit, just_warned=bool(warned))))
    if refused is not None:
        # Undo what the other counters took, in this transaction: their rows stay locked by it until it
        # ends, so no one else saw the intermediate value (cheaper than a savepoint on every question).
        for t, taken in out:
            if t.add or taken.just_warned:
                give_back(tenant_id, t.kind, t.user_id, t.period.start, t.add, unwarn=taken.just_warned)
        raise Refused(refused)
    return [taken for _t, taken in out]


def give_back(tenant_id, kind: str, user_id, period_start: datetime, amount: int, *, unwarn: bool = False) -> None:
    """Return ``amount`` to a counter (an answer that failed refunds its question; never below zero)."""
    changes: dict = {"used": F("used") - amount}
    if unwarn:
        changes["warned_at"] = None
    UsageCounter.objects.filter(
        tenant_id=tenant_id, user_id=user_id, kind=kind, period_start=period_start, used__gte=amount
    ).update(**changes)


def add_usage(tenant_id, kind: str, user_id, period: Period, amount: int) -> None:
    """Add usage known only afterwards (tokens of a finished answer) without a limit check."""
    if amount <= 0:
        return
    take(tenant_id, [Take(kind=kind, user_id=user_id, period=period, add=amount, need=0, limit=None)])


def counters_for(*, tenant_id, user_id=None, limits: Limits, now: datetime | None = None) -> dict[str, int]:
    """This period's usage per counter kind (tenant-wide kinds, and the user's when given)."""
    now = now or timezone.now()
    wanted = [
        (Kind.QUESTIONS, TENANT_WIDE, limits.period.start),
        (Kind.TOKENS_DAY, TENANT_WIDE, day_of(now).start),
        (Kind.DOCUMENTS, TENANT_WIDE, FOREVER_START),
    ]
    if user_id is not None:
        month = month_of(now).start
        wanted += [(Kind.USER_QUESTIONS, user_id, month), (Kind.USER_TOKENS, user_id, month)]
    q = Q()
    for kind, uid, start in wanted:
        q |= Q(kind=kind, user_id=uid, period_start=start)
    rows = UsageCounter.objects.filter(q, tenant_id=tenant_id).values_list("kind", "used")
    found = dict(rows)
    return {kind: int(found.get(kind, 0)) for kind, _uid, _start in wanted}


# What each limit is called in the refusal and on the billing page.
LIMIT_LABELS = {
    Kind.QUESTIONS: gettext_lazy("your workspace's questions for this billing period"),
    Kind.TOKENS_DAY: gettext_lazy("your workspace's tokens for today"),
    Kind.DOCUMENTS: gettext_lazy("your workspace's documents"),
    Kind.USER_QUESTIONS: gettext_lazy("your own questions for this month"),
    Kind.USER_TOKENS: gettext_lazy("your own tokens for this month"),
    SESSIONS: gettext_lazy("your workspace's concurrent sessions (answers being written at once)"),
    "read_only": gettext_lazy("payment overdue: the workspace is read-only"),
}
