from django import template
from django.conf import settings

from privacy import selectors
from privacy.forms import DeleteAccountForm
from privacy.models import DataExport

register = template.Library()


@register.inclusion_tag("privacy/_section.html", takes_context=True)
def privacy_section(context) -> dict:
    """The preferences page's "your data" section: the export and the account's deletion."""
    request = context["request"]
    user = request.user
    export = selectors.latest_export_of(user=user)
    token = selectors.export_download_token(export) if export and export.status == DataExport.Status.READY else None
    return {
        "request": request,
        "export": export,
        "download_token": token,
        "deletion": selectors.open_deletion_of(user=user),
        "delete_form": DeleteAccountForm(user=user),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "csrf_token": context.get("csrf_token"),
    }
