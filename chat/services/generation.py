"""Generating an answer: run the engine, relay its events to Redis, persist the result once.

``generation_run`` is what the Celery task calls (in the tenant's schema). It claims the pending
message (pending -> streaming, a conditional UPDATE, so a redelivered task does nothing), relays
every event to the message's Redis stream, and finalises. ``message_finalize`` is idempotent: only
the first call moves an open message to a final status and adds its usage to the conversation,
so usage is never charged twice. ``generation_sweep`` marks answers whose worker died as errors.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import services as billing
from core.tasks import enqueue
from orchestration import engine

from ..fragments import sidebar_changed
from ..models import Conversation, Message
from ..rendering import markdown_to_html
from ..streaming import keys, writer
from ..text import preview_of, title_from
from .answer import FAILED, INTERRUPTED, EventAccumulator, Outcome, outcome_of
from .moderation import FLAGGED, moderation_begin
from .search import index_messages

logger = logging.getLogger(__name__)

# An open answer untouched for this long has lost its worker (the task's hard limit is lower).
STUCK_AFTER = timedelta(minutes=6)


@dataclass(frozen=True)
class _Job:
    """What generating an answer needs, read in the statement that claims it (see :func:`_claim`)."""

    pk: uuid.UUID
    status: str
    claimed: bool
    attempt: int  # generation_attempts after this claim: only this generation may finalise
    parent_id: uuid.UUID | None
    owner_id: int
    owner_language: str
    settings: dict
    transcript: list[dict]


# One statement (one round trip before the provider is called): claim the pending answer (a
# conditional UPDATE, so a redelivered task does nothing), and read its conversation's settings,
# its owner's language and the turns of its branch (oldest first, at most TRANSCRIPT_LIMIT).
_CLAIM_SQL = """
WITH RECURSIVE claimed AS (
    UPDATE chat_message SET status = %(streaming)s, updated_at = %(now)s,
                            generation_attempts = generation_attempts + 1
    WHERE id = %(id)s AND status = %(pending)s
    RETURNING id, generation_attempts
), path(id, parent_id, depth) AS (
    SELECT p.id, p.parent_id, 1 FROM chat_message p
    WHERE p.id = (SELECT a.parent_id FROM chat_message a WHERE a.id = %(id)s)
    UNION ALL
    SELECT m.id, m.parent_id, path.depth + 1 FROM chat_message m JOIN path ON m.id = path.parent_id
    WHERE path.depth < %(limit)s
)
SELECT a.status, EXISTS (SELECT 1 FROM claimed), (SELECT generation_attempts FROM claimed),
       a.parent_id, c.user_id, u.language, c.settings,
       (SELECT coalesce(json_agg(json_build_object('id', t.id, 'role', t.role, 'content', t.content, 'status', t.status,
                                                   'meta_data', t.meta_data,
                                                   'images', EXISTS (SELECT 1 FROM chat_attachment x
                                                                     WHERE x.message_id = t.id
                                                                       AND x.mime_type LIKE 'image/%%'
                                                                       AND x.document_id IS NOT NULL
                                                                       AND x.width IS NOT NULL))
                                 ORDER BY path.depth DESC), '[]')
        FROM path JOIN chat_message t ON t.id = path.id)
