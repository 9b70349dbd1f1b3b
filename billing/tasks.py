"""Billing tasks: thin, idempotent, enqueued on commit (core.tasks.enqueue)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from . import services
from .services.events import MAX_ATTEMPTS

logger = logging.getLogger(__name__)


@shared_task(bind=True, time_limit=120, max_retries=MAX_ATTEMPTS - 1)
def process_stripe_event(self, event_pk: int, force: bool = False) -> str:
    """Apply one stored Stripe event; a failure (Stripe down, a bug) is retried with backoff."""
    try:
        return services.stripe_event_process(event_pk=event_pk, force=force)
    except Exception as exc:  # noqa: BLE001 - recorded on the event row by the service
        raise self.retry(exc=exc, countdown=min(600, 10 * 2**self.request.retries), kwargs={"force": True}) from exc


@shared_task(time_limit=600)
def retry_failed_events() -> int:
    return services.stripe_events_retry_failed()


@shared_task(time_limit=1800)
def aggregate_usage_daily() -> int:
    return services.usage_aggregate_recent()


@shared_task(time_limit=3600)
def reconcile_subscriptions() -> dict:
    from . import stripe_api

    if not stripe_api.configured():
        return {"checked": 0, "failed": 0}
    return services.reconcile_all()


@shared_task(time_limit=3600)
def archive_usage_logs() -> int:
    return services.usage_archive()


@shared_task(time_limit=1800)
def report_overage() -> dict:
    return services.overage_report()


@shared_task(time_limit=60)
def notify_quota_warning(tenant_id: str, kinds: list[str]) -> int:
    """Runs in the tenant's schema: e-mail the owners that a limit is 80 % used (once per period:
    the counter's warned_at is set by the statement that crossed the line)."""
    from core import mail
    from tenants.models import Tenant
    from tenants.services import tenant_url

    from .quotas import LIMIT_LABELS

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    brand = mail.brand_of(tenant)
    billing_url = tenant_url(tenant, "/billing/") if tenant is not None else "/billing/"
    owners = get_user_model().objects.filter(role="owner", is_active=True)
    sent = 0
    for owner in owners:
        with translation.override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
            labels = ", ".join(str(LIMIT_LABELS.get(k, k)) for k in kinds)
            message = mail.build(
                template="billing/email/quota_warning",
                to=[owner.email],
                subject=_("%(app)s: 80 %% of a limit used") % {"app": brand["app_name"]},
                context={"labels": labels, "billing_url": billing_url},
                brand=brand,
            )
        message.send(fail_silently=True)
        sent += 1
    return sent
