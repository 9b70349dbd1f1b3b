"""Reads of the billing app: the billing page, banners, a member's own usage, operator figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from . import quotas
from .models import TENANT_WIDE, Invoice, Plan, Subscription, UsageCounter, UsageDaily, UsageLog, UsageTier, UserTier

Kind = UsageCounter.Kind


@dataclass
class Meter:
    kind: str
    label: str
    used: int
    limit: int | None
    resets_at: datetime | None

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0 if self.limit is None else 100
        return min(100, round(100 * self.used / self.limit))

    @property
    def level(self) -> str:
        if self.limit is None:
            return "ok"
        if self.used >= self.limit:
            return "full"
        return "warn" if self.used >= (quotas.warn_threshold(self.limit) or 0) else "ok"


def sessions_counter() -> Callable[[], int] | None:
    """The function that counts the current workspace's concurrent sessions (its answers being
    written now, docs/adr/0013), named by the setting ``BILLING_SESSIONS_OPEN``: chat owns the rows
    and billing imports nothing of chat (DESIGN §3), so the wiring is the settings' (config)."""
    path = getattr(settings, "BILLING_SESSIONS_OPEN", "")
    return import_string(path) if path else None


def meters_for(
    *, limits: quotas.Limits, user_id=None, now=None, sessions_open: Callable[[], int] | None = None
) -> list[Meter]:
    """The workspace's meters (and the user's own with ``user_id``); with ``sessions_open``, also
    its concurrent sessions open now against the plan's session limit."""
    from .quotas import LIMIT_LABELS, SESSIONS

    now = now or timezone.now()
    used = quotas.counters_for(tenant_id=limits.tenant_id, user_id=user_id, limits=limits, now=now)
    day, month = quotas.day_of(now), quotas.month_of(now)
    rows = [
        Meter(
            Kind.QUESTIONS,
            str(LIMIT_LABELS[Kind.QUESTIONS]),
            used[Kind.QUESTIONS],
            limits.question_limit,
            limits.period.end,
        ),
        Meter(
            Kind.TOKENS_DAY,
            str(LIMIT_LABELS[Kind.TOKENS_DAY]),
            used[Kind.TOKENS_DAY],
            limits.token_limit_daily,
            day.end,
        ),
        Meter(Kind.DOCUMENTS, str(LIMIT_LABELS[Kind.DOCUMENTS]), used[Kind.DOCUMENTS], limits.document_limit, None),
    ]
    if sessions_open is not None:
        rows.append(Meter(SESSIONS, str(LIMIT_LABELS[SESSIONS]), sessions_open(), limits.session_limit, None))
    if user_id is not None:
        rows += [
            Meter(
                Kind.USER_QUESTIONS,
                str(LIMIT_LABELS[Kind.USER_QUESTIONS]),
                used[Kind.USER_QUESTIONS],
                limits.user_questions,
                month.end,
            ),
            Meter(
                Kind.USER_TOKENS,
                str(LIMIT_LABELS[Kind.USER_TOKENS]),
                used[Kind.USER_TOKENS],
                limits.user_tokens,
                month.end,
            ),
        ]
    return rows


def _decimal_rows(qs, key: str) -> list[dict]:
    return [
        {"name": r[key] or "—", "questions": r["n"], "tokens": r["tokens"] or 0, "cost": r["cost"] or Decimal("0")}
        for r in qs
    ]


def cost_breakdown(*, tenant_id, start: datetime, end: datetime) -> dict[str, list[dict]]:
    """This period's cost per provider, per strategy and per user (platform vs own keys apart)."""
    base = UsageLog.objects.filter(tenant_id=tenant_id, created_at__gte=start, created_at__lt=end)

    def grouped(*fields):
        return (
            base.values(*fields)
            .annotate(n=Count("id"), tokens=Sum("tokens_used"), cost=Sum("cost_estimate"))
            .order_by("-cost", *fields)
        )

    return {
        "provider": _decimal_rows(grouped("provider"), "provider"),
        "strategy": _decimal_rows(grouped("strategy"), "strategy"),
        "user": _decimal_rows(grouped("user_email"), "user_email"),
        "key": [
            {**r, "name": "platform" if r["name"] is True else "own"}
            for r in _decimal_rows(grouped("platform_key"), "platform_key")
        ],
    }


