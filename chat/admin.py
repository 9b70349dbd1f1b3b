"""Tenant admin: a read-only conversation browser, the feedback review, moderation and violations."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TenantModelAdmin

from . import admin_display
from .models import Conversation, Message, MistakeReport, ModerationLog, Violation
from .services import violation_lift


class ReadOnlyAdmin(TenantModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


MESSAGE_COLUMNS = (
    "id",
    "created_at",
    "role",
    "status",
    "content",
    "model_name",
    "prompt_tokens",
    "completion_tokens",
    "rating",
    "is_mistake",
)


class ArchivedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("archived", _("Archived")), ("deleted", _("Deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(archived_at__isnull=True, deleted_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False, deleted_at__isnull=True)
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = (
        "display_title",
        "user",
        "message_count",
        "total_tokens",
        "is_starred",
        "last_message_at",
        "created_at",
    )
    list_filter = (ArchivedFilter, "is_starred", ("last_message_at", admin.DateFieldListFilter), "user")
    search_fields = ("title", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    ordering = ("-last_message_at",)
    readonly_fields = (
        "title",
        "user",
        "answer_settings",
        "is_starred",
        "archived_at",
        "deleted_at",
        "last_message_at",
        "total_tokens",
        "message_count",
        "summary",
        "created_at",
        "updated_at",
    )
    exclude = ("current_leaf", "title_is_custom", "last_message_preview", "settings", "meta_data")  # shown as words
    show_full_result_count = False
    # The messages are listed a page at a time below the fields (an inline lists every one of them:
    # a conversation of 5,000 messages made a page of several megabytes).
    change_form_template = "admin/chat/conversation/change_form.html"
    MESSAGES_PER_PAGE = 50

    def change_view(self, request, object_id, form_url="", extra_context=None):
        messages_qs = (
            Message.objects.filter(conversation_id=object_id).only(*MESSAGE_COLUMNS).order_by("created_at", "id")
        )
        paginator = Paginator(messages_qs, self.MESSAGES_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        extra_context = {
            **(extra_context or {}),
            "message_page": page,
            "message_rows": [{"m": m, "content": m.content[:300]} for m in page.object_list],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("settings"))
    def answer_settings(self, obj):
        return admin_display.conversation_settings(obj.settings)

    @admin.display(description=_("Summary"))
    def summary(self, obj):
        return admin_display.answer_summary(obj.meta_data)


@admin.register(MistakeReport)
class MistakeReportAdmin(ReadOnlyAdmin):
    list_display = ("short_content", "mistake_note", "conversation_title", "author", "model_name", "updated_at")
    list_filter = ("model_name", ("updated_at", admin.DateFieldListFilter))
    search_fields = ("mistake_note", "content")
    list_select_related = ("conversation", "conversation__user")
    ordering = ("-updated_at",)
    fields = (
        "conversation",
        "content",
        "mistake_note",
        "rating",
        "model_name",
        "summary",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("Summary"))
    def summary(self, obj):
        return admin_display.answer_summary(obj.meta_data)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_mistake=True, role=Message.Role.ASSISTANT).defer("search_vector")

    @admin.display(description=_("answer"))
    def short_content(self, obj):
        return obj.content[:160]

    @admin.display(description=_("conversation"))
    def conversation_title(self, obj):
        return obj.conversation.display_title

    @admin.display(description=_("user"))
    def author(self, obj):
        return obj.conversation.user


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "outcome", "excerpt", "provider", "model")
    list_filter = ("flagged", ("error", admin.EmptyFieldListFilter), "provider")
    search_fields = ("user__email", "excerpt")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "message",
        "excerpt",
        "outcome",
        "error",
        "categories",
        "scores",
        "provider",
        "model",
        "created_at",
    )

    @admin.display(description=_("outcome"))
    def outcome(self, obj):
        """A failed check says so (the question went unchecked), not a reassuring "not flagged"."""
        if obj.error:
            return _("check failed")
        return _("flagged") if obj.flagged else _("not flagged")


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "level", "reason", "suspended_until", "state")
    list_filter = ("level", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "reason")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "moderation_log",
        "level",
        "reason",
        "suspended_until",
        "lifted_at",
        "lifted_by",
        "created_at",
    )
    actions = ["lift"]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.lifted_at:
            return _("lifted")
        if obj.suspended_until and obj.suspended_until > timezone.now():
            return _("suspended")
        return _("expired") if obj.suspended_until else _("warning")

    def get_actions(self, request):
        # Actions need change permission by default; lifting is the one change admins make here.
        actions = super().get_actions(request)
        if self._allowed(request) and "lift" not in actions:
            actions["lift"] = self.get_action("lift")
        return actions

    @admin.action(description=_("Lift the selected suspensions"))
    def lift(self, request, queryset):
        count = 0
        for violation in queryset.filter(lifted_at__isnull=True):
            violation_lift(violation=violation, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Lifted %(n)d suspension.", "Lifted %(n)d suspensions.", count) % {"n": count},
            messages.SUCCESS,
        )


# No Attachments admin: an attachment is a document sent in a chat, and the file, its status and its
# owner are in the Documents admin; a second, read-only list of the same files showed nothing more
# (issue 11 §4: nothing offered that is not useful).
