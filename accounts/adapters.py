from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpResponseRedirect

from . import policy
from .handoff import Identity, make_token

SESSION_OAUTH_TARGET = "chorus_oauth_target"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return policy.signup_open(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            user.language = tenant.settings_data["default_language"]
        if commit:
            user.save()
            invitation = policy.current_invitation(request)
            if invitation is not None:
                from .services import invitation_accept

                invitation_accept(invitation=invitation, user=user)
                request.session.pop(policy.SESSION_INVITATION, None)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """On the public host, a finished OAuth login is handed to the workspace it started from."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # users are created by the tenant host after the handoff, never here

    def pre_social_login(self, request, sociallogin):
        target = request.session.pop(SESSION_OAUTH_TARGET, None)
        if not target:
            return
        from tenants.models import Tenant
        from tenants.services import tenant_url

        tenant = Tenant.objects.filter(schema_name=target, is_active=True, state=Tenant.State.READY).first()
        if tenant is None:
            return
        email = (sociallogin.user.email or "").lower()
        verified = any(e.verified and e.email.lower() == email for e in sociallogin.email_addresses)
        if not email or not verified:
            raise ImmediateHttpResponse(
                HttpResponseRedirect(tenant_url(tenant, "/accounts/login/?error=unverified", request))
            )
        identity = Identity(
            email=email,
            name=sociallogin.user.get_full_name() if hasattr(sociallogin.user, "get_full_name") else "",
            provider=sociallogin.account.provider,
            uid=str(sociallogin.account.uid),
        )
        token = make_token(identity=identity, schema_name=tenant.schema_name)
        raise ImmediateHttpResponse(
            HttpResponseRedirect(tenant_url(tenant, f"/accounts/handoff/?token={token}", request))
        )
