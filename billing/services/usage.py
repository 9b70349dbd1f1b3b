"""Quotas and the usage ledger: what chat, documents and admin paths call (billing imports none of them).

- :func:`quota_reserve` when a question is asked (inside the caller's transaction: if the question
  is not stored, neither is its reservation); raises :class:`QuotaExceeded`. Its caller passes
  ``sessions_open``, how many answers the workspace is writing now (the plan's concurrent
  sessions, docs/adr/0013: billing cannot count chat's rows itself).
- :func:`usage_record` once an answer (or an upload, an admin action) is final: one ledger row per
  idempotency key, so a redelivered call charges nothing twice; a failed answer gives its question
  back, once.
- :func:`document_reserve` / :func:`document_release` around a document's life.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.tasks import enqueue

from .. import quotas
from ..models import TENANT_WIDE, ActionType, UsageCounter, UsageTier, UserTier
from ..quotas import FOREVER_END, FOREVER_START, LIMIT_LABELS, SESSIONS, Kind, Take

logger = logging.getLogger(__name__)

UPGRADE_PATH = "/billing/"
# A refused session has no reset time: a place frees when one of the answers finishes. Retry-After
# suggests this many seconds (an answer of the offline model takes about as long).
SESSION_RETRY_AFTER = 5


class QuotaExceeded(Exception):
    """A limit was reached: ``limit`` names it, ``reset_at`` says when it resets (None: never by
    itself), ``upgrade_url`` where to raise it. ``str()`` is the sentence for the user."""

    status_code = 429

    def __init__(
        self,
        *,
        limit: str,
        limit_value: int | None,
        reset_at: datetime | None,
        upgrade_url: str = UPGRADE_PATH,
    ):
        self.limit = limit
        self.limit_value = limit_value
        self.reset_at = reset_at
        self.upgrade_url = upgrade_url
        super().__init__(self.message)

    @property
    def label(self) -> str:
        return str(LIMIT_LABELS.get(self.limit, self.limit))

    @property
    def message(self) -> str:
        if self.limit == "read_only":
            return _(
                "Your workspace's payment is overdue, so it is read-only: no new questions until the invoice is paid."
            )
        if self.limit == SESSIONS:
            return _(
                "You have reached the limit of %(label)s (%(n)s): your workspace is already writing that many "
                "answers. A place frees as soon as one of them finishes; please try again in a moment."
            ) % {"label": self.label, "n": self.limit_value}
        text = _("You have reached the limit of %(label)s (%(n)s).") % {"label": self.label, "n": self.limit_value}
        if self.reset_at is not None:
            text += " " + _("It resets on %(when)s.") % {
                "when": date_format(timezone.localtime(self.reset_at), "DATETIME_FORMAT")
            }
        return text

    @property
    def retry_after(self) -> int | None:
        if self.limit == SESSIONS:
            return SESSION_RETRY_AFTER
        if self.reset_at is None:
            return None
        return max(1, int((self.reset_at - timezone.now()).total_seconds()))


@dataclass(frozen=True)
class Reservation:
    tenant_id: uuid.UUID
    period_start: datetime  # of the questions counter (a refund goes back to it)
    month_start: datetime
    warned: list[str]


def _schema(tenant=None, schema: str | None = None) -> str:
    if schema:
        return schema
    if tenant is not None:
        return tenant.schema_name
    return connection.schema_name  # type: ignore[attr-defined]


def quota_reserve(
    *,
    user_id,
    user_email: str = "",
    tenant=None,
    schema: str | None = None,
    now=None,
    sessions_open: Callable[[], int] | None = None,
) -> Reservation:
    """Take one question from every limit that applies, or raise :class:`QuotaExceeded` (taking nothing).

    Call it inside the transaction that stores the question: a rollback gives the question back.

    ``sessions_open``: counts the workspace's sessions open now (its answers being written); with
    it, the plan's session limit applies. It is called under the tenant's session lock, which lasts
    until the caller's transaction ends: store the new answer in that transaction, and the next
    admitter counts it. Without it (no answer will be written), no session is taken."""
    now = now or timezone.now()
    limits = quotas.limits_for(
        schema=_schema(tenant, schema), user_id=user_id, now=now, lock_sessions=sessions_open is not None
    )
    if limits.read_only:
        raise QuotaExceeded(limit="read_only", limit_value=None, reset_at=None)
    if sessions_open is not None and limits.session_limit is not None and sessions_open() >= limits.session_limit:
        raise QuotaExceeded(limit=SESSIONS, limit_value=limits.session_limit, reset_at=None)
    day, month = quotas.day_of(now), quotas.month_of(now)
    takes = [
        Take(Kind.QUESTIONS, TENANT_WIDE, limits.period, 1, 1, None if limits.overage else limits.question_limit),
        Take(Kind.USER_QUESTIONS, user_id, month, 1, 1, limits.user_questions),
    ]
    if limits.token_limit_daily is not None:  # tokens are known afterwards: admission needs one left
        takes.append(Take(Kind.TOKENS_DAY, TENANT_WIDE, day, 0, 1, limits.token_limit_daily))
    if limits.user_tokens is not None:
        takes.append(Take(Kind.USER_TOKENS, user_id, month, 0, 1, limits.user_tokens))
    try:
        taken = quotas.take(limits.tenant_id, takes)
    except quotas.Refused as exc:
        t = exc.take
        raise QuotaExceeded(limit=t.kind, limit_value=t.limit, reset_at=t.period.end) from None
    warned = [t.kind for t in taken if t.just_warned]
    if quotas.reaches_banner(taken):
        quotas.banner_changed(_schema(tenant, schema))
    if warned:
        from ..tasks import notify_quota_warning

        enqueue(notify_quota_warning, args=[str(limits.tenant_id), warned], schema=_schema(tenant, schema))
    return Reservation(
        tenant_id=limits.tenant_id, period_start=limits.period.start, month_start=month.start, warned=warned
    )


def document_reserve(*, user_id, tenant=None, schema: str | None = None) -> None:
    """One more document for the workspace (the plan's document limit), or :class:`QuotaExceeded`."""
    limits = quotas.limits_for(schema=_schema(tenant, schema), user_id=user_id)
    period = quotas.Period(FOREVER_START, FOREVER_END)
    try:
        taken = quotas.take(limits.tenant_id, [Take(Kind.DOCUMENTS, TENANT_WIDE, period, 1, 1, limits.document_limit)])
    except quotas.Refused:
        raise QuotaExceeded(limit=Kind.DOCUMENTS, limit_value=limits.document_limit, reset_at=None) from None
    if quotas.reaches_banner(taken):
        quotas.banner_changed(_schema(tenant, schema))


def document_release(*, tenant=None, schema: str | None = None) -> None:
    """A document was deleted: its place under the limit is free again."""
    limits = quotas.limits_for(schema=_schema(tenant, schema))
    quotas.give_back(limits.tenant_id, Kind.DOCUMENTS, TENANT_WIDE, FOREVER_START, 1)
    quotas.banner_changed(_schema(tenant, schema))


@transaction.atomic
def document_count_set(*, count_documents, tenant=None, schema: str | None = None) -> tuple[int, int]:
    """Set the workspace's document counter to what exists: ``count_documents()`` (the caller's
    count, e.g. documents' own) is read while the counter row is locked, so an upload at the same
    moment is counted exactly once (before: in the count; after: on top of it). Idempotent.
    Returns (counter before, counter after)."""
    limits = quotas.limits_for(schema=_schema(tenant, schema))
    period = quotas.Period(FOREVER_START, FOREVER_END)
    quotas.take(limits.tenant_id, [Take(Kind.DOCUMENTS, TENANT_WIDE, period, 0, 0, None)])  # the row exists
    counter = UsageCounter.objects.select_for_update().get(
        tenant_id=limits.tenant_id, user_id=TENANT_WIDE, kind=Kind.DOCUMENTS, period_start=FOREVER_START
    )
    before, after = counter.used, max(0, int(count_documents()))
    if before != after:
        counter.used = after
        counter.full_clean(validate_unique=False, validate_constraints=False)
        counter.save(update_fields=["used"])
        quotas.banner_changed(_schema(tenant, schema))
    return before, after


_INSERT_LOG = """
INSERT INTO billing_usagelog (id, tenant_id, user_id, user_email, action_type, tokens_used, cost_estimate, provider,
                              strategy, platform_key, action_metadata, idempotency_key, created_at)
SELECT %(id)s, t.id, %(user)s, %(email)s, %(action)s, %(tokens)s, %(cost)s, %(provider)s, %(strategy)s, %(platform)s,
       %(meta)s, %(key)s, %(now)s
FROM tenants_tenant t WHERE t.schema_name = %(schema)s
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING tenant_id
"""


@transaction.atomic
def usage_record(
    *,
    action_type: str,
    user_id=None,
    user_email: str = "",
    tokens: int = 0,
    cost: Decimal | float | str = 0,
    provider: str = "",
    strategy: str = "",
    platform_key: bool = False,
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    refund_question_of: datetime | None = None,
    tenant=None,
    schema: str | None = None,
    now=None,
) -> bool:
    """Write one ledger row (at most once per ``idempotency_key``) and add its tokens to the counters.

    ``refund_question_of``: the answer failed; give back the question reserved at that time (its
    period's counters). Returns False when the key was already recorded (nothing changes)."""
    import json

    if action_type not in ActionType.values:
        raise ValidationError({"action_type": f"unknown action type {action_type!r}"})
    now = now or timezone.now()
    schema = _schema(tenant, schema)
    params = {
        "id": str(uuid.uuid4()),
        "user": str(user_id) if user_id else None,
        "email": (user_email or "")[:255],
        "action": action_type,
        "tokens": max(0, int(tokens or 0)),
        "cost": Decimal(str(cost or 0)).quantize(Decimal("0.000001")),
        "provider": (provider or "")[:50],
        "strategy": (strategy or "")[:50],
        "platform": bool(platform_key),
        "meta": json.dumps(metadata or {}, default=str),
        "key": idempotency_key,
        "now": now,
        "schema": schema,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_LOG, params)
        row = cursor.fetchone()
    if row is None:
        return False
    tenant_id = row[0]
    if action_type == ActionType.QUESTION:
        if params["tokens"]:
            quotas.add_usage(tenant_id, Kind.TOKENS_DAY, TENANT_WIDE, quotas.day_of(now), params["tokens"])
            if user_id:
                quotas.add_usage(tenant_id, Kind.USER_TOKENS, user_id, quotas.month_of(now), params["tokens"])
            quotas.banner_changed(schema)  # tokens may cross a threshold (their counters take no limit)
        if refund_question_of is not None:
            limits = quotas.limits_for(schema=schema, now=refund_question_of)
            quotas.give_back(tenant_id, Kind.QUESTIONS, TENANT_WIDE, limits.period.start, 1)
            if user_id:
                month = quotas.month_of(refund_question_of).start
                quotas.give_back(tenant_id, Kind.USER_QUESTIONS, user_id, month, 1)
            quotas.banner_changed(schema)
    return True


# --- Per-user tiers (seed 002) ---------------------------------------------------------------
@transaction.atomic
def tier_save(
    *,
    tenant,
    name: str,
    monthly_questions: int | None,
    monthly_tokens: int | None = None,
    is_default: bool = False,
    tier: UsageTier | None = None,
) -> UsageTier:
    tier = tier or UsageTier(tenant=tenant)
    if tier.tenant_id != tenant.pk:
        raise UsageTier.DoesNotExist
    tier.name = (name or "").strip()
    tier.monthly_questions = monthly_questions
    tier.monthly_tokens = monthly_tokens
    if is_default:
        UsageTier.objects.filter(tenant=tenant, is_default=True).exclude(pk=tier.pk).update(is_default=False)
    tier.is_default = is_default
    tier.full_clean(exclude=["tenant"])
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError:
        raise ValidationError({"name": _("A tier with this name exists already.")}) from None
    quotas.banner_changed(tenant.schema_name)
    return tier


@transaction.atomic
def tier_assign(*, tenant, user_id, user_email: str, tier: UsageTier | None) -> UserTier | None:
    """Put a user on ``tier`` (None: back to the default)."""
    if tier is not None and tier.tenant_id != tenant.pk:
        raise UsageTier.DoesNotExist
    quotas.banner_changed(tenant.schema_name)
    if tier is None:
        UserTier.objects.filter(tenant=tenant, user_id=user_id).delete()
        return None
    assignment, _created = UserTier.objects.update_or_create(
        tenant=tenant, user_id=user_id, defaults={"tier": tier, "user_email": user_email}
    )
    return assignment


@transaction.atomic
def tier_delete(*, tenant, tier: UsageTier) -> None:
    if tier.tenant_id != tenant.pk:
        raise UsageTier.DoesNotExist
    tier.delete()
    quotas.banner_changed(tenant.schema_name)


def counter_row(tenant_id, kind: str, user_id, period_start) -> UsageCounter | None:
    return UsageCounter.objects.filter(
        tenant_id=tenant_id, kind=kind, user_id=user_id, period_start=period_start
    ).first()
