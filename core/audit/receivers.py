"""Admin sign-ins and failed sign-ins (auth events: the one place signals are used for this log)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import AuditEntry
from .services import audit_record


def _admin_request(request) -> bool:
    return request is not None and request.path.startswith("/admin/")


@receiver(user_logged_in, dispatch_uid="audit_admin_login")
def _logged_in(sender, request, user, **kwargs):
    if _admin_request(request):
        audit_record(request=request, actor=user, action=AuditEntry.Action.LOGIN, obj=None)


@receiver(user_login_failed, dispatch_uid="audit_admin_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if _admin_request(request):
        # Django has already masked the password in ``credentials``; only the name typed is kept.
        audit_record(
            request=request,
            actor=None,
            actor_email=str(credentials.get("username") or credentials.get("email") or "")[:255],
            action=AuditEntry.Action.LOGIN_FAILED,
        )
