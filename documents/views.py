"""The library (/documents/), uploads, the row that polls its own status, the passage viewer.

Thin views: parse, fetch through ``selectors.document_get_for_user`` (404 for anything the user
may not see), call one service, render.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services, uploads, validation


def _library_context(request, results=None) -> dict:
    query = request.GET.get("q", "")[:200]
    page = Paginator(selectors.documents_for_user(user=request.user, search=query), 25).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "documents": page.object_list,
        "q": query,
        "results": results or [],
        "kb_documents": selectors.knowledge_base_documents()[:50],
        "accept": validation.accepted_extensions(),
        "max_size": validation.max_file_size(),
    }


@login_required
@require_GET
def library(request):
    return render(request, "documents/library.html", _library_context(request))


@login_required
@require_POST
def upload(request):
    """Several files at once; each gets its own result (stored, reused or refused with why)."""
    refusal = uploads.throttle(request)
    if refusal is not None:
        return refusal
    results = uploads.handle(request, files=request.FILES.getlist("files"))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"results": [r.as_json() for r in results]})
    if request.htmx:
        return render(request, "documents/_upload_results.html", {"results": results})
    return render(request, "documents/library.html", _library_context(request, results))


@login_required
@require_GET
def document_row(request, document_id):
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    return render(request, "documents/_row.html", {"d": doc})


@login_required
@require_GET
def document_status(request, document_id):
    """JSON status for the composer's chips."""
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    return JsonResponse(uploads.status_json(doc))


def _after_action(request, doc):
    if request.htmx:
        if doc is None:
            return HttpResponse("")
        doc.refresh_from_db()
        return render(request, "documents/_row.html", {"d": doc})
    return redirect("documents:library")


@login_required
@require_POST
def document_delete(request, document_id):
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    services.document_delete(document=doc)
    if not request.htmx:
        flash.success(request, _("“%(name)s” was deleted.") % {"name": doc.original_filename})
    return _after_action(request, None)


@login_required
@require_POST
def document_cancel(request, document_id):
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    return _after_action(request, services.document_cancel(document=doc))


@login_required
@require_POST
def document_retry(request, document_id):
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    return _after_action(request, services.document_retry(document=doc))


@login_required
@require_GET
def document_ask(request, document_id):
    """ "Ask about this document": a new chat whose first question draws on it."""
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id, write=True)
    return redirect(reverse("chat:conversation_list") + f"?document={doc.pk}")


@login_required
@require_GET
def document_view(request, document_id):
    """The extracted text with the cited passage highlighted by its character offsets."""
    doc = selectors.document_get_for_user(user=request.user, document_id=document_id)
    chunk = selectors.chunk_for_document(document=doc, chunk_id=request.GET.get("chunk"))
    text = doc.content
    lo, hi = 0, len(text)
    offsets = doc.processing_metadata.get("page_offsets") or []
    page = chunk.page if chunk else None
    if page and offsets:  # show the cited page of a paged document
        lo = offsets[page - 1]
        hi = offsets[page] - 2 if page < len(offsets) else len(text)
    elif len(text) > 200_000 and chunk:
        lo, hi = max(0, chunk.start_position - 50_000), min(len(text), chunk.end_position + 50_000)
    if chunk and lo <= chunk.start_position <= chunk.end_position <= hi:
        s, e = chunk.start_position, chunk.end_position
        marked = (
            f'{escape(text[lo:s])}<mark id="passage" class="passage">{escape(text[s:e])}</mark>{escape(text[e:hi])}'
        )
        html = mark_safe(marked)  # noqa: S308 - every piece of text is escaped above
    else:
        html = escape(text[lo:hi])
    return render(request, "documents/viewer.html", {"d": doc, "chunk": chunk, "page": page, "text_html": html})
