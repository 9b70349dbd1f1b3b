"""The tenant admin's landing page: a selector for its figures and the admin index that shows them.

The figures span apps (people, conversations, providers, answers marked as mistakes), so they
are read here, in ``config`` (which may depend on every app), with a handful of aggregate
queries that stay cheap at 1,000 people and 100,000 conversations (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
RECENT_MISTAKES = 5


@dataclass(frozen=True)
class ProviderStatus:
    provider: str
    label: str
    source: str  # "workspace" | "platform" | "offline"
    enabled: bool = True
    key_hint: str = ""
    ok: bool | None = None  # the last "Test connection" (None: never tested)
    message: str = ""
    checked_at: object = None
    circuit: str = "closed"
    admin_url: str = ""


@dataclass(frozen=True)
class DashboardFigures:
    people: dict
    conversations: dict
    providers: list[ProviderStatus]
    mistakes: list[dict]
    mistakes_total: int
    since: object
    time_zone: str = ""
    links: dict = field(default_factory=dict)


def _people(since) -> dict:
    from accounts.models import Invitation, User

    row = User.objects.aggregate(
        total=Count("pk", filter=Q(is_active=True)),
        admins=Count("pk", filter=Q(is_active=True, role__in=[User.Role.ADMIN, User.Role.OWNER])),
        new=Count("pk", filter=Q(created_at__gte=since)),
    )
    row["invitations"] = Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()).count()
    return row


def _conversations(since) -> dict:
    from chat.models import Conversation, Message

    # archived_at IS NULL matches the partial index chat_conv_last_msg (an index scan of the week's
    # rows instead of a scan of every conversation: 70 ms → 3 ms at 100,000 conversations)
    active = Conversation.objects.filter(archived_at__isnull=True, deleted_at__isnull=True, last_message_at__gte=since)
    row = active.aggregate(
        active=Count("pk"),
        started=Count("pk", filter=Q(created_at__gte=since)),
        people=Count("user", distinct=True),
    )
    failed = Message.objects.filter(
        created_at__gte=since, role=Message.Role.ASSISTANT, status=Message.Status.ERROR
    ).count()
    return {**row, "failed": failed}


def _providers() -> list[ProviderStatus]:
    from django.urls import reverse

    from orchestration import resilience, selectors
    from orchestration.models import ProviderCredential
    from orchestration.providers.base import LABELS

    schema = connection.schema_name
    rows = list(ProviderCredential.objects.all())
    out = []

    def circuit(provider: str) -> str:
        return resilience.CircuitBreaker(schema, provider).state()

    for cred in sorted(rows, key=lambda c: (c.priority, c.provider)):
        out.append(ProviderStatus(
            provider=cred.provider, label=cred.get_provider_display(), source="workspace", enabled=cred.enabled,
            key_hint=cred.key_hint, ok=cred.last_check_ok, message=cred.last_check_message,
            checked_at=cred.last_checked_at, circuit=circuit(cred.provider) if cred.enabled else "closed",
            admin_url=reverse("admin:orchestration_providercredential_change", args=[cred.pk]),
        ))  # fmt: skip
    own = {c.provider for c in rows}
    for provider, (key_setting, _url) in selectors.PLATFORM_KEYS.items():
        if provider not in own and getattr(settings, key_setting, ""):
            out.append(ProviderStatus(provider=provider, label=LABELS[provider], source="platform",
                                      circuit=circuit(provider)))  # fmt: skip
    if not any(p.enabled and (p.source == "platform" or p.key_hint or p.provider == "openai_compatible") for p in out):
        out.append(ProviderStatus(provider="offline", label=_("Offline demo"), source="offline"))
    return out


def _mistakes() -> tuple[list[dict], int]:
    from django.urls import reverse

    from chat.models import Message

    qs = Message.objects.filter(is_mistake=True, role=Message.Role.ASSISTANT, deleted_at__isnull=True)
    # the newest five first (from the partial index chat_msg_mistakes), then their conversations:
    # joining first would join every mistake ever marked before sorting
    ids = list(qs.order_by("-updated_at").values_list("pk", flat=True)[:RECENT_MISTAKES])
    recent = sorted(
        Message.objects.filter(pk__in=ids).values(
            "pk", "mistake_note", "content", "model_name", "updated_at", "conversation__title",
            "conversation__user__name", "conversation__user__email",
        ),
        key=lambda m: m["updated_at"],
        reverse=True,
    )  # fmt: skip
    total = qs.count() if len(recent) == RECENT_MISTAKES else len(recent)
    for m in recent:
        m["url"] = reverse("admin:chat_mistakereport_change", args=[m["pk"]])
        m["author"] = m["conversation__user__name"] or m["conversation__user__email"] or "—"
        m["excerpt"] = " ".join((m["mistake_note"] or m["content"] or "").split())[:140]
    return recent, total


CACHE_KEY = "admin-dashboard:counts:v1"  # django_tenants' KEY_FUNCTION prefixes the schema


def _counts() -> dict:
    """People, conversations and mistakes: cached for ADMIN_DASHBOARD_CACHE_SECONDS (30 s), since
    these figures need not be fresher than that and are most of the page's database time."""
    seconds = int(getattr(settings, "ADMIN_DASHBOARD_CACHE_SECONDS", 30))
    if seconds > 0:
        try:
            hit = cache.get(CACHE_KEY)
        except Exception:  # noqa: BLE001 - no cache server: read the database
            hit = None
        if hit is not None:
            return hit
    since = timezone.now() - timedelta(days=7)
    mistakes, total = _mistakes()
    counts = {"people": _people(since), "conversations": _conversations(since), "mistakes": mistakes,
              "mistakes_total": total, "since": since}  # fmt: skip
    if seconds > 0:
        try:
            cache.set(CACHE_KEY, counts, timeout=seconds)
        except Exception:  # noqa: BLE001
            log.warning("admin dashboard: cache unavailable", exc_info=True)
    return counts


def dashboard_figures() -> DashboardFigures:
    """What a workspace admin sees first; read in the current tenant's schema. Provider status is
    always read live (a "Test connection" shows at once); the counts may be 30 s old."""
    return DashboardFigures(**_counts(), providers=_providers(), time_zone=timezone.get_current_timezone_name())


def install(site) -> None:
    """Make ``site``'s index the dashboard on tenant hosts (the app list stays below it)."""
    site.index_template = "admin/dashboard.html"
    original = site.index

    def index(request, extra_context=None):
        context = dict(extra_context or {})
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public and getattr(request.user, "is_tenant_admin", False):
            context["dashboard"] = dashboard_figures()
        return original(request, extra_context=context)

    site.index = index
