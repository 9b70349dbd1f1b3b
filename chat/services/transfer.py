"""Export conversations as JSON (seed metadata shapes) or Markdown; import a JSON export back."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from core.tasks import enqueue
from core.weburl import web_url

from ..fragments import sidebar_changed
from ..models import Conversation, ImportJob, Message
from ..rendering import markdown_to_html
from ..selectors import _path_ids
from .search import index_messages

logger = logging.getLogger(__name__)

FORMAT = "chorus.chat"
VERSION = 1
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _iso(value):
    return value.isoformat() if value else None


def _message_dict(m: Message) -> dict:
    return {
        "id": str(m.pk),
        "parent_id": str(m.parent_id) if m.parent_id else None,
        "role": m.role,
        "content_type": m.content_type,
        "content": m.content,
        "status": m.status,
        "model_name": m.model_name,
        "prompt_tokens": m.prompt_tokens,
        "completion_tokens": m.completion_tokens,
        "cost": float(m.cost),
        "processing_time_ms": m.processing_time_ms,
        "meta_data": m.meta_data,
        "context_documents": m.context_documents,
        "is_mistake": m.is_mistake,
        "mistake_note": m.mistake_note,
        "rating": m.rating,
        "created_at": _iso(m.created_at),
    }


def _conversation_dict(c: Conversation, messages) -> dict:
    return {
        "id": str(c.pk),
        "origin_id": c.import_key or str(c.pk),  # where it first came from: recognised on import
        "title": c.title,
        "settings": c.settings,
        "is_starred": c.is_starred,
        "archived_at": _iso(c.archived_at),
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "last_message_at": _iso(c.last_message_at),
        "total_tokens": c.total_tokens,
        "message_count": c.message_count,
        "current_leaf_id": str(c.current_leaf_id) if c.current_leaf_id else None,
        "meta_data": c.meta_data,
        "messages": [_message_dict(m) for m in messages],
    }


def _user_conversations(user, conversations=None):
    qs = Conversation.objects.filter(user=user, deleted_at__isnull=True).order_by("created_at", "id")
    if conversations is not None:
        qs = qs.filter(pk__in=[c.pk for c in conversations])
    return qs


def _with_messages(user, conversations=None, *, include_deleted: bool = False, defer=("search_vector", "html")):
    """(conversation, its messages oldest first) for each conversation: two queries, whatever the count.

    The messages come through one server-side cursor in the conversations' order, so memory holds
    one conversation's messages at a time."""
    convs = list(_user_conversations(user, conversations))
    messages = Message.objects.filter(conversation__in=[c.pk for c in convs])
    if not include_deleted:
        messages = messages.filter(deleted_at__isnull=True)
    rows = (
        messages.defer(*defer)
        .order_by("conversation__created_at", "conversation_id", "created_at", "id")
        .iterator(chunk_size=2000)
    )
    groups = groupby(rows, key=lambda m: m.conversation_id)
    pending = next(groups, None)
    for c in convs:
        mine: list[Message] = []
        if pending is not None and pending[0] == c.pk:
            mine = list(pending[1])
            pending = next(groups, None)
        yield c, mine


