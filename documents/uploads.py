"""Upload requests shared by the library and the chat composer: the throttle (per user and per
IP, core.ratelimit) and a batch of files where each file succeeds or fails on its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import ratelimit

from . import services
from .errors import DocumentError, UploadRefused
from .models import Document


@dataclass
class FileResult:
    name: str
    document: Document | None = None
    reused: bool = False
    error: str = ""
    refused: bool = False  # a limit, not the file

    def as_json(self) -> dict:
        out = {"name": self.name, "ok": self.document is not None, "reused": self.reused, "error": self.error}
        if self.document is not None:
            out.update(status_json(self.document))
        return out


def status_json(doc: Document) -> dict:
    return {
        "id": str(doc.pk),
        "name": doc.original_filename,
        "status": doc.status,
        "stage": doc.stage,
        "stage_label": str(doc.get_stage_display()),
        "progress": doc.progress,
        "error": doc.error_message,
        "status_url": reverse("documents:document_status", args=[doc.pk]),
    }


def throttle(request):
    """None when allowed; otherwise the 429 answer with the retry time."""
    rate = getattr(settings, "DOCUMENTS_UPLOAD_RATE", "30/minute")
    for key in (("user", str(request.user.pk)), ("ip", ratelimit.client_ip(request))):
        verdict = ratelimit.hit(rate, "documents-upload", *key)
        if not verdict.allowed:
            text = _("Too many uploads. Try again in %(seconds)d seconds.") % {"seconds": verdict.retry_after}
            if request.headers.get("Accept", "").startswith("application/json"):
                from django.http import JsonResponse

                response = JsonResponse({"error": text, "retry_after": verdict.retry_after}, status=429)
            else:
                response = render(request, "documents/_upload_results.html",
                                  {"results": [FileResult(name="", error=text, refused=True)]}, status=429)  # fmt: skip
            response["Retry-After"] = str(verdict.retry_after)
            return response
    return None


def handle(request, *, files, scope: str = Document.Scope.LIBRARY, conversation_id=None) -> list[FileResult]:
    results: list[FileResult] = []
    if not files:
        return [FileResult(name="", error=_("Choose at least one file."))]
    for f in files:
        name = f.name or ""
        if f.size is not None and f.size > services.validation.max_file_size():
            data = b""  # do not read an oversized upload into memory; the size check says why
            size_error = True
        else:
            data = f.read()
            size_error = False
        try:
            if size_error:
                services.validation.check_size(f.size)
            result = services.document_upload(owner=request.user, name=name, data=data, scope=scope,
                                              conversation_id=conversation_id)  # fmt: skip
        except UploadRefused as exc:
            results.append(FileResult(name=name, error=exc.message, refused=True))
        except DocumentError as exc:
            results.append(FileResult(name=name, error=exc.message))
        else:
            results.append(FileResult(name=result.document.original_filename, document=result.document,
                                      reused=result.reused))  # fmt: skip
    return results
