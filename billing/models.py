"""Billing tables (public schema, SHARED_APPS): plans, subscriptions, Stripe's invoices, payments and
events, the usage ledger with its archive and daily aggregates, quota counters and per-user tiers.

Seeds: 000 subscription_plans, subscriptions, payments, invoices, usage_logs (+ archive);
001 usage_daily_aggregates, subscription_history, payment_history; 002 tiers with monthly limits and
the monthly usage record; 004 Plan (daily tokens, documents, sessions) and daily UsageStats.

No foreign key points into a tenant schema: a tenant user is named by UUID and an e-mail snapshot.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The "user" of a tenant-wide counter (a NULL would not take part in the unique constraint).
TENANT_WIDE = uuid.UUID(int=0)


class Plan(models.Model):
    """A plan operators sell (CONTRACT: code, name, price_cents, currency, interval, question_limit,
    token_limit_daily, document_limit, stripe_price_id, is_active). Null limits mean unlimited."""

    class Interval(models.TextChoices):
        MONTH = "month", _("monthly")
        YEAR = "year", _("yearly")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    price_cents = models.PositiveIntegerField(_("price (cents)"), default=0)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="eur",
        validators=[RegexValidator(r"^[a-z]{3}$", _("Three lower-case letters."))],
    )
    interval = models.CharField(_("billing interval"), max_length=10, choices=Interval.choices, default=Interval.MONTH)
    question_limit = models.PositiveIntegerField(
        _("questions per billing period"), null=True, blank=True, default=None, help_text=_("Empty: unlimited.")
    )
    token_limit_daily = models.PositiveIntegerField(
        _("tokens per day"), null=True, blank=True, default=None, help_text=_("Empty: unlimited.")
    )
    document_limit = models.PositiveIntegerField(
        _("documents"), null=True, blank=True, default=None, help_text=_("Empty: unlimited.")
    )
    session_limit = models.PositiveIntegerField(
        _("concurrent sessions"), null=True, blank=True, default=None, help_text=_("Empty: unlimited.")
    )
    max_users = models.PositiveIntegerField(_("users"), null=True, blank=True, default=None)
    features = models.JSONField(
        _("features"), default=dict, blank=True, help_text=_("Flags: document_upload, multi_model, export; highlights.")
    )
    trial_days = models.PositiveIntegerField(_("trial days"), default=0)
    # Pay as you go past the quota (Stripe Billing Meters): price per question in cents; null = hard limit.
    overage_price_cents = models.PositiveIntegerField(_("overage price per question (cents)"), null=True, blank=True)
    stripe_product_id = models.CharField(max_length=255, blank=True, default="")
    stripe_price_id = models.CharField(max_length=255, blank=True, default="")
    stripe_overage_price_id = models.CharField(max_length=255, blank=True, default="")
    stripe_meter_id = models.CharField(max_length=255, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "price_cents", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def price(self) -> Decimal:
        return Decimal(self.price_cents) / 100

    @property
    def monthly_cents(self) -> int:
        return self.price_cents if self.interval == self.Interval.MONTH else round(self.price_cents / 12)


class Subscription(models.Model):
    """A tenant's subscription as Stripe reports it (seed 000 subscriptions). One per tenant."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        CANCELLED = "cancelled", _("Cancelled")
        PAST_DUE = "past_due", _("Past due")
        TRIALING = "trialing", _("Trial")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    question_limit = models.PositiveIntegerField(null=True, blank=True)  # the plan's, as of the last change
    questions_used = models.PositiveIntegerField(default=0)  # this period's, refreshed by the daily job
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    trial_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    features = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)  # last state applied from Stripe
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.tenant} · {self.plan.code} · {self.status}"


class SubscriptionHistory(models.Model):
    """Every change of plan or status (seed 001 subscription_history), for revenue reporting."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="history")
    from_plan = models.CharField(max_length=50, blank=True, default="")
    to_plan = models.CharField(max_length=50)
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    # webhook, reconcile, checkout, operator, workspace_created, workspace_restored
    source = models.CharField(max_length=30)
    stripe_event_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("subscription history")

    def __str__(self) -> str:
        return f"{self.to_plan} {self.to_status}"


class Invoice(models.Model):
    """A Stripe invoice as last fetched (seed 000 invoices)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="")
    number = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=20, blank=True, default="")  # draft, open, paid, uncollectible, void
    amount_due = models.IntegerField(default=0)
    amount_paid = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="eur")
    hosted_invoice_url = models.URLField(max_length=1000, blank=True, default="")
    invoice_pdf = models.URLField(max_length=1000, blank=True, default="")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-created_at"]
        indexes = [models.Index(fields=["tenant", "-issued_at"], name="billing_inv_tenant_issued")]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id


