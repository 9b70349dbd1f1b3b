"""Who may sign up to a workspace: the tenant's signup policy plus invitations."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Invitation

SESSION_INVITATION = "chorus_invitation"


def current_invitation(request) -> Invitation | None:
    """The invitation whose link was opened in this session (the session holds its id, never a token)."""
    invitation_id = request.session.get(SESSION_INVITATION) if hasattr(request, "session") else None
    if not invitation_id:
        return None
    try:
        invitation = Invitation.objects.filter(pk=invitation_id).first()
    except (ValueError, ValidationError):
        return None
    return invitation if invitation and invitation.is_usable else None


def signup_open(request) -> bool:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return False  # the public host has workspace signup, not user signup
    if current_invitation(request) is not None:
        return True
    return tenant.settings_data["signup_policy"] in ("open", "domains")


def email_allowed(request, email: str) -> bool:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return False
    invitation = current_invitation(request)
    if invitation is not None:
        return invitation.email.lower() == email.lower()
    data = tenant.settings_data
    if data["signup_policy"] == "open":
        return True
    if data["signup_policy"] == "domains":
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in {d.lower().lstrip("@") for d in data["allowed_email_domains"]}
    return False
