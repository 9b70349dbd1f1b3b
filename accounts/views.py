from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import policy
from .forms import PreferencesForm
from .handoff import HandoffError, consume_token
from .models import Invitation
from .services import user_from_identity


@require_GET
def handoff(request):
    """Finish a Google sign-in that the public host verified (see accounts.handoff)."""
    try:
        identity = consume_token(request.GET.get("token", ""), schema_name=request.tenant.schema_name)
    except HandoffError:
        return render(
            request,
            "accounts/handoff_failed.html",
            {"reason": _("This sign-in link is invalid, expired or was already used. Please try again.")},
            status=400,
        )
    signup_allowed = policy.signup_open(request) and policy.email_allowed(request, identity.email)
    user = user_from_identity(
        email=identity.email, name=identity.name, google_id=identity.uid, signup_allowed=signup_allowed
    )
    if user is None or not user.is_active:
        return render(
            request,
            "accounts/handoff_failed.html",
            {"reason": _("This workspace does not accept sign-ins from %(email)s.") % {"email": identity.email}},
            status=403,
        )
    return perform_login(request, user, email_verification="none", redirect_url="/chat/")


@require_GET
def invitation_open(request, token: str):
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", status=410)
    request.session[policy.SESSION_INVITATION] = invitation.token
    request.session["account_signup_email"] = invitation.email
    return redirect(f"/accounts/signup/?email={invitation.email}")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.language)  # confirm in the language just chosen
        messages.success(request, _("Your preferences were saved."))
        response = redirect("accounts_preferences")
        response.set_cookie("django_language", form.instance.language, samesite="Lax")
        return response
    return render(request, "accounts/preferences.html", {"form": form})