def _envelope() -> dict:
    return {"format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat()}


def conversations_export(*, user, conversations=None) -> dict:
    """Every (or the given) conversation of ``user`` with all messages of every branch."""
    return {
        **_envelope(),
        "conversations": [_conversation_dict(c, ms) for c, ms in _with_messages(user, conversations)],
    }


def _json(value, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


def conversations_export_json(*, user, conversations=None) -> Iterator[str]:
    """The same export as text pieces, one conversation at a time (for a streamed download)."""
    head = _json(_envelope())
    yield head[: head.rindex("}")].rstrip() + ',\n  "conversations": ['
    first = True
    for c, ms in _with_messages(user, conversations):
        body = _json(_conversation_dict(c, ms)).replace("\n", "\n    ")
        yield ("\n    " if first else ",\n    ") + body
        first = False
    yield "\n  ]\n}\n"


def _branch(conversation: Conversation, messages: list[Message]) -> list[Message]:
    """The branch on screen, root first, from the conversation's messages (its current leaf upwards)."""
    by_id = {m.pk: m for m in messages}
    path: list[Message] = []
    pk = conversation.current_leaf_id
    while pk is not None and pk in by_id and len(path) <= len(by_id):
        path.append(by_id[pk])
        pk = by_id[pk].parent_id
    return path[::-1]


def _markdown(conversation: Conversation, branch: list[Message]) -> str:
    lines = [f"# {conversation.display_title}", ""]
    for m in branch:
        if m.deleted_at:
            continue
        who = _("You") if m.role == Message.Role.USER else _("Assistant")
        stamp = timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M")
        lines += [f"**{who}** · {stamp}", "", m.content or f"_({m.get_status_display()})_", ""]
        links = [_md_link(s["title"] or s["url"], s["url"]) for s in _sources_of(m) if s["url"]]
        if links:
            lines += [_("Sources:"), *links, ""]
    return "\n".join(lines).rstrip() + "\n"


def conversation_markdown(*, conversation: Conversation) -> str:
    """The branch on screen as Markdown."""
    branch = []
    if conversation.current_leaf_id:
        ids = [r[0] for r in _path_ids(conversation.pk, conversation.current_leaf_id, 1_000_000)]
        branch = _branch(conversation, list(Message.objects.filter(pk__in=ids).defer("search_vector", "html")))
    return _markdown(conversation, branch)


def conversations_markdown(*, user) -> Iterator[str]:
    """Every conversation's branch on screen as Markdown, streamed: two queries in all."""
    for i, (c, ms) in enumerate(_with_messages(user, include_deleted=True, defer=("search_vector", "html"))):
        yield ("\n---\n\n" if i else "") + _markdown(c, _branch(c, ms))


def _sources_of(m: Message) -> list[dict]:
    meta = m.meta_data if isinstance(m.meta_data, dict) else {}
    orch = meta.get("orchestration")
    items = orch.get("sources_included") if isinstance(orch, dict) else None
    return [
        {"url": web_url(s.get("url")), "title": s.get("title") if isinstance(s.get("title"), str) else ""}
        for s in (items if isinstance(items, list) else [])
        if isinstance(s, dict)
    ]


_MD_TEXT = re.compile(r"([\\`*_\[\]<>()#!|])")


def _md_link(title: str, url: str) -> str:
    """A Markdown link whose text cannot close the link and whose target cannot leave the brackets."""
    text = _MD_TEXT.sub(r"\\\1", " ".join(title.split()))
    target = url.replace("<", "%3C").replace(">", "%3E")
    return f"- [{text}](<{target}>)"


# --- Import -----------------------------------------------------------------------------------
# An export file is untrusted input: everything the pages read from it is validated here (types,
# sizes, link schemes), and a file that does not fit is refused whole with the path of its first
# error. Unknown keys inside meta_data are kept (they are shown nowhere); known ones must fit.
class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


def _only_web_links(value: str) -> str:
    if value and not web_url(value):
        raise ValueError("only http and https links are allowed")
    return web_url(value)


_Number = float | int
_Scalar = bool | int | float | str | None  # smart-mode unions keep each value's own type
_Text = Annotated[str, Field(max_length=10_000)]
_Name = Annotated[str, Field(max_length=200)]


class _SourceIn(_Open):
    url: Annotated[str, Field(max_length=2048), AfterValidator(_only_web_links)] = ""
    title: _Text = ""
    kind: _Name = "web"
    access_date: _Name = ""


class _ConsensusIn(_Open):
    agreement_score: _Number | None = None
    answers: list[dict[str, _Scalar]] = Field(default_factory=list, max_length=50)


class _AdaptiveIn(_Open):
    chosen_strategy: _Name | None = None
    reasons: list[_Text] = Field(default_factory=list, max_length=50)


class _BudgetIn(_Open):
    downgraded: bool = False
    exceeded_after: bool = False
    reason: _Text = ""
    actual: _Number | None = None
    limit: _Number | None = None


class _OrchestrationIn(_Open):
    orchestration_strategy: _Name | None = None
    providers_used: list[_Name] = Field(default_factory=list, max_length=50)
    models_used: list[_Name] = Field(default_factory=list, max_length=50)
    processing_time_ms: _Number | None = None
    confidence_score: _Number | None = None
    query_analysis: dict = Field(default_factory=dict)
    phase_details: dict[_Name, _Scalar] = Field(default_factory=dict)
    sources_included: list[_SourceIn] = Field(default_factory=list, max_length=500)
    fallbacks: list[dict[str, _Scalar]] = Field(default_factory=list, max_length=50)
    notes: list[_Text] = Field(default_factory=list, max_length=50)
    budget: _BudgetIn | None = None
    adaptive: _AdaptiveIn | None = None
    consensus: _ConsensusIn | None = None


class _CostsIn(_Open):
    total_cost: _Number | None = None
    per_provider: dict[_Name, _Number | None] = Field(default_factory=dict)
    currency: _Name = "USD"


class _MessageMetaIn(_Open):
    orchestration: _OrchestrationIn | None = None
    tokens_used: dict[_Name, _Number | None] = Field(default_factory=dict)
    cost_breakdown: _CostsIn | None = None
    moderation: _Name | None = None


class _ConversationMetaIn(_Open):
    """The running summary (see generation._merge_summary), which new answers add to."""

    model_used: _Name | None = None
    providers_used: list[_Name] = Field(default_factory=list, max_length=50)
    orchestration_strategy: _Name | None = None
    processing_time_ms: _Number | None = None
    confidence_score: _Number | None = None
    query_analysis: dict = Field(default_factory=dict)
    phase_details: dict[_Name, _Scalar] = Field(default_factory=dict)
    cost_breakdown: dict[_Name, _Number | None] = Field(default_factory=dict)


class _SettingsIn(_Strict):
    strategy: _Name | None = None
    model: _Name | None = None


class _MessageIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    parent_id: str | None = None
    role: Literal["user", "assistant", "system"]
    content_type: Literal["text", "code", "image", "audio"] = "text"
    content: str = Field(max_length=200_000)
    status: Literal["pending", "streaming", "complete", "stopped", "error"] = "complete"
    model_name: str = Field(default="", max_length=100)
    prompt_tokens: int = Field(default=0, ge=0, le=2**31 - 1)
    completion_tokens: int = Field(default=0, ge=0, le=2**31 - 1)
    cost: float = Field(default=0, ge=0, lt=10**6)
    processing_time_ms: int | None = Field(default=None, ge=0, le=2**31 - 1)
    meta_data: _MessageMetaIn = Field(default_factory=_MessageMetaIn)
    context_documents: list[dict[str, _Scalar]] = Field(default_factory=list, max_length=500)
    is_mistake: bool = False
    mistake_note: str = Field(default="", max_length=2000)
    rating: Literal[1, -1] | None = None
    created_at: datetime | None = None

    def meta(self) -> dict:
        return self.meta_data.model_dump(mode="json", exclude_unset=True)


class _ConversationIn(_Strict):
    id: str = Field(default="", max_length=64)
    origin_id: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=500)
    settings: _SettingsIn = Field(default_factory=_SettingsIn)
    is_starred: bool = False
    archived_at: datetime | None = None
    created_at: datetime | None = None
    current_leaf_id: str | None = None
    meta_data: _ConversationMetaIn = Field(default_factory=_ConversationMetaIn)
    messages: list[_MessageIn] = Field(max_length=100_000)

    @property
    def key(self) -> str:
        """The stable id of the conversation this export holds; without ids (a hand-made file), a hash."""
        if self.origin_id or self.id:
            return (self.origin_id or self.id)[:64]
        body = self.model_dump_json(include={"title", "created_at", "messages"})
        return "sha256:" + hashlib.sha256(body.encode()).hexdigest()[:57]


class _ExportIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Literal["chorus.chat"]
    version: Literal[1]
    conversations: list[_ConversationIn] = Field(max_length=10_000)


def _parse(raw: bytes | str) -> _ExportIn:
    if isinstance(raw, bytes):
        if len(raw) > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is too large (at most 20 MB)."))
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text."))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(_("The file is not valid JSON (line %(line)d).") % {"line": exc.lineno})
    try:
        return _ExportIn.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ValidationError(
            _("This is not a Chorus chat export: %(where)s: %(msg)s") % {"where": where, "msg": first["msg"]}
        )


class Imported(list):
    """The conversations an import created; ``skipped``: those it recognised as already imported."""

    skipped: int = 0


def _already_imported(user, conversations) -> set[str]:
    """Keys of ``conversations`` this user imported before (and still has)."""
    keys = {c.key for c in conversations}
    mine = Conversation.objects.filter(user=user, deleted_at__isnull=True, import_key__in=keys)
    return set(mine.values_list("import_key", flat=True))


@transaction.atomic
def conversations_import(*, user, raw: bytes | str) -> list[Conversation]:
    """Import an export made by :func:`conversations_export`; all or nothing. Ids are new.

    In one transaction: for files up to ASYNC_IMPORT_BYTES (larger ones: :func:`import_job_run`)."""
    parsed = _parse(raw)
    created = Imported()
    new_ids: list[uuid.UUID] = []
    known = _already_imported(user, parsed.conversations)
    for conv_in in parsed.conversations:
        if conv_in.key in known:
            created.skipped += 1
            continue
        known.add(conv_in.key)  # the same conversation twice in one file: once
        conversation, ids = _import_one(user=user, conv_in=conv_in, now=timezone.now())
        created.append(conversation)
        new_ids += ids
    index_messages(new_ids)
    return created


def _import_one(*, user, conv_in: _ConversationIn, now, hidden: bool = False) -> tuple[Conversation, list]:
    """One conversation with its messages; ``hidden``: soft-deleted until the whole import is done."""
    mapping: dict[str, uuid.UUID] = {}
    conversation = Conversation.objects.create(
        user=user,
        title=conv_in.title.strip(),
        title_is_custom=bool(conv_in.title.strip()),
        settings=conv_in.settings.model_dump(),
        is_starred=conv_in.is_starred,
        archived_at=conv_in.archived_at,
        meta_data=conv_in.meta_data.model_dump(mode="json", exclude_unset=True),
        import_key=conv_in.key,
        deleted_at=now if hidden else None,
    )
    rows = []
    total_tokens = 0
    last = None
    for m in conv_in.messages:
        if m.id in mapping:
            raise ValidationError(_("Message %(id)s appears twice.") % {"id": m.id})
        if m.parent_id is not None and m.parent_id not in mapping:
            raise ValidationError(_("Message %(id)s refers to an unknown parent.") % {"id": m.id})
        mapping[m.id] = uuid.uuid4()
        status = m.status if m.status in Message.FINAL else Message.Status.ERROR
        rows.append(
            Message(
                id=mapping[m.id],
                conversation=conversation,
                parent_id=mapping.get(m.parent_id) if m.parent_id else None,
                user=user if m.role == "user" else None,
                role=m.role,
                content_type=m.content_type,
                content=m.content,
                html=markdown_to_html(m.content),
                status=status,
                model_name=m.model_name,
                prompt_tokens=m.prompt_tokens,
                completion_tokens=m.completion_tokens,
                cost=m.cost,
                processing_time_ms=m.processing_time_ms,
                meta_data=m.meta(),
                context_documents=m.context_documents,
                is_mistake=m.is_mistake,
                mistake_note=m.mistake_note,
                rating=m.rating,
                created_at=m.created_at or now,
                finalized_at=now,
            )
        )
        total_tokens += m.prompt_tokens + m.completion_tokens
        last = rows[-1]
    Message.objects.bulk_create(rows, batch_size=1000)
    leaf = mapping.get(conv_in.current_leaf_id) if conv_in.current_leaf_id else (last.id if last else None)
    conversation.current_leaf_id = leaf
    conversation.total_tokens = total_tokens
    conversation.message_count = len(rows)
    conversation.last_message_at = max((r.created_at for r in rows), default=now)
    conversation.last_message_preview = last.content[:140] if last else ""
    conversation.save()
    if conv_in.created_at:
        Conversation.objects.filter(pk=conversation.pk).update(created_at=conv_in.created_at)
    if not hidden:
        sidebar_changed(user_id=user.pk)
    return conversation, [r.id for r in rows]


# --- Large imports: a task, with progress --------------------------------------------------------
ASYNC_IMPORT_BYTES = 1024 * 1024  # larger files are imported by a task (a 20 MB file took a request's minutes)


@transaction.atomic
def import_job_create(*, user, upload) -> ImportJob:
    """Keep the uploaded file and import it in a task; the job page shows its progress."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is too large (at most 20 MB)."))
    job = ImportJob(user=user, size=upload.size, name=(upload.name or "")[:255])
    job.file.save(f"{uuid.uuid4().hex}.json", upload, save=False)
    job.full_clean()
    job.save()
    enqueue("chat.tasks.import_conversations", args=[str(job.pk)])
    return job


def _purge(ids) -> None:
    Conversation.objects.filter(pk__in=ids).update(current_leaf=None)
    Message.objects.filter(conversation__in=ids).update(parent=None)
    Conversation.objects.filter(pk__in=ids).delete()


def import_job_run(*, job_id) -> str:
    """Import the job's file: each conversation in its own transaction, hidden until all are in.

    All or nothing for the user: the conversations appear together at the end, and a failure
    removes the ones already written. Safe to run twice (a redelivered task starts over cleanly,
    a finished job is left alone). Returns the job's status."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in ImportJob.FINAL:
            return job.status if job else "missing"
        leftovers, job.conversation_ids = job.conversation_ids, []
        _purge(leftovers)  # an earlier run that died half-way
        job.status, job.done, job.error = ImportJob.Status.RUNNING, 0, ""
        job.save(update_fields=["status", "done", "error", "conversation_ids", "updated_at"])
    try:
        with job.file.open("rb") as f:
            parsed = _parse(f.read())
        ImportJob.objects.filter(pk=job.pk).update(total=len(parsed.conversations), updated_at=timezone.now())
        now = timezone.now()
        ids: list[str] = []
        known = _already_imported(job.user, parsed.conversations)
        skipped = 0
        for conv_in in parsed.conversations:
            if conv_in.key in known:
                skipped += 1
                continue
            known.add(conv_in.key)
            with transaction.atomic():
                conversation, message_ids = _import_one(user=job.user, conv_in=conv_in, now=now, hidden=True)
                index_messages(message_ids)
                ids.append(str(conversation.pk))
                ImportJob.objects.filter(pk=job.pk).update(
                    done=len(ids), conversation_ids=ids, updated_at=timezone.now()
                )
        with transaction.atomic():
            Conversation.objects.filter(pk__in=ids).update(deleted_at=None)
            sidebar_changed(user_id=job.user_id)  # the imported conversations appear together
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, skipped=skipped, finished_at=timezone.now(), updated_at=timezone.now()
            )
        status = ImportJob.Status.DONE
    except Exception as exc:  # noqa: BLE001 - any failure ends the job visibly, with nothing imported
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("The import failed.")
        if not isinstance(exc, ValidationError):
            logger.exception("import %s failed", job.pk)
        with transaction.atomic():
            ids = ImportJob.objects.values_list("conversation_ids", flat=True).get(pk=job.pk)
            _purge(ids)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED,
                error=reason[:1000],
                conversation_ids=[],
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        status = ImportJob.Status.FAILED
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    return status
