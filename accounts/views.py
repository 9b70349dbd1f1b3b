from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import ratelimit

from . import policy
from .forms import PreferencesForm
from .handoff import OWNER_CONFIRMED, HandoffError, Identity, consume_token
from .selectors import owner_with_proven_address
from .services import IdentityRefused, invitation_find, invitation_pending_for, user_from_identity

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _keep_language(response, identity: Identity):
    """The language chosen on the public host travels in the hand-off (cookies are per host)."""
    if identity.language in LANGUAGES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, identity.language, samesite="Lax")
    return response


def _owner_handoff(request, identity: Identity):
    """The owner of a new workspace confirmed their address on the public host: sign them in."""
    user = owner_with_proven_address(email=identity.email)
    if user is None:
        return render(
            request,
            "accounts/handoff_failed.html",
            {"reason": _("This sign-in link is invalid, expired or was already used. Please try again.")},
            status=403,
        )
    return _keep_language(perform_login(request, user, email_verification="none", redirect_url="/chat/"), identity)


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
    if identity.provider == OWNER_CONFIRMED:
        return _owner_handoff(request, identity)
    invitation = invitation_pending_for(email=identity.email)
    signup_allowed = invitation is not None or (
        policy.signup_open(request) and policy.email_allowed(request, identity.email)
    )
    try:
        user = user_from_identity(
            email=identity.email,
            name=identity.name,
            google_id=identity.uid,
            signup_allowed=signup_allowed,
            invitation=invitation,
        )
    except IdentityRefused as exc:
        return render(request, "accounts/handoff_failed.html", {"reason": str(exc)}, status=403)
    if user is None or not user.is_active:
        return render(
            request,
            "accounts/handoff_failed.html",
            {"reason": _("This workspace does not accept sign-ins from %(email)s.") % {"email": identity.email}},
            status=403,
        )
    if getattr(user, "taken_over", False):
        messages.info(
            request,
            _(
                "Signed in with Google. This account's address had never been confirmed, so its password "
                "and other addresses were removed; set a new password under “Change password” if you want one."
            ),
        )
    request.session.pop(policy.SESSION_INVITATION, None)
    return _keep_language(perform_login(request, user, email_verification="none", redirect_url="/chat/"), identity)


@require_GET
def invitation_open(request, token: str):
    """The link of an invitation e-mail. Opening it proves the address: allauth's verified-e-mail
    stash makes a sign-up with exactly this address verified, and only then is the role granted."""
    invitation = invitation_find(token=token)
    if invitation is None:
        raise Http404("unknown invitation")
    if not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", {"replaced": invitation.replaced_at}, status=410)
    request.session[policy.SESSION_INVITATION] = str(invitation.pk)
    get_account_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(f"/accounts/signup/?{urlencode({'email': invitation.email})}")


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


def _admin_login_keys(request) -> list[tuple[str, ...]]:
    schema = getattr(getattr(request, "tenant", None), "schema_name", "public")
    keys = [("admin-login-failed", schema, "ip", ratelimit.client_ip(request))]
    username = (request.POST.get("username") or "").strip().lower()
    if username:
        keys.append(("admin-login-failed", schema, "user", username))
    return keys


def admin_login(request, extra_context=None):
    """The admin's sign-in (tenant and public hosts), throttled like allauth's: after
    ADMIN_LOGIN_FAILED_RATE_LIMIT failed attempts from one address or for one account, even the
    right password is refused (429, with the time to wait) until the window has passed."""
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    limit = settings.ADMIN_LOGIN_FAILED_RATE_LIMIT
    keys = _admin_login_keys(request)
    # Every attempt counts against a per-address budget first (atomic), so parallel requests cannot
    # all slip between the failure check and the failure count below; then the failures decide.
    verdicts = [ratelimit.hit(settings.ADMIN_LOGIN_RATE_LIMIT, "admin-login", *keys[0][1:])]
    verdicts += [ratelimit.peek(limit, *key) for key in keys]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        retry_after = max(v.retry_after for v in refused)
        response = render(request, "accounts/login_throttled.html", {"retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    response = admin.site.login(request, extra_context)
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        for key in keys:
            ratelimit.hit(limit, *key)
    return response
