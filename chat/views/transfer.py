"""Export (JSON, Markdown) of one or all conversations, and import of a JSON export."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_tenants.utils import schema_context

from .. import selectors, services
from ..forms import ImportForm


def _download(request, chunks: Iterator[str], filename: str, content_type: str) -> StreamingHttpResponse:
    """A download written while it is read: the export never sits whole in memory.

    Under ASGI the pieces are produced one at a time in the request's own thread (where its
    database connection and schema are), so the event loop is never blocked by a query."""
    schema = connection.schema_name
    response = StreamingHttpResponse(
        _async_pieces(chunks, schema) if isinstance(request, ASGIRequest) else _pieces(chunks, schema),
        content_type=f"{content_type}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pieces(chunks: Iterator[str], schema: str) -> Iterator[bytes]:
    with schema_context(schema):
        for chunk in chunks:
            yield chunk.encode()


_DONE = object()


async def _async_pieces(chunks: Iterator[str], schema: str) -> AsyncIterator[bytes]:
    pieces = _pieces(chunks, schema)
    step = sync_to_async(next, thread_sensitive=True)
    while (piece := await step(pieces, _DONE)) is not _DONE:
        yield piece


@login_required
@require_GET
def conversation_export(request, conversation_id):
    conversation = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    name = slugify(conversation.display_title)[:50] or "chat"
    if request.GET.get("format") == "md":
        body = services.conversation_markdown(conversation=conversation)
        return _download(request, iter([body]), f"{name}.md", "text/markdown")
    chunks = services.conversations_export_json(user=request.user, conversations=[conversation])
    return _download(request, chunks, f"{name}.json", "application/json")


@login_required
@require_GET
def export_all(request):
    """Every conversation, streamed: the same few queries for ten conversations or ten thousand."""
    stamp = timezone.now().strftime("%Y%m%d")
    if request.GET.get("format") == "md":
        return _download(
            request, services.conversations_markdown(user=request.user), f"chats-{stamp}.md", "text/markdown"
        )
    chunks = services.conversations_export_json(user=request.user)
    return _download(request, chunks, f"chats-{stamp}.json", "application/json")


@login_required
@require_POST
def conversation_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        flash.error(request, _("Please choose a JSON export file."))
        return redirect("chat:conversation_list")
    upload = form.cleaned_data["file"]
    if upload.size > services.transfer.MAX_IMPORT_BYTES:
        flash.error(request, _("The file is too large (at most 20 MB)."))
        return redirect("chat:conversation_list")
    if upload.size > services.transfer.ASYNC_IMPORT_BYTES:  # minutes of work: a task, with a progress page
        job = services.import_job_create(user=request.user, upload=upload)
        return redirect("chat:import_job", job.pk)
    try:
        created = services.conversations_import(user=request.user, raw=upload.read())
    except ValidationError as exc:
        flash.error(request, _("Nothing was imported. %(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect("chat:conversation_list")
    skipped = getattr(created, "skipped", 0)
    if created or not skipped:
        flash.success(
            request,
            ngettext("Imported %(n)d conversation.", "Imported %(n)d conversations.", len(created))
            % {"n": len(created)},
        )
    if skipped:  # recognised from an earlier import (or the originals): not duplicated
        flash.info(
            request,
            ngettext(
                "%(n)d conversation was already imported, so it was not imported again.",
                "%(n)d conversations were already imported, so they were not imported again.",
                skipped,
            )
            % {"n": skipped},
        )
    if len(created) == 1:
        return redirect("chat:conversation_detail", created[0].pk)
    return redirect("chat:conversation_list")


@login_required
@require_GET
def import_job(request, job_id):
    """A large import's progress; the box refreshes itself (htmx) until the job is done or failed."""
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    if request.htmx:
        return render(request, "chat/_import_progress.html", {"job": job})
    page = selectors.SidebarPage(user=request.user)
    return render(request, "chat/import_job.html", {"job": job, "page": page, "filter": "active"})
