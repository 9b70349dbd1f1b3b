from __future__ import annotations

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language

from . import policy
from .handoff import Identity, make_token

SESSION_OAUTH_TARGET = "chorus_oauth_target"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return policy.signup_open(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = (form.cleaned_data.get("name") or "").strip()[:255]
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            user.language = tenant.settings_data["default_language"]
        if commit:
            user.save()
        return user

    # Links in e-mails point at the workspace's own host (its primary domain, the server's scheme
    # and port), never at whatever Host header the request that triggered the e-mail carried.
    def _workspace_url(self, path: str) -> str:
        from allauth.core import context
        from allauth.utils import build_absolute_uri

        request = context.request
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return build_absolute_uri(request, path)
        from tenants.services import tenant_url

        url = tenant_url(tenant, path, request)
        if getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http") == "https":
            url = "https:" + url.partition(":")[2]
        return url

    # allauth's e-mails in the workspace's name: sender, subject, logo and colour (core.mail), with
    # an HTML version next to each text one (templates/account/email/*_message.html).
    def _brand(self) -> dict:
        from allauth.core import context

        from core import mail

        return mail.brand_of(getattr(context.request, "tenant", None))

    def get_from_email(self) -> str:
        from core import mail

        return mail.from_email(self._brand()["app_name"])

    def format_email_subject(self, subject: str) -> str:
        return f"{self._brand()['app_name']}: {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        brand = self._brand()
        super().send_mail(template_prefix, email, {"brand": brand, "workspace": brand["app_name"], **context})

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return self._workspace_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return self._workspace_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_account_already_exists_mail(self, email: str) -> None:
        ctx = {
            "signup_url": self._workspace_url(reverse("account_signup")),
            "password_reset_url": self._workspace_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, ctx)


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

        tenant = Tenant.objects.filter(
            schema_name=target, is_active=True, state=Tenant.State.READY, owner_verified_at__isnull=False
        ).first()
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
            language=(get_language() or "")[:2],
        )
        token = make_token(identity=identity, schema_name=tenant.schema_name)
        raise ImmediateHttpResponse(
            HttpResponseRedirect(tenant_url(tenant, f"/accounts/handoff/?token={token}", request))
        )