FROM chat_message a
JOIN chat_conversation c ON c.id = a.conversation_id
JOIN accounts_user u ON u.id = c.user_id
WHERE a.id = %(id)s
"""
TRANSCRIPT_LIMIT = 40


def _claim(message_id) -> _Job | None:
    params: dict[str, str | int | datetime] = {
        "id": str(message_id),
        "streaming": str(Message.Status.STREAMING),
        "pending": str(Message.Status.PENDING),
        "now": timezone.now(),
        "limit": TRANSCRIPT_LIMIT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    status, claimed, attempt, parent_id, owner_id, language, settings_, transcript = row
    return _Job(
        pk=uuid.UUID(str(message_id)),
        status=status,  # as it was before this claim
        claimed=claimed,
        attempt=attempt or 0,
        parent_id=parent_id,
        owner_id=owner_id,
        owner_language=language,
        settings=_json(settings_) or {},
        transcript=_json(transcript) or [],
    )


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _turns(job: _Job) -> list[engine.Turn]:
    turns: list[engine.Turn] = []
    kept = []
    for m in job.transcript:
        if m["role"] == Message.Role.ASSISTANT and m["status"] not in (Message.Status.COMPLETE, Message.Status.STOPPED):
            continue
        if (m["meta_data"] or {}).get("moderation") == FLAGGED:  # refused by moderation: never sent on
            continue
        if m["content"]:
            kept.append(m)
    # the claim says which questions carry images: a transcript without any costs no statement more
    images = _images_of([m.get("id") for m in kept if m["role"] == Message.Role.USER and m.get("images")])
    for m in kept:
        turns.append(engine.Turn(role=m["role"], content=m["content"], images=images.get(str(m.get("id")), ())))
    return turns


# --- documents (issue 9 §1): images sent with the questions go to models that accept them ---
IMAGES_SENT = 4  # the most recent images of a conversation sent as images; older ones as notes


def _images_of(question_ids: list) -> dict[str, tuple]:
    """{question id: (engine.Image, ...)} for the questions' image attachments (one query); the
    most recent IMAGES_SENT carry their bytes (scaled to what the vendors accept)."""
    from documents.media import image_for_model

    from ..models import Attachment

    ids = [i for i in question_ids if i]
    if not ids:
        return {}
    rows = list(
        Attachment.objects.filter(
            message_id__in=ids, mime_type__startswith="image/", document__isnull=False, width__isnull=False
        )  # fmt: skip
        .order_by("-message__created_at", "-created_at")
        .values_list("message_id", "file", "original_name", "mime_type", "width", "height")
    )
    out: dict[str, list] = {}
    for n, (message_id, name, original, mime, width, height) in enumerate(rows):
        data = b""
        if n < IMAGES_SENT:
            try:
                from django.core.files.storage import default_storage

                with default_storage.open(name, "rb") as fh:
                    data, mime = image_for_model(fh.read(), mime)
            except Exception:  # noqa: BLE001 - a file gone or unreadable never fails the answer: the note goes
                data = b""
        out.setdefault(str(message_id), []).insert(
            0, engine.Image(name=original, mime_type=mime, width=width or 0, height=height or 0, data=data)
        )
    return {k: tuple(v) for k, v in out.items()}


# --- documents (issue 9): the conversation's documents and the knowledge base answer questions ---
def _retriever(job: _Job):
    from documents.retrieval import ConversationRetriever
    from orchestration.selectors import settings_snapshot

    def conversation_id():  # read only when the engine asks (not before the provider call)
        return Message.objects.filter(pk=job.pk).values_list("conversation_id", flat=True).first()

    snapshot = settings_snapshot()
    return ConversationRetriever(user_id=job.owner_id, conversation_id=conversation_id,
                                 top_k=snapshot.retrieval_top_k, min_score=snapshot.retrieval_min_score)  # fmt: skip


# --- end documents ---


def generation_run(*, message_id, moderate: bool = False) -> str:
    """Generate the answer ``message_id``; returns its final status (or the status it already had).

    Runs in the conversation owner's language, so that the engine's own words (offline notice,
    provider failures) reach the user in it. ``moderate``: check the question meanwhile."""
    job = _claim(message_id)
    if job is None:  # deleted (its conversation purged) before the task ran
        return "missing"
    if not job.claimed:
        return job.status
    # the heartbeat tells the SSE view and the sweep that this writer lives (see generation_recover)
    with writer.Heartbeat(job.pk), translation.override(job.owner_language or settings.LANGUAGE_CODE):
        return _generation_run(job, moderate=moderate)


# What waits for the moderation verdict: everything that shows or ends the answer.
_GATED = frozenset({"delta", "sources", "usage", "done", "error"})


def _generation_run(answer: _Job, *, moderate: bool) -> str:
    key = keys.stream_key(answer.pk)
    # the status goes out with the engine's first event (a phase, at once): one round trip fewer
    first: list[tuple[str, dict[str, object]]] = [("status", {"status": Message.Status.STREAMING})]
    if answer.attempt > 1:  # redelivered: the page drops the dead writer's words first
        first.insert(0, (keys.RESTART, {"attempt": answer.attempt}))
    publish = writer.Publisher(key, first=first)
    request = engine.Request(
        transcript=_turns(answer), strategy=answer.settings.get("strategy"), model=answer.settings.get("model")
    )
    check = None
    if moderate and request.transcript and request.transcript[-1].role == Message.Role.USER:
        check = moderation_begin(
            user_id=answer.owner_id, question_id=answer.parent_id, content=request.transcript[-1].content
        )
    refusal: str | None = None
    started = time.monotonic()
    acc = EventAccumulator()
    last_touch = started

    def should_stop() -> bool:  # a refusal stops the engine like the stop button does
        return refusal is not None or writer.stop_requested(answer.pk)

    try:
        for event in engine.run(request, retriever=_retriever(answer), should_stop=should_stop):
            if check is not None and event.type in _GATED:
                refusal, check = check.verdict(), None  # usually in before the first words
            if refusal is not None:  # the engine stops within one chunk; nothing of this answer is shown
                if event.type == "done":
                    acc.add(event.type, event.data)  # its usage is still recorded
                continue
            publish(event.type, event.data)
            acc.add(event.type, event.data)
            now = time.monotonic()
            if now - last_touch > 10:  # keep the sweep away from a long, healthy answer; keep the partial text
                Message.objects.filter(pk=answer.pk, status=Message.Status.STREAMING).update(
                    updated_at=timezone.now(), content=acc.text
                )
                last_touch = now
    except Exception:  # noqa: BLE001 - any failure (incl. the soft time limit) ends the answer as an error
        logger.exception("generation of %s failed", answer.pk)
        acc.fail(_(FAILED), "internal")
    if check is not None:  # the engine ended without a word: the verdict is still recorded
        refusal = check.verdict()
    outcome = outcome_of(acc, elapsed_ms=int((time.monotonic() - started) * 1000), refusal=refusal, flagged=FLAGGED)
    outcome_persist(message_id=answer.pk, outcome=outcome, attempt=answer.attempt)
    return outcome.status


def outcome_persist(*, message_id, outcome: Outcome, attempt: int | None = None, from_statuses=Message.OPEN) -> bool:
    """Persist an answer's outcome (see :func:`message_finalize`: once, usage included).

    ``attempt``: only while the answer is still this generation's (not redelivered meanwhile)."""
    return message_finalize(
        message_id=message_id,
        status=outcome.status,
        content=outcome.content,
        meta_data=outcome.meta_data,
        model_name=outcome.model_name,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
        cost=outcome.cost,
        processing_time_ms=outcome.processing_time_ms,
        context_documents=outcome.context_documents,
        error_message=outcome.error_message,
        from_statuses=from_statuses,
        attempt=attempt,
    )