class Payment(models.Model):
    """A payment attempt as Stripe reports it on an invoice (seed 000 payments, seed 001 payment_history)."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments", null=True, blank=True)
    stripe_payment_id = models.CharField(max_length=255)  # payment intent, or the invoice + attempt
    amount_cents = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="eur")
    status = models.CharField(max_length=20, choices=Status.choices)
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["stripe_payment_id", "status"], name="billing_payment_once_per_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.stripe_payment_id} {self.status}"


class StripeEvent(models.Model):
    """Every verified webhook event, stored before anything else (the unique id makes a duplicate a no-op)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=255, blank=True, default="")
    customer_id = models.CharField(max_length=255, blank=True, default="")
    stripe_created = models.DateTimeField(null=True, blank=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    note = models.CharField(max_length=255, blank=True, default="")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class ActionType(models.TextChoices):
    QUESTION = "question", _("Question")
    DOCUMENT_UPLOAD = "document_upload", _("Document upload")
    ADMIN_ACTION = "admin_action", _("Admin action")


class UsageLogBase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user_id = models.UUIDField(null=True, blank=True)  # a tenant user (no FK into a tenant schema)
    user_email = models.EmailField(max_length=255, blank=True, default="")  # snapshot
    action_type = models.CharField(max_length=50, choices=ActionType.choices)
    tokens_used = models.PositiveIntegerField(default=0)
    cost_estimate = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    provider = models.CharField(max_length=50, blank=True, default="")
    strategy = models.CharField(max_length=50, blank=True, default="")
    platform_key = models.BooleanField(default=False)  # platform keys (ours) vs the tenant's own
    action_metadata = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.action_type} {self.user_email}"


class UsageLog(UsageLogBase):
    """The usage ledger (seed 000 usage_logs), written only through ``billing.services.usage_record``."""

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="billing_usage_tenant_date"),
            models.Index(fields=["user_id"], name="billing_usage_user"),
            models.Index(fields=["action_type"], name="billing_usage_action"),
        ]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="billing_usage_once")]


class UsageLogArchive(UsageLogBase):
    """Usage logs older than two years (seed 000 usage_logs_archive), moved by ``archive_usage_logs``."""

    archived_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "-created_at"], name="billing_usagearch_tenant")]


class UsageDaily(models.Model):
    """Daily totals per tenant, user and key kind (seed 001 usage_daily_aggregates, seed 004 UsageStats),
    recomputed from the ledger by a beat job (idempotent)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    user_id = models.UUIDField(default=TENANT_WIDE)
    user_email = models.EmailField(max_length=255, blank=True, default="")
    platform_key = models.BooleanField(default=False)
    questions = models.PositiveIntegerField(default=0)
    documents_uploaded = models.PositiveIntegerField(default=0)
    admin_actions = models.PositiveIntegerField(default=0)
    tokens_used = models.PositiveBigIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    cost_by_provider = models.JSONField(default=dict, blank=True)
    cost_by_strategy = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "date", "user_id", "platform_key"], name="billing_daily_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.user_email}"


class UsageCounter(models.Model):
    """One row per tenant (or user), limit kind and period: quotas are taken from it with one
    conditional upsert (``billing.quotas``), never read-then-written."""

    class Kind(models.TextChoices):
        QUESTIONS = "questions", _("questions this billing period")
        TOKENS_DAY = "tokens_day", _("tokens today")
        DOCUMENTS = "documents", _("documents")
        USER_QUESTIONS = "user_questions", _("your questions this month")
        USER_TOKENS = "user_tokens", _("your tokens this month")
        OVERAGE = "overage", _("pay-as-you-go questions")

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user_id = models.UUIDField(default=TENANT_WIDE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    used = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    warned_at = models.DateTimeField(null=True, blank=True)  # the 80 % warning went out (once per period)
    reported = models.BigIntegerField(default=0)  # overage: how much Stripe's meter has been told
    # overage: a report written down before it is sent (value and identifier), until Stripe accepted it;
    # a crash in between sends the same event again, which Stripe drops as a repeated identifier
    pending = models.BigIntegerField(default=0, db_default=0)  # db_default: quotas inserts rows in SQL
    pending_identifier = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user_id", "kind", "period_start"], name="billing_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start:%Y-%m-%d}: {self.used}"


class UsageTier(models.Model):
    """A per-user tier a tenant admin defines (seed 002: basic / premium / vip with monthly limits)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    monthly_questions = models.PositiveIntegerField(_("questions per month"), null=True, blank=True)
    monthly_tokens = models.PositiveIntegerField(_("tokens per month"), null=True, blank=True)
    is_default = models.BooleanField(_("default for everyone without a tier"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="billing_tier_name_once"),
            models.UniqueConstraint(fields=["tenant"], condition=Q(is_default=True), name="billing_tier_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class UserTier(models.Model):
    """Which tier a tenant user is on (keyed by the user's UUID; e-mail snapshot for display)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user_id = models.UUIDField()
    user_email = models.EmailField(max_length=255, blank=True, default="")
    tier = models.ForeignKey(UsageTier, on_delete=models.CASCADE, related_name="members")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user_id"], name="billing_usertier_once")]

    def __str__(self) -> str:
        return f"{self.user_email} → {self.tier_id}"
