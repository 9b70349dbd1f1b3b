"""Message writes: ask (send, edit into a branch), regenerate, stop, switch branch, feedback."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import services as billing
from core.tasks import enqueue

from .. import admission
from ..fragments import sidebar_changed
from ..models import OPEN_ANSWER_CONSTRAINT, Conversation, Message
from ..rendering import markdown_to_html
from ..selectors import deepest_leaf
from ..streaming import writer
from ..text import preview_of
from .generation import answer_queue
from .moderation import FLAGGED, refuse_if_suspended, suspension_end

MAX_LENGTH = 32_000


def _enqueue_generation(message: Message, *, moderate: bool) -> None:
    """Generate ``message`` after commit; ``moderate``: check its question meanwhile (a new question)."""
    enqueue("chat.tasks.generate_answer", args=[str(message.pk)], kwargs={"moderate": moderate}, queue=answer_queue())


def _pending_answer(conversation: Conversation, parent: Message) -> Message:
    """A new, unsaved answer waiting for its generation."""
    answer = Message(
        conversation=conversation, parent=parent, role=Message.Role.ASSISTANT, status=Message.Status.PENDING
    )
    answer.full_clean(exclude=["conversation", "parent", "user"], validate_unique=False)  # new uuid4 pk
    return answer


def _busy() -> ValidationError:
    return ValidationError(_("Please wait for the answer to finish, or stop it."), code="busy")


def _refuse_if_answering(conversation: Conversation) -> None:
    """Refuse while the conversation has an open answer; call it holding the conversation's lock.

    Every service that adds an answer takes that lock first, so no other answer can appear between
    this check and the INSERT (the partial unique index OPEN_ANSWER_CONSTRAINT backs it up)."""
    if Message.objects.filter(conversation=conversation, status__in=list(Message.OPEN)).exists():
        raise _busy()


def _insert(rows: list[Message]) -> None:
    """INSERT new messages; a second open answer in the conversation is the user's "busy"."""
    try:
        Message.objects.bulk_create(rows)
    except IntegrityError as exc:
        if OPEN_ANSWER_CONSTRAINT in str(exc):
            raise _busy() from None  # the enclosing atomic block rolls the statement back
        raise


def _clean_content(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("Please write a message.")})
    if len(content) > MAX_LENGTH:
        raise ValidationError({"content": _("Messages can be at most %(n)d characters long.") % {"n": MAX_LENGTH}})
    return content


def message_send(
    *,
    conversation_id,
    user,
    content: str,
    parent: Message | None | str = "current",
    strategy: str | None = None,
    model: str | None = None,
) -> tuple[Message, Message]:
    """Store the user's message and a pending answer, and generate the answer after commit.

    Only in the user's own conversation (else ``Conversation.DoesNotExist``: a 404 for views).
    ``parent`` defaults to the end of the branch on screen; an edit passes the edited message's parent.
    """
    content = _clean_content(content)
    admission.question_admit(user_id=user.pk)  # rate limits: before anything is stored (QuestionLimited)
    # suspension: checked by _ask; the text itself is moderated while its answer is generated
    return _ask(
        conversation_id=conversation_id, user=user, content=content, parent=parent, strategy=strategy, model=model
    )


@transaction.atomic
def _ask(*, conversation_id, user, content, parent, strategy, model) -> tuple[Message, Message]:
    # One statement: the owner check, the lock, the current leaf and the suspension check.
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("current_leaf")
        .annotate(suspended_until=suspension_end(user=user))
        .get(pk=conversation_id, user=user, deleted_at__isnull=True)
    )
    refuse_if_suspended(until=conversation.suspended_until)
    if parent == "current":
        parent = conversation.current_leaf
        if parent is not None and parent.is_open:
            raise _busy()
        # An open answer elsewhere in the conversation (on another branch) is caught by the INSERT.
    else:  # an edit: the leaf on screen may be an answer of another branch
        _refuse_if_answering(conversation)
    # billing: the plan's and the user's quotas, taken atomically in this transaction, and one of the
    # plan's concurrent sessions (its lock lasts until the pending answer below is committed) (429)
    billing.quota_reserve(user_id=user.pk, user_email=user.email, sessions_open=admission.sessions_open)
    question = Message(
        conversation=conversation,
        parent=parent,
        user=user,
        role=Message.Role.USER,
        content=content,
        html=markdown_to_html(content),
        status=Message.Status.COMPLETE,
    )
    question.full_clean(exclude=["conversation", "parent", "user"], validate_unique=False)  # new uuid4 pk
    question.finalized_at = timezone.now()
    answer = _pending_answer(conversation, question)
    _insert([question, answer])  # one INSERT (the answer's parent row is in it too)
    fields = ["current_leaf", "last_message_at", "last_message_preview", "message_count", "updated_at"]
    conversation.current_leaf = answer
    conversation.last_message_at = timezone.now()
    conversation.last_message_preview = preview_of(content)
    conversation.message_count += 2  # the row is locked: the instance stays current (the view renders it)
    if strategy is not None or model is not None:
        conversation.settings = {**conversation.settings, "strategy": strategy or None, "model": model or None}
        fields.append("settings")
    if conversation.archived_at is not None:  # writing in an archived chat brings it back
        conversation.archived_at = None
        fields.append("archived_at")
    conversation.save(update_fields=fields)
    sidebar_changed(user_id=conversation.user_id)  # last message time and preview
    _enqueue_generation(answer, moderate=True)  # the question is indexed for search with its answer
    return question, answer


