"""Moderation of user input (seed 001): logs, violations, progressive auto-expiring suspensions.

A suspended user cannot send (checked before the message is stored). The text itself is checked
while its answer is being generated, not before it is stored: the moderation call runs beside the
provider's first call and the answer is shown only once the verdict is in (docs/adr/0004). A
flagged question stays visible to its author, is answered with the refusal, and is never sent to
a provider again.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Func, JSONField, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orchestration import moderation

from ..models import Message, ModerationLog, Violation
from .errors import ChatRefused

logger = logging.getLogger(__name__)
FLAGGED = "flagged"  # Message.meta_data["moderation"] of a refused question
VERDICT_TIMEOUT = 30  # seconds; the SDK's own timeouts end the call earlier

# Suspension by the number of violations in the window: 1st a warning, then longer each time.
WINDOW = timedelta(days=30)
SUSPENSIONS = [None, timedelta(hours=1), timedelta(hours=24), timedelta(days=7)]


def _active_suspensions(user):
    return Violation.objects.filter(user=user, lifted_at__isnull=True, suspended_until__gt=timezone.now()).order_by(
        "-suspended_until"
    )


def _local(when) -> str:
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


def user_suspension(*, user) -> Violation | None:
    """The user's active suspension, if any (they expire on their own or when an admin lifts them)."""
    return _active_suspensions(user).first()


def suspension_end(*, user):
    """A subquery: when the user's active suspension ends (NULL: not suspended), to annotate a query with."""
    return Subquery(_active_suspensions(user).values("suspended_until")[:1])


def refuse_if_suspended(*, until) -> None:
    """Raise ChatRefused when ``until`` (see :func:`suspension_end`) is set: the user is suspended."""
    if until is not None:
        raise ChatRefused(
            _("Your account cannot send messages until %(until)s because of repeated policy violations.")
            % {"until": _local(until)},
            code="suspended",
        )


@transaction.atomic
def _record(*, user_id, question_id, content: str, result) -> Violation | None:
    log = ModerationLog.objects.create(
        user_id=user_id,
        message_id=question_id,
        excerpt=content[:500],
        flagged=result.flagged,
        categories=result.categories,
        scores=result.scores,
        provider=result.provider,
        model=result.model,
        error=(result.error or "")[:200],
    )
    if not result.flagged or result.error:
        return None
    # The question stays in the conversation (the user sees what was refused) but is never sent again.
    # Merged into what the question's meta_data already holds (one statement: jsonb ||).
    Message.objects.filter(pk=question_id).update(
        meta_data=Func(
            F("meta_data"),
            Value({"moderation": FLAGGED}, output_field=JSONField()),
            template="%(expressions)s",
            arg_joiner=" || ",
            output_field=JSONField(),
        ),
        updated_at=timezone.now(),  # a new key for its cached fragment (chat.fragments)
    )
    # The user's violations one at a time: two flagged questions answered at once both counted the
    # same earlier violations and got the same level (an advisory lock for this user, held to commit).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"chat.violation:{user_id}"])
    recent = Violation.objects.filter(user_id=user_id, created_at__gte=timezone.now() - WINDOW).count()
    level = recent + 1
    duration = SUSPENSIONS[min(level - 1, len(SUSPENSIONS) - 1)]
    reasons = ", ".join(sorted(k for k, v in result.categories.items() if v)) or "flagged"
    return Violation.objects.create(
        user_id=user_id,
        moderation_log=log,
        level=level,
        reason=reasons[:500],
        suspended_until=timezone.now() + duration if duration else None,
    )


def _refusal(violation: Violation) -> str:
    if violation.suspended_until:
        return _(
            "This message breaks the usage policy, so it was not answered. Because of repeated violations, "
            "sending is paused until %(until)s (your time zone)."
        ) % {"until": _local(violation.suspended_until)}
    return _("This message breaks the usage policy, so it was not answered. Repeated violations lead to a suspension.")


_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor  # one small pool per process, made after a worker forks
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="moderation")
    return _executor


class ModerationCheck:
    """The moderation of one question, running while the answer is being generated.

    :func:`moderation_begin` starts the provider call in a thread (the key and client are resolved
    in the caller's tenant schema first); :meth:`verdict` waits for it (usually it is long done when
    the answer's first words arrive), records it (chat.ModerationLog linked to the question,
    chat.Violation with a progressive suspension) and returns the refusal to show, or None.
    """

    def __init__(self, *, user_id, question_id, content: str, future: Future):
        self.user_id, self.question_id, self.content, self.future = user_id, question_id, content, future

    def verdict(self) -> str | None:
        try:
            result = self.future.result(timeout=VERDICT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - an unanswered check must not block the chat (logged)
            logger.warning("moderation of %s gave no verdict", self.question_id, exc_info=True)
            result = moderation.ModerationResult(flagged=False, error=f"no verdict ({type(exc).__name__})")
        if result is None:
            return None
        violation = _record(user_id=self.user_id, question_id=self.question_id, content=self.content, result=result)
        return _refusal(violation) if violation is not None else None


def moderation_begin(*, user_id, question_id, content: str) -> ModerationCheck | None:
    """Start checking a question; None when the workspace has no moderation provider."""
    check = moderation.checker()
    if check is None:
        return None
    return ModerationCheck(
        user_id=user_id, question_id=question_id, content=content, future=_pool().submit(check, content)
    )


@transaction.atomic
def violation_lift(*, violation: Violation, by) -> Violation:
    if violation.lifted_at is None:
        violation.lifted_at = timezone.now()
        violation.lifted_by = by
        violation.save(update_fields=["lifted_at", "lifted_by"])
    return violation
