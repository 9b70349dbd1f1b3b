"""Writes of the privacy app: data exports and account erasure (issue 12 §3, seed 004)."""

from __future__ import annotations

import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import UsageDaily, UsageLog, UsageLogArchive
from chat.models import Attachment, Conversation
from core.db import connection_schema
from core.tasks import enqueue
from documents.models import Document, KnowledgeEntry
from documents.services import documents_delete_for_conversations

from . import export
from .models import AccountDeletion, DataExport

log = logging.getLogger(__name__)
BATCH = 200
STALE_EXPORT = timedelta(hours=2)  # longer than the build task's time limit
# The namespace of the pseudonyms that replace an erased user's id in the daily usage totals.
ERASED_NAMESPACE = uuid.UUID("6f1d8a4e-52c3-4d8e-9a57-3c1b0e7f2a11")


def _tenant_id():
    from tenants.selectors import tenant_for_schema

    found = tenant_for_schema(schema_name=connection_schema())
    return found.pk if found else None


# --- export ------------------------------------------------------------------------------------
def _export_dir() -> Path:
    path = Path(settings.PRIVACY_EXPORT_ROOT) / connection_schema()
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def data_export_request(*, user, requested_by=None) -> DataExport:
    """Start building ``user``'s export (or return the one being built)."""
    running = DataExport.objects.filter(
        user=user,
        status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING],
        created_at__gte=timezone.now() - STALE_EXPORT,  # an older one's worker died: start afresh
    )
    found = running.first()
    if found is not None:
        return found
    item = DataExport(user=user, requested_by=requested_by or user)
    item.full_clean()
    item.save()
    enqueue("privacy.tasks.build_data_export", args=[str(item.pk)])
    return item


