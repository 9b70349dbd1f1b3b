from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import ratelimit
from core.db import connection_schema
from core.files import file_response

from . import selectors, services
from .forms import DeleteAccountForm
from .models import DataExport


def _throttled(request, verdict):
    response = render(request, "privacy/throttled.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@login_required
@require_POST
def export_start(request):
    verdict = ratelimit.hit("5/hour", "privacy-export", connection_schema(), str(request.user.pk))
    if not verdict.allowed:
        return _throttled(request, verdict)
    item = services.data_export_request(user=request.user)
    if request.htmx:
        return render(request, "privacy/_export_status.html", {"export": item})
    messages.success(request, _("Your data is being gathered; the download link appears here when it is ready."))
    return redirect("accounts_preferences")


@login_required
@require_GET
def export_status(request, export_id):
    item = selectors.export_for(user=request.user, export_id=export_id)
    if item is None:
        raise Http404
    context = {"export": item}
    if item.status == DataExport.Status.READY:
        context["download_token"] = selectors.export_download_token(item)
    return render(request, "privacy/_export_status.html", context)


@login_required
@require_GET
def export_download(request, token):
    export_id = selectors.export_id_from_token(token)
    if export_id is None:
        return render(request, "privacy/link_expired.html", status=410)
    item = selectors.export_for(user=request.user, export_id=export_id)
    if item is None or item.status != DataExport.Status.READY:
        raise Http404
    path = services.export_path(item)
    if path is None:
        return render(request, "privacy/link_expired.html", status=410)
    stamp = formats.date_format(item.created_at, "Y-m-d")
    return file_response(request, path.open("rb"), as_attachment=True, filename=f"chorus-data-{stamp}.zip")


@login_required
@require_POST
def account_delete(request):
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "privacy/delete_refused.html", {"form": form}, status=400)
    try:
        deletion = services.account_deletion_request(user=request.user, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("accounts_preferences")
    when = formats.date_format(deletion.scheduled_for, "DATETIME_FORMAT")
    messages.warning(
        request, _("Your account will be deleted after %(when)s. You can cancel until then.") % {"when": when}
    )
    return redirect("accounts_preferences")


@login_required
@require_POST
def account_delete_cancel(request):
    deletion = selectors.open_deletion_of(user=request.user)
    if deletion is None:
        raise Http404
    try:
        services.account_deletion_cancel(deletion=deletion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deletion of your account was cancelled."))
    return redirect("accounts_preferences")
