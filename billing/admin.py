"""Operators (public host): every tenant's plan, status, MRR and usage; Stripe events with a re-run action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import PublicModelAdmin

from . import quotas, services
from .models import (
    TENANT_WIDE,
    Invoice,
    Payment,
    Plan,
    StripeEvent,
    Subscription,
    SubscriptionHistory,
    UsageCounter,
    UsageDaily,
    UsageLog,
)


@admin.register(Plan)
class PlanAdmin(PublicModelAdmin):
    list_display = (
        "code",
        "name",
        "price_cents",
        "currency",
        "interval",
        "question_limit",
        "token_limit_daily",
        "document_limit",
        "overage_price_cents",
        "stripe_price_id",
        "is_active",
    )
    list_editable = ("is_active",)
    search_fields = ("code", "name")
    readonly_fields = ("stripe_product_id", "stripe_price_id", "stripe_overage_price_id", "stripe_meter_id")


@admin.register(Subscription)
class SubscriptionAdmin(PublicModelAdmin):
    list_display = (
        "tenant",
        "plan",
        "status",
        "mrr",
        "questions_this_period",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
    )
    list_filter = ("status", "plan")
    search_fields = ("tenant__name", "tenant__subdomain", "stripe_subscription_id", "stripe_customer_id")
    list_select_related = ("tenant", "plan")
    readonly_fields = ("stripe_subscription_id", "stripe_customer_id", "synced_at", "created_at", "updated_at")

    @admin.display(description=_("MRR"))
    def mrr(self, obj):
        cents = obj.plan.monthly_cents if obj.status in quotas.PAID_STATUSES else 0
        return f"{cents / 100:.2f} {obj.plan.currency.upper()}"

    @admin.display(description=_("questions this period"))
    def questions_this_period(self, obj):
        try:
            limits = quotas.limits_for(schema=obj.tenant.schema_name)
        except quotas.UnknownTenant:
            return "—"
        used = (
            UsageCounter.objects.filter(
                tenant_id=obj.tenant_id,
                user_id=TENANT_WIDE,
                kind=UsageCounter.Kind.QUESTIONS,
                period_start=limits.period.start,
            )
            .values_list("used", flat=True)
            .first()
            or 0
        )
        return f"{used} / {limits.question_limit if limits.question_limit is not None else '∞'}"


@admin.register(SubscriptionHistory)
class SubscriptionHistoryAdmin(PublicModelAdmin):
    list_display = ("created_at", "tenant", "from_plan", "to_plan", "from_status", "to_status", "source")
    list_filter = ("source", "to_status")


@admin.register(Invoice)
class InvoiceAdmin(PublicModelAdmin):
    list_display = ("issued_at", "tenant", "number", "status", "amount_due", "amount_paid", "currency")
    list_filter = ("status",)


@admin.register(Payment)
class PaymentAdmin(PublicModelAdmin):
    list_display = ("created_at", "tenant", "stripe_payment_id", "status", "amount_cents", "currency")
    list_filter = ("status",)


@admin.register(StripeEvent)
class StripeEventAdmin(PublicModelAdmin):
    list_display = ("received_at", "type", "event_id", "status", "attempts", "tenant", "note")
    list_filter = ("status", "type")
    search_fields = ("event_id", "object_id", "customer_id")
    readonly_fields = (
        "event_id",
        "type",
        "object_id",
        "customer_id",
        "stripe_created",
        "payload",
        "status",
        "attempts",
        "last_error",
        "note",
        "tenant",
        "received_at",
        "processed_at",
    )
    actions = ["rerun"]

    @admin.action(description=_("Run the selected events again"))
    def rerun(self, request, queryset):
        count = 0
        for event in queryset:
            services.stripe_event_rerun(event=event)
            count += 1
        self.message_user(request, _("%(n)d event(s) queued to run again.") % {"n": count}, messages.SUCCESS)


@admin.register(UsageLog)
class UsageLogAdmin(PublicModelAdmin):
    list_display = (
        "created_at",
        "tenant",
        "user_email",
        "action_type",
        "tokens_used",
        "cost_estimate",
        "provider",
        "strategy",
        "platform_key",
    )
    list_filter = ("action_type", "platform_key", "provider")
    search_fields = ("user_email", "tenant__name")
    date_hierarchy = "created_at"


@admin.register(UsageDaily)
class UsageDailyAdmin(PublicModelAdmin):
    list_display = ("date", "tenant", "user_email", "platform_key", "questions", "tokens_used", "cost")
    list_filter = ("platform_key",)