def conversation_start(*, user, content: str, strategy: str | None = None, model: str | None = None):
    """A new conversation with its first message; nothing is created when the message is refused."""
    from .conversations import conversation_create

    content = _clean_content(content)
    admission.question_admit(user_id=user.pk)  # rate limits: before anything is stored (QuestionLimited)
    with transaction.atomic():  # a suspended user's refusal (in _ask) leaves no conversation behind
        conversation = conversation_create(user=user, strategy=strategy, model=model)
        _ask(conversation_id=conversation.pk, user=user, content=content, parent="current", strategy=None, model=None)
    return conversation


def message_edit(*, message: Message, user, content: str) -> tuple[Message, Message]:
    """Editing a user message starts a new branch beside it (the original stays, as a sibling)."""
    if message.role != Message.Role.USER:
        raise ValidationError(_("Only your own messages can be edited."))
    return message_send(conversation_id=message.conversation_id, user=user, content=content, parent=message.parent)


def message_regenerate(*, message: Message) -> Message:
    """A new answer beside ``message`` (also the retry of a failed one); one open answer at a time."""
    admission.question_admit(user_id=message.conversation.user_id)  # rate limits, outside the transaction
    return _regenerate(message=message)


@transaction.atomic
def _regenerate(*, message: Message) -> Message:
    if message.role != Message.Role.ASSISTANT or message.parent_id is None:
        raise ValidationError(_("Only answers can be regenerated."))
    # The lock first: two fast clicks both read "complete" on an unlocked row and made two answers.
    conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
    _refuse_if_answering(conversation)
    parent = Message.objects.only("id", "meta_data").get(pk=message.parent_id)
    if (parent.meta_data or {}).get("moderation") == FLAGGED:
        raise ValidationError(_("This message breaks the usage policy, so it cannot be answered."), code="flagged")
    owner = conversation.user  # billing: a new answer is a question asked again (QuotaExceeded: 429)
    billing.quota_reserve(user_id=owner.pk, user_email=owner.email, sessions_open=admission.sessions_open)
    answer = _pending_answer(conversation, parent)
    _insert([answer])
    conversation.current_leaf = answer
    conversation.last_message_at = timezone.now()
    conversation.message_count = F("message_count") + 1
    conversation.save(update_fields=["current_leaf", "last_message_at", "message_count", "updated_at"])
    sidebar_changed(user_id=conversation.user_id)  # last message time
    _enqueue_generation(answer, moderate=False)  # its question was checked when it was sent
    return answer


def message_stop(*, message: Message) -> Message:
    """Ask the generating task to stop; an answer that has not started yet is stopped at once."""
    from .generation import message_finalize

    if message.status == Message.Status.PENDING:
        message_finalize(
            message_id=message.pk, status=Message.Status.STOPPED, content="", from_statuses=[Message.Status.PENDING]
        )
    if message.is_open:
        writer.request_stop(message.pk)
    message.refresh_from_db()
    return message


@transaction.atomic
def branch_switch(*, message: Message) -> Conversation:
    """Show the branch through ``message`` (its newest continuation)."""
    conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
    conversation.current_leaf_id = deepest_leaf(message=message)
    conversation.save(update_fields=["current_leaf", "updated_at"])
    return conversation


@transaction.atomic
def message_rate(*, message: Message, rating: int | None) -> Message:
    if message.role != Message.Role.ASSISTANT:
        raise ValidationError(_("Only answers can be rated."))
    if message.status == Message.Status.ERROR:
        raise ValidationError(_("A failed answer cannot be rated; retry it instead."))
    if rating not in (1, -1, None):
        raise ValidationError(_("Invalid rating."))
    message.rating = rating
    message.save(update_fields=["rating", "updated_at"])
    return message


@transaction.atomic
def message_mark_mistake(*, message: Message, is_mistake: bool, note: str = "") -> Message:
    if message.role != Message.Role.ASSISTANT:
        raise ValidationError(_("Only answers can be marked as mistakes."))
    if message.status == Message.Status.ERROR:
        raise ValidationError(_("A failed answer cannot be marked as a mistake; retry it instead."))
    message.is_mistake = is_mistake
    message.mistake_note = (note or "").strip()[:2000] if is_mistake else ""
    message.save(update_fields=["is_mistake", "mistake_note", "updated_at"])
    return message