def _merge_summary(summary: dict, meta: dict, model_name: str) -> dict:
    """The conversation's running summary (seed 000 conversations.meta_data)."""
    orch = meta.get("orchestration") or {}
    s = dict(summary or {})
    s["model_used"] = model_name or orch.get("orchestration_strategy") or s.get("model_used", "")
    s["providers_used"] = sorted(set(s.get("providers_used") or []) | set(orch.get("providers_used") or []))
    s["orchestration_strategy"] = orch.get("orchestration_strategy") or s.get("orchestration_strategy", "")
    s["processing_time_ms"] = int(s.get("processing_time_ms") or 0) + int(orch.get("processing_time_ms") or 0)
    s["confidence_score"] = orch.get("confidence_score")
    s["query_analysis"] = orch.get("query_analysis") or {}
    s["phase_details"] = orch.get("phase_details") or {}
    costs = dict(s.get("cost_breakdown") or {})
    breakdown = meta.get("cost_breakdown") or {}
    for provider, value in (breakdown.get("per_provider") or {}).items():
        costs[f"{provider}_cost"] = round(float(costs.get(f"{provider}_cost") or 0) + float(value or 0), 6)
    costs["total_cost"] = round(float(costs.get("total_cost") or 0) + float(breakdown.get("total_cost") or 0), 6)
    s["cost_breakdown"] = costs
    return s


