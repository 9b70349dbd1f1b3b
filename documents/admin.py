"""Tenant admin: the knowledge base (categories, activate/deactivate, bulk upload, status of each
entry), the workspace's documents (read-only), and a retrieval-testing page."""

from __future__ import annotations

import time

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TenantModelAdmin

from . import services, uploads
from .models import Document, KnowledgeEntry
from .retrieval import hybrid_search, scope_documents


class BulkUploadForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=100, required=False)


class RetrievalTestForm(forms.Form):
    query = forms.CharField(label=_("Question"), max_length=1000, widget=forms.TextInput(attrs={"size": 80}))
    include_documents = forms.BooleanField(
        label=_("Also search every member's ready documents"), required=False,
        help_text=_("Off: the knowledge base only, as every member's answers see it."),
    )  # fmt: skip
    limit = forms.IntegerField(label=_("Results"), min_value=1, max_value=50, initial=10)


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(TenantModelAdmin):
    list_display = ("title", "category", "is_active", "status", "chunks", "updated_at")
    list_filter = ("is_active", "category")
    search_fields = ("title", "content", "category")
    fields = ("title", "category", "content", "metadata", "is_active", "status", "error")
    readonly_fields = ("status", "error")
    actions = ("activate", "deactivate")
    change_list_template = "admin/documents/knowledgeentry/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.document is None:
            return _("no content")
        d = obj.document
        label = capfirst(d.get_status_display())
        return f"{label} ({d.get_stage_display()}, {d.progress}%)" if d.is_active else label

    @admin.display(description=_("chunks"))
    def chunks(self, obj):
        return obj.document.chunk_count if obj.document else 0

    @admin.display(description=_("error"))
    def error(self, obj):
        return obj.document.error_message if obj.document else ""

    def save_model(self, request, obj, form, change):
        services.knowledge_entry_save(entry=obj, user=request.user)

    def delete_model(self, request, obj):
        if obj.document is not None:
            services.document_delete(document=obj.document)
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("document"):
            self.delete_model(request, obj)

    @admin.action(description=_("Activate the selected entries"))
    def activate(self, request, queryset):
        n = services.knowledge_entries_set_active(ids=list(queryset.values_list("pk", flat=True)), active=True)
        self.message_user(request, ngettext("%d entry activated.", "%d entries activated.", n) % n)

    @admin.action(description=_("Deactivate the selected entries"))
    def deactivate(self, request, queryset):
        n = services.knowledge_entries_set_active(ids=list(queryset.values_list("pk", flat=True)), active=False)
        self.message_user(request, ngettext("%d entry deactivated.", "%d entries deactivated.", n) % n)

    def get_urls(self):
        extra = [
            path("bulk-upload/", self.admin_site.admin_view(self.bulk_upload), name="documents_kb_bulk_upload"),
            path("retrieval-test/", self.admin_site.admin_view(self.retrieval_test), name="documents_retrieval_test"),
        ]
        return extra + super().get_urls()

    def bulk_upload(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = BulkUploadForm(request.POST or None)
        results = []
        if request.method == "POST" and form.is_valid():
            refusal = uploads.throttle(request)
            if refusal is not None:
                return refusal
            results = uploads.handle(request, files=request.FILES.getlist("files"), scope=Document.Scope.KNOWLEDGE_BASE)
            category = form.cleaned_data["category"]
            made = 0
            for r in results:
                if r.document is not None:
                    _entry, created = services.knowledge_entry_for_document(
                        document=r.document, user=request.user, category=category, request=request
                    )
                    made += created
            if made:
                messages.success(request, ngettext("%d entry added.", "%d entries added.", made) % made)
        context = {**self.admin_site.each_context(request), "title": _("Upload files to the knowledge base"),
                   "form": form, "results": results, "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/documents/bulk_upload.html", context)

    def retrieval_test(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = RetrievalTestForm(request.GET or None)
        hits, timings, elapsed = [], {}, None
        if form.is_valid():
            scope = scope_documents(user_id=None, conversation_id=None)
            if form.cleaned_data["include_documents"]:
                scope = Document.objects.filter(status=Document.Status.READY).filter(
                    ~Exists(KnowledgeEntry.objects.filter(document=OuterRef("pk"), is_active=False))
                )
            docs = list(scope.values_list("pk", "language", "chunk_count"))
            started = time.perf_counter()
            result = hybrid_search(doc_ids=[d for d, _l, _n in docs], query=form.cleaned_data["query"],
                                   languages={lang for _d, lang, _n in docs}, limit=form.cleaned_data["limit"],
                                   min_score=0.0, scope_chunks=sum(n for _d, _l, n in docs))  # fmt: skip
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            hits, timings = result.hits, result.timings_ms
        context = {**self.admin_site.each_context(request), "title": _("Test retrieval"), "form": form, "hits": hits,
                   "timings": timings, "elapsed": elapsed, "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/documents/retrieval_test.html", context)


@admin.register(Document)
class DocumentAdmin(TenantModelAdmin):
    """Every document of the workspace, read-only: status, stage, errors and sizes for support."""

    list_display = ("original_filename", "owner", "scope", "status", "stage", "progress", "page_count",
                    "chunk_count", "embedding_model", "created_at")  # fmt: skip
    list_filter = ("status", "scope", "embedding_model")
    search_fields = ("original_filename", "owner__email")
    exclude = ("content",)
    actions = ("retry",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner").defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.document_delete(document=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.document_delete(document=obj)

    @admin.action(description=_("Retry processing of the selected documents"))
    def retry(self, request, queryset):
        for doc in queryset.filter(status__in=[Document.Status.ERROR, Document.Status.CANCELLED]):
            services.document_retry(document=doc)
        return redirect(reverse("admin:documents_document_changelist"))
