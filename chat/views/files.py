"""Files chosen in the composer (issue 9): uploaded at once to the conversation, starting one
when there is none yet. The documents app validates, stores and processes them."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from core.files import file_response
from documents import services as documents_services
from documents import uploads
from documents.models import Document

from .. import selectors, services


def _answer(request, conversation, *, created: bool):
    results = uploads.handle(
        request, files=request.FILES.getlist("files"), scope=Document.Scope.CONVERSATION,
        conversation_id=conversation.pk,
    )  # fmt: skip
    return JsonResponse({
        "conversation_id": str(conversation.pk),
        "created": created,
        "conversation_url": reverse("chat:conversation_detail", args=[conversation.pk]),
        "message_url": reverse("chat:message_create", args=[conversation.pk]),
        "files_url": reverse("chat:conversation_files", args=[conversation.pk]),
        "results": [r.as_json() for r in results],
    })  # fmt: skip


@login_required
@require_POST
def files_new(request):
    refusal = uploads.throttle(request)
    if refusal is not None:
        return refusal
    files = request.FILES.getlist("files")
    title = files[0].name[:200] if files else ""
    conversation = services.conversation_create(user=request.user, title=title)
    return _answer(request, conversation, created=True)


@login_required
@require_POST
def conversation_files(request, conversation_id):
    conversation = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    refusal = uploads.throttle(request)
    if refusal is not None:
        return refusal
    return _answer(request, conversation, created=False)


@login_required
@require_POST
def conversation_file_remove(request, conversation_id, document_id):
    """Removed from the composer before sending: the conversation no longer draws on it."""
    conversation = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    documents_services.document_unlink(user=request.user, conversation_id=conversation.pk, document_id=document_id)
    return JsonResponse({"removed": str(document_id)})


# --- images and audio in a message (issue 9 §1): only through this view, never a public MEDIA URL ---
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@login_required
@require_GET
def attachment_file(request, attachment_id):
    """The file of one of the user's attachments (404 for anyone else), inline for images and
    audio, with single byte ranges (206) so that the audio player can seek."""
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    if attachment.document_id is None or not attachment.file:  # the document (and its file) was deleted
        raise Http404
    try:
        fh = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    size = attachment.file.storage.size(attachment.file.name)
    inline = attachment.is_image or attachment.is_audio
    content_type = attachment.mime_type if inline else "application/octet-stream"
    as_file = {"content_type": content_type, "as_attachment": not inline, "filename": attachment.original_name}
    match = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start, end = int(match[1]), min(int(match[2]) if match[2] else size - 1, size - 1)
        else:  # the last N bytes
            start, end = max(0, size - int(match[2])), size - 1
        if start > end or start >= size:
            fh.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = file_response(request, fh, start=start, length=end - start + 1, status=206, **as_file)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = file_response(request, fh, **as_file)
    if inline:
        response["Content-Disposition"] = content_disposition_header(False, attachment.original_name)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
