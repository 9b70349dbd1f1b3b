"""Export (JSON, Markdown) of one or all conversations, and import of a JSON export."""

from __future__ import annotations

import json

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..forms import ImportForm
from ..models import Conversation


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@login_required
@require_GET
def conversation_export(request, conversation_id):
    conversation = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    name = slugify(conversation.display_title)[:50] or "chat"
    if request.GET.get("format") == "md":
        return _download(services.conversation_markdown(conversation=conversation), f"{name}.md", "text/markdown")
    data = services.conversations_export(user=request.user, conversations=[conversation])
    return _download(_json(data), f"{name}.json", "application/json")


@login_required
@require_GET
def export_all(request):
    stamp = timezone.now().strftime("%Y%m%d")
    if request.GET.get("format") == "md":
        parts = [
            services.conversation_markdown(conversation=c)
            for c in Conversation.objects.filter(user=request.user, deleted_at__isnull=True).order_by("created_at")
        ]
        return _download("\n---\n\n".join(parts), f"chats-{stamp}.md", "text/markdown")
    return _download(_json(services.conversations_export(user=request.user)), f"chats-{stamp}.json", "application/json")


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
    try:
        created = services.conversations_import(user=request.user, raw=upload.read())
    except ValidationError as exc:
        flash.error(request, _("Nothing was imported. %(reason)s") % {"reason": " ".join(exc.messages)})
        return redirect("chat:conversation_list")
    flash.success(
        request,
        ngettext("Imported %(n)d conversation.", "Imported %(n)d conversations.", len(created)) % {"n": len(created)},
    )
    if len(created) == 1:
        return redirect("chat:conversation_detail", created[0].pk)
    return redirect("chat:conversation_list")
