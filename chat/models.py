"""Conversations, messages (a tree: edits and regenerations are branches), attachments, moderation.

Seeds: 000 (conversations/messages + meta_data), 001 (chat history design: starred, archived,
last_message_at, soft delete, attachments, GIN full-text index, moderation logs, violations),
003 (is_mistake + note, model name, tokens), 004 (parent_message_id, counters, context
documents, processing time).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OPEN_ANSWER_CONSTRAINT = "chat_msg_one_open_per_conversation"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("owner")
    )
    title = models.CharField(_("title"), max_length=500, blank=True, default="")
    title_is_custom = models.BooleanField(default=False, help_text=_("Set by the user; never regenerated."))
    # The chosen strategy/model for new answers: {"strategy": str|None, "model": str|None}
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    is_starred = models.BooleanField(_("starred"), default=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last activity"), default=timezone.now)
    last_message_preview = models.CharField(max_length=200, blank=True, default="")
    # The message whose path from the root is the branch on screen.
    current_leaf = models.ForeignKey(
        "chat.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    total_tokens = models.BigIntegerField(_("total tokens"), default=0)
    message_count = models.IntegerField(_("messages"), default=0)
    # Running summary of the answers (seed 000 conversations.meta_data).
    meta_data = models.JSONField(default=dict, blank=True)
    # The id of the conversation this one was imported from (kept through later exports): an import
    # of the same export is recognised and not duplicated (chat.services.transfer).
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            # The list: starred first, then last activity (keyset pagination on these columns).
            models.Index(
                fields=["user", "-is_starred", "-last_message_at", "-id"],
                name="chat_conv_user_list",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["user", "created_at"], name="chat_conv_user_created"),
            models.Index(fields=["last_message_at"], name="chat_conv_last_msg", condition=Q(archived_at__isnull=True)),
            models.Index(fields=["deleted_at"], name="chat_conv_deleted", condition=Q(deleted_at__isnull=False)),
            models.Index(fields=["user", "import_key"], name="chat_conv_import_key", condition=~Q(import_key="")),
        ]

    def __str__(self) -> str:
        return self.title or str(_("New chat"))

    @property
    def display_title(self) -> str:
        return self.title or str(_("New chat"))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("User")
        ASSISTANT = "assistant", _("Assistant")
        SYSTEM = "system", _("System")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        STREAMING = "streaming", _("Writing")
        COMPLETE = "complete", _("Complete")
        STOPPED = "stopped", _("Stopped")
        ERROR = "error", _("Error")

    class ContentType(models.TextChoices):
        TEXT = "text", _("Text")
        CODE = "code", _("Code")
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")

    FINAL = (Status.COMPLETE, Status.STOPPED, Status.ERROR)
    OPEN = (Status.PENDING, Status.STREAMING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    content_type = models.CharField(max_length=10, choices=ContentType.choices, default=ContentType.TEXT)
    content = models.TextField(_("content"), blank=True, default="")
    html = models.TextField(blank=True, default="", help_text=_("Sanitised HTML, rendered once."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPLETE)
    error_message = models.CharField(max_length=500, blank=True, default="")
    model_name = models.CharField(_("model"), max_length=100, blank=True, default="")
    prompt_tokens = models.IntegerField(default=0)
    completion_tokens = models.IntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    processing_time_ms = models.IntegerField(null=True, blank=True)
    meta_data = models.JSONField(default=dict, blank=True)
    context_documents = models.JSONField(default=list, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    is_mistake = models.BooleanField(_("marked as mistake"), default=False)
    mistake_note = models.TextField(_("mistake note"), blank=True, default="")
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True, choices=[(1, "👍"), (-1, "👎")])
    deleted_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True, editable=False)
    # generations started for this answer: a dead writer's answer is redelivered once (chat.services.generation)
    generation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="chat_msg_conv_created"),
            models.Index(fields=["parent", "created_at"], name="chat_msg_parent_created"),
            models.Index(fields=["created_at"], name="chat_msg_created"),
            models.Index(
                fields=["status", "updated_at"], name="chat_msg_open", condition=Q(status__in=["pending", "streaming"])
            ),
            models.Index(fields=["is_mistake"], name="chat_msg_mistakes", condition=Q(is_mistake=True)),
            GinIndex(fields=["search_vector"], name="chat_msg_search"),
        ]
        constraints = [
            # One answer at a time per conversation: a second one (two fast regenerations, an edit
            # while answering) would be a second LLM call. The services check it under the
            # conversation's lock; this index makes a check they missed fail instead of charging twice.
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(status__in=["pending", "streaming"]), name=OPEN_ANSWER_CONSTRAINT
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Attachment(models.Model):
    """A file attached to a message (seed 001 message_attachments); files live in storage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="chat/attachments/%Y/%m/")
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    # the documents pipeline's row for this file (issue 9): its viewer and status; gone when deleted
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("document"))  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/") and bool(self.width and self.height)

    @property
    def is_audio(self) -> bool:
        return self.mime_type.startswith("audio/")

    @property
    def duration_label(self) -> str:
        """m:ss (h:mm:ss past an hour), or "" when the length is unknown."""
        if not self.duration_seconds:
            return ""
        total = round(self.duration_seconds)
        h, rest = divmod(total, 3600)
        m, sec = divmod(rest, 60)
        return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class ModerationLog(models.Model):
    """One moderation check of user input (seed 001 moderation_logs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    excerpt = models.CharField(max_length=500, blank=True, default="")
    flagged = models.BooleanField(default=False)
    categories = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    provider = models.CharField(max_length=50, blank=True, default="")
    model = models.CharField(max_length=100, blank=True, default="")
    # set when the check itself failed (the provider did not answer): the question went unchecked
    error = models.CharField(_("check failed"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moderation check")
        verbose_name_plural = _("moderation checks")
        indexes = [models.Index(fields=["user", "-created_at"], name="chat_modlog_user")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {'check failed' if self.error else 'flagged' if self.flagged else 'ok'}"


class Violation(models.Model):
    """A policy violation; repeated ones suspend the user for progressively longer (auto-expiring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    moderation_log = models.ForeignKey(ModerationLog, null=True, blank=True, on_delete=models.SET_NULL)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [models.Index(fields=["user", "-created_at"], name="chat_violation_user")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} #{self.level}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and self.suspended_until is not None and self.suspended_until > timezone.now()


class MistakeReport(Message):
    """Answers that users marked as mistakes, for the tenant admin's feedback review."""

    class Meta:
        proxy = True
        verbose_name = _("answer marked as mistake")
        verbose_name_plural = _("answers marked as mistakes")


class SearchIndexState(models.Model):
    """What the messages' full-text vectors were built with, in this workspace (one row, pk=1).

    The text configuration follows the workspace's language (chat.text.search_config). When the
    language changes, searching keeps using the configuration the vectors hold (``config``, and
    ``building`` while a rebuild runs) and a chat task rebuilds them with the new one (``cursor``:
    the last message id done, so an interrupted rebuild resumes)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    config = models.CharField(max_length=63)
    building = models.CharField(max_length=63, blank=True, default="")
    cursor = models.UUIDField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search index")
        verbose_name_plural = _("search index")

    def __str__(self) -> str:
        return f"{self.config} -> {self.building}" if self.building else self.config

    @property
    def configs(self) -> tuple[str, ...]:
        """The configurations messages may be indexed with right now (both while rebuilding)."""
        return (self.config, self.building) if self.building and self.building != self.config else (self.config,)

    @property
    def target(self) -> str:
        return self.building or self.config


def _import_path(job, filename: str) -> str:
    from django.db import connection

    return f"chat/imports/{connection.schema_name}/{filename}"


class ImportJob(models.Model):
    """A large JSON import, run by a task (chat.services.transfer.import_job_run) with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    FINAL = (Status.DONE, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, blank=True, default="")
    size = models.BigIntegerField(default=0)
    file = models.FileField(upload_to=_import_path, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.IntegerField(null=True, blank=True)  # conversations in the file, once it is read
    done = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)  # conversations already imported before (not duplicated)
    error = models.TextField(blank=True, default="")
    conversation_ids = models.JSONField(default=list, blank=True)  # written so far (hidden until done)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["user", "-created_at"], name="chat_import_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
