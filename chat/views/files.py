"""Files chosen in the composer (issue 9): uploaded at once to the conversation, starting one
when there is none yet. The documents app validates, stores and processes them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

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