def data_export_build(*, export_id) -> DataExport | None:
    """The task's work: write the zip (no transaction around it; progress is seen as it goes)."""
    item = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if item is None or item.status in (DataExport.Status.READY, DataExport.Status.FAILED):
        return item  # gone, or built by an earlier run of this task
    total = max(export.export_size(item.user, _tenant_id()), 1)
    DataExport.objects.filter(pk=item.pk).update(status=DataExport.Status.RUNNING, progress=0)
    done = 0
    shown = 0

    def tick(n: int) -> None:
        nonlocal done, shown
        done += n
        percent = min(99, done * 100 // total)
        if percent >= shown + 2:
            shown = percent
            DataExport.objects.filter(pk=item.pk).update(progress=percent)

    final = _export_dir() / f"{item.pk}.zip"
    partial = final.with_suffix(".part")
    try:
        export.write_export(partial, user=item.user, tenant_id=_tenant_id(), tick=tick)
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        log.exception("privacy: export %s failed", item.pk)
        DataExport.objects.filter(pk=item.pk).update(
            status=DataExport.Status.FAILED, error_message=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    DataExport.objects.filter(pk=item.pk).update(
        status=DataExport.Status.READY,
        progress=100,
        file_path=str(final.relative_to(settings.PRIVACY_EXPORT_ROOT)),
        file_size=final.stat().st_size,
        finished_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def _export_files_delete(exports) -> None:
    for item in exports:
        if item.file_path:
            (Path(settings.PRIVACY_EXPORT_ROOT) / item.file_path).unlink(missing_ok=True)


def data_exports_purge_expired() -> int:
    """Exports whose link has expired: their files and rows go."""
    cutoff = timezone.now() - timedelta(seconds=settings.PRIVACY_EXPORT_LINK_MAX_AGE)
    old = list(DataExport.objects.filter(created_at__lt=cutoff).exclude(status=DataExport.Status.RUNNING))
    _export_files_delete(old)
    DataExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)


# --- account deletion ------------------------------------------------------------------------------
def _check_may_delete(*, actor, user) -> None:
    if actor.pk == user.pk:
        if (
            user.role == User.Role.OWNER
            and not User.objects.filter(role=User.Role.OWNER, is_active=True).exclude(pk=user.pk).exists()
        ):
            raise ValidationError(_("You are the workspace's only owner: make someone else an owner first."))
        return
    if not getattr(actor, "is_tenant_admin", False):
        raise PermissionDenied
    if user.role == User.Role.OWNER:
        raise ValidationError(_("An owner's account can only be deleted by that owner."))


@transaction.atomic
def account_deletion_request(*, user, actor) -> AccountDeletion:
    """Schedule ``user``'s erasure after ACCOUNT_DELETION_GRACE_DAYS (the open request if there is one)."""
    _check_may_delete(actor=actor, user=user)
    found = AccountDeletion.objects.filter(user_id=user.pk, cancelled_at=None, completed_at=None).first()
    if found is not None:
        return found
    item = AccountDeletion(
        user_id=user.pk,
        user_email=user.email,
        requested_by_id=actor.pk,
        scheduled_for=timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def account_deletion_cancel(*, deletion: AccountDeletion) -> AccountDeletion:
    deletion = AccountDeletion.objects.select_for_update().get(pk=deletion.pk)
    if deletion.started_at is not None or deletion.completed_at is not None:
        raise ValidationError(_("The erasure has already started and can no longer be cancelled."))
    if deletion.cancelled_at is None:
        deletion.cancelled_at = timezone.now()
        deletion.save(update_fields=["cancelled_at"])
    return deletion


def _delete_storage(names) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                log.warning("privacy: could not delete %s", name)


def _erase_attachments(user_id) -> None:
    """Files first, then rows, a batch at a time: an interruption leaves rows whose files are gone,
    and the next run deletes them again (deleting a missing file is a no-op)."""
    while True:
        batch = list(
            Attachment.objects.filter(message__conversation__user_id=user_id).values_list("pk", "file")[:BATCH]
        )
        if not batch:
            return
        _delete_storage(name for _pk, name in batch)
        Attachment.objects.filter(pk__in=[pk for pk, _name in batch]).delete()


def _erase_conversations(user_id) -> None:
    while True:
        ids = list(Conversation.objects.filter(user_id=user_id).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        with transaction.atomic():
            Conversation.objects.filter(pk__in=ids).update(current_leaf=None)
            Conversation.objects.filter(pk__in=ids).delete()  # messages, feedback cascade
            documents_delete_for_conversations(conversation_ids=ids)


def _erase_documents(user_id) -> None:
    """The user's documents and files go; knowledge-base documents are the workspace's and pass to
    an owner who stays (seed 004 deletes a user's documents; the knowledge base is not theirs)."""
    heir = User.objects.filter(role=User.Role.OWNER, is_active=True).exclude(pk=user_id).order_by("created_at").first()
    kb = Document.objects.filter(owner_id=user_id, scope=Document.Scope.KNOWLEDGE_BASE)
    if heir is not None:
        kb.update(owner=heir)
    while True:
        batch = list(Document.objects.filter(owner_id=user_id).values_list("pk", "file")[:BATCH])
        if not batch:
            return
        _delete_storage(name for _pk, name in batch)
        ids = [pk for pk, _name in batch]
        with transaction.atomic():
            KnowledgeEntry.objects.filter(document_id__in=ids).delete()
            Document.objects.filter(pk__in=ids).delete()  # chunks, links cascade


def _anonymise_usage(user_id) -> None:
    """The ledger keeps its figures (billing needs them) but no longer names the user: the id is
    nulled, the e-mail blanked; the daily totals keep one pseudonymous id per erased user."""
    tenant_id = _tenant_id()
    pseudonym = uuid.uuid5(ERASED_NAMESPACE, f"{connection_schema()}:{user_id}")
    with transaction.atomic():
        for model in (UsageLog, UsageLogArchive):
            model.objects.filter(tenant_id=tenant_id, user_id=user_id).update(user_id=None, user_email="")
        UsageDaily.objects.filter(tenant_id=tenant_id, user_id=user_id).update(user_id=pseudonym, user_email="")


def account_erase(*, deletion: AccountDeletion) -> AccountDeletion:
    """Erase the account per seed 004. Every step is idempotent, so a run interrupted half-way is
    finished by the next one (the beat job picks up any started, uncompleted deletion)."""
    if deletion.completed_at is not None or deletion.cancelled_at is not None:
        return deletion
    user_id = deletion.user_id
    AccountDeletion.objects.filter(pk=deletion.pk, started_at=None).update(started_at=timezone.now())
    User.objects.filter(pk=user_id).update(is_active=False)  # no sign-in while it is being erased
    _erase_attachments(user_id)
    _erase_conversations(user_id)
    _erase_documents(user_id)
    _anonymise_usage(user_id)
    exports = list(DataExport.objects.filter(user_id=user_id))
    _export_files_delete(exports)
    with transaction.atomic():
        DataExport.objects.filter(pk__in=[e.pk for e in exports]).delete()
        User.objects.filter(pk=user_id).delete()  # moderation logs, violations, imports, sessions' owner
        AccountDeletion.objects.filter(pk=deletion.pk).update(completed_at=timezone.now(), user_email="")
    deletion.refresh_from_db()
    log.info("privacy: account %s erased", user_id)
    return deletion


def accounts_erase_due() -> int:
    """Erase every account whose grace period is over, and resume any erasure that was interrupted."""
    due = AccountDeletion.objects.filter(
        cancelled_at=None, completed_at=None, scheduled_for__lte=timezone.now()
    ).order_by("scheduled_for")
    done = 0
    for deletion in due:
        account_erase(deletion=deletion)
        done += 1
    return done


def export_path(item: DataExport) -> Path | None:
    """The export's file on disk, if it is still there (inside PRIVACY_EXPORT_ROOT only)."""
    if not item.file_path:
        return None
    root = Path(settings.PRIVACY_EXPORT_ROOT).resolve()
    path = (root / item.file_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path
