"""Tenant admins export and delete their users' data (issue 12 §3): two actions on the user admin,
and read-only lists of the exports and deletions (a deletion can be cancelled in its grace period)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import UserAdmin
from core.admin import TenantModelAdmin

from . import selectors, services
from .models import AccountDeletion, DataExport


@admin.action(description=_("Prepare a download of the selected users' data"))
def export_users_data(modeladmin, request, queryset):
    for user in queryset:
        services.data_export_request(user=user, requested_by=request.user)
    count = queryset.count()
    modeladmin.message_user(
        request,
        ngettext(
            "The data of %(count)d user is being gathered; the link appears under Privacy › Data exports.",
            "The data of %(count)d users is being gathered; the links appear under Privacy › Data exports.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Delete the selected accounts (after the grace period)"))
def schedule_users_deletion(modeladmin, request, queryset):
    scheduled = 0
    for user in queryset:
        try:
            services.account_deletion_request(user=user, actor=request.user)
            scheduled += 1
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)])) or str(_("Not allowed."))
            modeladmin.message_user(request, f"{user.email}: {text}", messages.ERROR)
    if scheduled:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d account will be deleted after the grace period; cancel under Privacy › Account deletions.",
                "%(count)d accounts will be deleted after the grace period; cancel under Privacy › Account deletions.",
                scheduled,
            )
            % {"count": scheduled},
            messages.WARNING,
        )


UserAdmin.actions = [*(UserAdmin.actions or []), export_users_data, schedule_users_deletion]


class _ReadOnly(TenantModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataExport)
class DataExportAdmin(_ReadOnly):
    list_display = ["user", "status", "progress", "file_size", "created_at", "finished_at", "download"]
    list_filter = ["status"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "requested_by", "status", "progress", "file_size", "error_message", "created_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description=_("download"))
    def download(self, obj):
        if obj.status != DataExport.Status.READY:
            return "—"
        url = reverse("privacy_export_download", args=[selectors.export_download_token(obj)])
        return format_html('<a href="{}">{}</a>', url, _("Download"))


@admin.action(description=_("Cancel the selected deletions"))
def cancel_deletions(modeladmin, request, queryset):
    for deletion in queryset:
        try:
            services.account_deletion_cancel(deletion=deletion)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{deletion}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(AccountDeletion)
class AccountDeletionAdmin(_ReadOnly):
    list_display = ["__str__", "requested_at", "scheduled_for", "cancelled_at", "started_at", "completed_at"]
    search_fields = ["user_email"]
    fields = ["user_email", "requested_at", "scheduled_for", "cancelled_at", "started_at", "completed_at"]
    readonly_fields = fields
    actions = [cancel_deletions]
