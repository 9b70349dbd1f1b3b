"""Moderation of user input (seed 001): logs, violations, progressive auto-expiring suspensions."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orchestration import moderation

from ..models import ModerationLog, Violation
from .errors import ChatRefused

# Suspension by the number of violations in the window: 1st a warning, then longer each time.
WINDOW = timedelta(days=30)
SUSPENSIONS = [None, timedelta(hours=1), timedelta(hours=24), timedelta(days=7)]


def user_suspension(*, user) -> Violation | None:
    """The user's active suspension, if any (they expire on their own or when an admin lifts them)."""
    return (
        Violation.objects.filter(user=user, lifted_at__isnull=True, suspended_until__gt=timezone.now())
        .order_by("-suspended_until")
        .first()
    )


def _refuse_if_suspended(user) -> None:
    suspension = user_suspension(user=user)
    if suspension is not None:
        until = date_format(timezone.localtime(suspension.suspended_until), "DATETIME_FORMAT")
        raise ChatRefused(
            _("Your account cannot send messages until %(until)s because of repeated policy violations.")
            % {"until": until},
            code="suspended",
        )


@transaction.atomic
def _record(*, user, content: str, result) -> Violation | None:
    log = ModerationLog.objects.create(
        user=user,
        excerpt=content[:500],
        flagged=result.flagged,
        categories=result.categories,
        scores=result.scores,
        provider=result.provider,
        model=result.model,
    )
    if not result.flagged:
        return None
    recent = Violation.objects.filter(user=user, created_at__gte=timezone.now() - WINDOW).count()
    level = recent + 1
    duration = SUSPENSIONS[min(level - 1, len(SUSPENSIONS) - 1)]
    reasons = ", ".join(sorted(k for k, v in result.categories.items() if v)) or "flagged"
    return Violation.objects.create(
        user=user,
        moderation_log=log,
        level=level,
        reason=reasons[:500],
        suspended_until=timezone.now() + duration if duration else None,
    )


def moderation_check(*, user, content: str) -> None:
    """Raise ChatRefused when the user is suspended or the text is flagged (the check is recorded).

    Calls the moderation provider, so it must run outside a transaction.
    """
    _refuse_if_suspended(user)
    result = moderation.moderate(content)
    if result is None:
        return
    violation = _record(user=user, content=content, result=result)
    if violation is None:
        return
    if violation.suspended_until:
        until = date_format(timezone.localtime(violation.suspended_until), "DATETIME_FORMAT")
        raise ChatRefused(
            _(
                "Your message was not sent: it breaks the usage policy. Repeated violations: you cannot send "
                "messages until %(until)s."
            )
            % {"until": until},
            code="flagged",
        )
    raise ChatRefused(
        _("Your message was not sent: it breaks the usage policy. Repeated violations lead to a suspension."),
        code="flagged",
    )


@transaction.atomic
def violation_lift(*, violation: Violation, by) -> Violation:
    if violation.lifted_at is None:
        violation.lifted_at = timezone.now()
        violation.lifted_by = by
        violation.save(update_fields=["lifted_at", "lifted_by"])
    return violation