def message_finalize(
    *,
    message_id,
    status: str,
    content: str = "",
    meta_data: dict | None = None,
    model_name: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: Decimal | float = 0,
    processing_time_ms: int | None = None,
    context_documents: list | None = None,
    error_message: str = "",
    from_statuses=Message.OPEN,
    attempt: int | None = None,
) -> bool:
    """Move an open answer to ``status`` with its result; True only for the call that did it.

    Safe to call twice (a redelivered task, the sweep racing a slow worker): the conditional
    UPDATE lets exactly one caller through, and only that caller adds usage to the conversation
    and records it with billing. ``attempt``: only if no later generation took the answer over.
    """
    now = timezone.now()
    tokens = int(prompt_tokens) + int(completion_tokens)
    with transaction.atomic():
        open_answer = Message.objects.filter(pk=message_id, status__in=list(from_statuses))
        if attempt is not None:
            open_answer = open_answer.filter(generation_attempts=attempt)
        updated = open_answer.update(
            status=status,
            content=content,
            html=markdown_to_html(content),
            meta_data=meta_data or {},
            model_name=model_name[:100],
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=Decimal(str(cost)),
            processing_time_ms=processing_time_ms,
            context_documents=context_documents or [],
            error_message=error_message[:500],
            finalized_at=now,
            updated_at=now,
        )
        if not updated:
            return False
        message = Message.objects.only("id", "conversation_id", "parent_id", "created_at").get(pk=message_id)
        # its question too: indexing it when it is sent would delay the answer (docs/PERFORMANCE.md)
        index_messages([message_id, *([message.parent_id] if message.parent_id else [])])
        conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
        fields = ["total_tokens", "last_message_at", "updated_at"]
        conversation.total_tokens = F("total_tokens") + tokens
        conversation.last_message_at = now
        if content:
            conversation.last_message_preview = preview_of(content)
            fields.append("last_message_preview")
        if meta_data:
            conversation.meta_data = _merge_summary(conversation.meta_data, meta_data, model_name)
            fields.append("meta_data")
        if not conversation.title and not conversation.title_is_custom:  # a failed first answer too (issue 11 §10)
            first = (
                Message.objects.filter(conversation=conversation, role=Message.Role.USER)
                .order_by("created_at")
                .values_list("content", flat=True)
                .first()
            )
            conversation.title = title_from(first or content) or _("New chat")
            fields.append("title")
        conversation.save(update_fields=fields)
        sidebar_changed(user_id=conversation.user_id)  # last message time, preview, title
        title = conversation.title
        _report_usage(message, conversation, status=status, meta=meta_data or {}, tokens=tokens, cost=cost)
    schema = getattr(connection, "schema_name", "public")
    data = {"status": status, "title": title}
    if error_message:
        data["message"] = error_message
    transaction.on_commit(lambda: writer.publish(keys.stream_key(message_id, schema), keys.END, data))
    return True


def _report_usage(message: Message, conversation: Conversation, *, status: str, meta: dict, tokens: int, cost) -> None:
    """billing: one ledger row per answer (its key makes a second call a no-op); an answer that failed,
    or was stopped before a word, gives its question back."""
    from accounts.models import User

    orch = meta.get("orchestration") or {}
    providers = [p for p in orch.get("providers_used") or [] if p]
    refund = status == Message.Status.ERROR or (status == Message.Status.STOPPED and not tokens)
    billing.usage_record(
        action_type="question",
        user_id=conversation.user_id,
        user_email=User.objects.filter(pk=conversation.user_id).values_list("email", flat=True).first() or "",
        tokens=tokens,
        cost=cost,
        provider="+".join(providers)[:50],
        strategy=str(orch.get("orchestration_strategy") or "")[:50],
        platform_key=bool((meta.get("platform_usage") or {}).get("used")),
        metadata={
            "message_id": str(message.pk),
            "status": status,
            "per_provider": (meta.get("cost_breakdown") or {}).get("per_provider") or {},
            "tokens": meta.get("tokens_used") or {},
            "platform_providers": (meta.get("platform_usage") or {}).get("providers") or [],
        },
        idempotency_key=f"answer:{connection.schema_name}:{message.pk}",  # type: ignore[attr-defined]
        refund_question_of=message.created_at if refund else None,
    )