def usage_series(*, tenant_id, days: int = 30, now=None, user_id=None) -> dict:
    """Per day for the chart: questions, tokens and cost. Past days from the daily aggregates, today live."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    by_day: dict[date, dict] = {first + timedelta(days=i): {"q": 0, "t": 0, "c": Decimal("0")} for i in range(days)}
    daily = UsageDaily.objects.filter(tenant_id=tenant_id, date__gte=first, date__lt=today)
    if user_id is not None:
        daily = daily.filter(user_id=user_id)
    for row in daily.values("date").annotate(q=Sum("questions"), t=Sum("tokens_used"), c=Sum("cost")):
        by_day[row["date"]] = {"q": row["q"] or 0, "t": row["t"] or 0, "c": row["c"] or Decimal("0")}
    start = datetime(today.year, today.month, today.day, tzinfo=UTC)
    live = UsageLog.objects.filter(tenant_id=tenant_id, created_at__gte=start, action_type="question")
    if user_id is not None:
        live = live.filter(user_id=user_id)
    agg = live.aggregate(q=Count("id"), t=Sum("tokens_used"), c=Sum("cost_estimate"))
    by_day[today] = {"q": agg["q"] or 0, "t": agg["t"] or 0, "c": agg["c"] or Decimal("0")}
    ordered = sorted(by_day.items())
    return {
        "labels": [d.isoformat() for d, _v in ordered],
        "questions": [v["q"] for _d, v in ordered],
        "tokens": [int(v["t"]) for _d, v in ordered],
        "cost": [float(v["c"]) for _d, v in ordered],
    }


def usage_rows_for_export(*, tenant_id, start: datetime, end: datetime):
    return (
        UsageLog.objects.filter(tenant_id=tenant_id, created_at__gte=start, created_at__lt=end)
        .order_by("created_at")
        .values_list(
            "created_at",
            "user_email",
            "action_type",
            "tokens_used",
            "cost_estimate",
            "provider",
            "strategy",
            "platform_key",
        )
        .iterator(chunk_size=2000)
    )


def subscription_of(tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(tenant_id=tenant.pk).first()


def invoices_of(tenant, limit: int = 24):
    return list(Invoice.objects.filter(tenant_id=tenant.pk)[:limit])


def plans_on_sale():
    return list(Plan.objects.filter(is_active=True).order_by("sort_order", "price_cents"))


def tiers_of(tenant):
    tiers = list(UsageTier.objects.filter(tenant_id=tenant.pk).order_by("name"))
    members = {t.pk: [] for t in tiers}
    for a in UserTier.objects.filter(tenant_id=tenant.pk).order_by("user_email"):
        members.setdefault(a.tier_id, []).append(a)
    for t in tiers:
        t.assigned = members.get(t.pk, [])
    return tiers


def tier_of_user(*, tenant, user_id) -> str:
    """The name of the tier ``user_id`` is assigned to ("" when none: the default applies)."""
    return (
        UserTier.objects.filter(tenant_id=tenant.pk, user_id=user_id).values_list("tier__name", flat=True).first() or ""
    )


@dataclass
class Banner:
    level: str  # warn, full, past_due, read_only
    text: str
    link: bool = True


def banner_for(*, schema: str, user) -> Banner | None:
    """What the top of every page says about billing for this user (None: nothing to say).

    Memoised per schema, user, language and time zone (``quotas.BANNER``): the two statements
    behind it ran on every page; the services that change what it says bump the cache."""
    from django.utils import translation

    from core.db import connection_schema

    if connection_schema() != schema:  # the cache is versioned per the connection's schema
        return _banner(schema=schema, user=user)
    key = f"{user.pk}:{translation.get_language()}:{timezone.get_current_timezone_name()}"
    return quotas.BANNER.get(key, lambda: _banner(schema=schema, user=user))


def _banner(*, schema: str, user) -> Banner | None:
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    try:
        limits = quotas.limits_for(schema=schema, user_id=user.pk)
    except quotas.UnknownTenant:
        return None
    if limits.read_only:
        return Banner("read_only", _("The workspace's payment is overdue: it is read-only until the invoice is paid."))
    meters = meters_for(limits=limits, user_id=user.pk)
    full = [m for m in meters if m.level == "full" and m.kind != Kind.DOCUMENTS]
    if full:
        m = full[0]
        text = _("You have reached the limit of %(label)s.") % {"label": m.label}
        if m.resets_at:
            text += " " + _("It resets on %(when)s.") % {
                "when": date_format(timezone.localtime(m.resets_at), "DATETIME_FORMAT")
            }
        return Banner("full", text)
    if limits.status == Subscription.Status.PAST_DUE and limits.grace_ends is not None:
        return Banner(
            "past_due",
            _("The last payment failed. Please update the card before %(when)s, or the workspace becomes read-only.")
            % {"when": date_format(timezone.localtime(limits.grace_ends), "DATETIME_FORMAT")},
        )
    warn = [m for m in meters if m.level == "warn"]
    if warn:
        m = warn[0]
        return Banner("warn", _("%(percent)s %% of %(label)s used.") % {"percent": m.percent, "label": m.label})
    return None


def operator_rows():
    """Operators: every tenant's plan, status, MRR and this period's questions."""
    subs = list(Subscription.objects.select_related("tenant", "plan").order_by("tenant__name"))
    counters = {
        (c.tenant_id, c.period_start): c.used
        for c in UsageCounter.objects.filter(kind=Kind.QUESTIONS, user_id=TENANT_WIDE)
    }
    rows = []
    for s in subs:
        live = s.status in quotas.PAID_STATUSES
        mrr = s.plan.monthly_cents if live else 0
        period = quotas.billing_period(
            start=s.current_period_start, end=s.current_period_end, interval=s.plan.interval, now=timezone.now()
        )
        rows.append({"sub": s, "mrr_cents": mrr, "used": counters.get((s.tenant_id, period.start), 0)})
    return rows
