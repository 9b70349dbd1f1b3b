"""Writes of the billing app. Other apps call only these (chat: quota_reserve before a question,
usage_record after its answer; documents: document_reserve / document_release and usage_record)."""

from .events import (  # noqa: F401
    stripe_event_process,
    stripe_event_receive,
    stripe_event_rerun,
    stripe_events_retry_failed,
)
from .plans import plans_sync_to_stripe  # noqa: F401
from .reports import overage_report, usage_aggregate_day, usage_aggregate_recent, usage_archive  # noqa: F401
from .subscriptions import (  # noqa: F401
    BillingUnavailable,
    checkout_return,
    checkout_start,
    customer_ensure,
    invoice_sync,
    portal_start,
    reconcile_all,
    reconcile_tenant,
    subscription_apply,
    subscription_set_plan,
    subscription_set_plan_by_code,
    subscription_start_for_restore,
    subscription_start_free,
    subscription_sync,
    subscriptions_cancel_for_deletion,
    tenant_features_apply,
)
from .usage import (  # noqa: F401
    QuotaExceeded,
    Reservation,
    document_count_set,
    document_release,
    document_reserve,
    quota_reserve,
    tier_assign,
    tier_delete,
    tier_save,
    usage_record,
)