# A writer's heartbeat expires HEARTBEAT_TTL after its death; a claim younger than that may not
# have beaten yet. An answer whose writer died is generated again once (MAX_ATTEMPTS generations).
HEARTBEAT_GRACE = timedelta(seconds=keys.HEARTBEAT_TTL)
MAX_ATTEMPTS = 2


def answer_queue() -> str:
    """The Celery queue answers are generated from (``CHAT_ANSWER_QUEUE``), read at each send: a test
    with a worker of its own gives it its own queue (Celery caches its routes, a setting it is not)."""
    return settings.CHAT_ANSWER_QUEUE


def generation_recover(*, message_id) -> str:
    """A streaming answer whose writer's heartbeat is gone: ``"redelivered"`` (back to pending, a
    new generation enqueued; its first event tells the page to start the answer again), or, when
    it was redelivered already, ``"error"`` keeping its partial text (the page offers Retry).
    ``"alive"``: the writer beats;
    ``"unchanged"``: not streaming, or claimed too recently to judge.

    Deterministic and safe to race: the conditional UPDATEs let one caller (SSE view, sweep) through;
    the dead generation can no longer finalise (its attempt is not the answer's any more)."""
    if writer.writer_alive(message_id):
        return "alive"
    schema = getattr(connection, "schema_name", "public")
    dead = Message.objects.filter(
        pk=message_id, status=Message.Status.STREAMING, updated_at__lt=timezone.now() - HEARTBEAT_GRACE
    )
    with transaction.atomic():
        if dead.filter(generation_attempts__lt=MAX_ATTEMPTS).update(
            status=Message.Status.PENDING, content="", updated_at=timezone.now()
        ):
            # the question was moderated (or is being) by the first generation: no second check
            enqueue(
                "chat.tasks.generate_answer", args=[str(message_id)], kwargs={"moderate": False}, queue=answer_queue()
            )
            logger.warning("answer %s lost its writer; generating it again", message_id)
            return "redelivered"
    row = dead.values_list("content", flat=True).first()
    if row is None:
        return "unchanged"
    text = partial_text(message_id, schema) or row
    if message_finalize(
        message_id=message_id,
        status=Message.Status.ERROR,
        content=text,
        error_message=_(INTERRUPTED),
        from_statuses=[Message.Status.STREAMING],
    ):
        logger.warning("answer %s lost its writer again; marked as error", message_id)
        return "error"
    return "unchanged"


def partial_text(message_id, schema: str | None = None) -> str:
    """The text the answer's stream carries since its last (re)start: fresher than the database's."""
    acc = EventAccumulator()
    for _id, type_, data in keys.read_all(keys.stream_key(message_id, schema)):
        if type_ == keys.RESTART:
            acc = EventAccumulator()
        else:
            acc.add(type_, data)
    return acc.text


def generation_sweep(*, older_than: timedelta = STUCK_AFTER) -> int:
    """Answers whose writer died: redelivered once, else errors (see :func:`generation_recover`);
    answers still open after ``older_than`` (never started, or stuck) become errors. Returns how many."""
    count = 0
    candidates = Message.objects.filter(
        status=Message.Status.STREAMING, updated_at__lt=timezone.now() - HEARTBEAT_GRACE
    )
    for pk in list(candidates.values_list("pk", flat=True)):
        if generation_recover(message_id=pk) in ("redelivered", "error"):
            count += 1
    cutoff = timezone.now() - older_than
    stuck = list(
        Message.objects.filter(status__in=list(Message.OPEN), updated_at__lt=cutoff).values_list("pk", "content")
    )
    for pk, content in stuck:
        if writer.writer_alive(pk):
            continue
        if message_finalize(message_id=pk, status=Message.Status.ERROR, content=content, error_message=_(INTERRUPTED)):
            count += 1
    return count
