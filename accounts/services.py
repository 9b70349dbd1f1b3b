"""Writes on users of the current tenant's schema."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import mail

from .models import Invitation, User


@transaction.atomic
def user_create_owner(
    *, email: str, password_hash: str, name: str = "", language: str = "en", verified: bool = False
) -> User:
    """The workspace owner, created during provisioning (idempotent on the e-mail).

    ``verified``: the address is proven (an operator created the workspace, or the owner already
    followed the link of the confirmation e-mail). A public signup's owner is not, until they do.
    """
    user, created = User.objects.get_or_create(
        email=email.lower(),
        defaults={"name": name, "role": User.Role.OWNER, "language": language},
    )
    if created:
        user.password = password_hash
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": verified}
        )
    elif verified:
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    return user


def user_create_pending_owner(tenant) -> User | None:
    """Provisioning hook (settings.TENANT_SCHEMA_READY_HOOKS): the owner recorded at signup."""
    owner = tenant.pending_owner or {}
    if not owner.get("email"):
        return None
    return user_create_owner(
        email=owner["email"],
        password_hash=owner["password"],
        name=owner.get("name", ""),
        language=tenant.settings_data["default_language"],
        verified=bool(owner.get("verified", False)) or tenant.owner_verified_at is not None,
    )


@transaction.atomic
def user_confirm_owner_email(tenant, email: str) -> None:
    """Hook (settings.TENANT_OWNER_VERIFIED_HOOKS): the owner of a public signup followed the link
    of the confirmation e-mail, which proves the address."""
    user = User.objects.filter(email__iexact=email, role=User.Role.OWNER).first()
    if user is None:
        return
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


@transaction.atomic
def user_create(
    *, email: str, password: str, name: str = "", role: str = User.Role.MEMBER, language: str = "en", verified=True
) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail already exists in this workspace.")})
    user = User(email=email, name=name, role=role, language=language)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def _check_can_grant(actor: User, role: str) -> None:
    if not actor.is_tenant_admin:
        raise PermissionDenied(_("Only workspace admins can do this."))
    if role == User.Role.OWNER and actor.role != User.Role.OWNER and not actor.is_superuser:
        raise PermissionDenied(_("Only an owner can make someone an owner."))


@transaction.atomic
def user_change_role(*, actor: User, user: User, role: str) -> User:
    """Change ``user``'s role. Admins manage members and admins; only owners manage owners;
    the last owner keeps the role."""
    if role not in User.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _check_can_grant(actor, role)
    if user.role == User.Role.OWNER and actor.role != User.Role.OWNER and not actor.is_superuser:
        raise PermissionDenied(_("Only an owner can change an owner's role."))
    if user.role == User.Role.OWNER and role != User.Role.OWNER:
        owners = User.objects.select_for_update().filter(role=User.Role.OWNER, is_active=True)
        if owners.exclude(pk=user.pk).count() == 0:
            raise ValidationError({"role": _("A workspace needs at least one owner.")})
    user.role = role
    user.save(update_fields=["role", "updated_at"])
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Activate or deactivate ``user``. Only owners manage owners, and the last active owner stays
    active (the same rule as for the role: a workspace always has an owner who can sign in)."""
    if not actor.is_tenant_admin:
        raise PermissionDenied(_("Only workspace admins can do this."))
    if user.role == User.Role.OWNER and actor.role != User.Role.OWNER and not actor.is_superuser:
        raise PermissionDenied(_("Only an owner can change an owner's account."))
    if not active and user.role == User.Role.OWNER:
        owners = User.objects.select_for_update().filter(role=User.Role.OWNER, is_active=True)
        if owners.exclude(pk=user.pk).count() == 0:
            raise ValidationError({"is_active": _("A workspace needs at least one active owner.")})
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    return user


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str = User.Role.MEMBER, request=None) -> Invitation:
    """Invite ``email`` with ``role``. Only a hash of the token is stored; the token is in the
    e-mailed link (and on ``invitation.token`` of the returned object, for this call only)."""
    _check_can_grant(actor, role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the workspace.")})
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, replaced_at__isnull=True).update(
        replaced_at=timezone.now()
    )
    invitation = Invitation(email=email, role=role, invited_by=actor)
    token = invitation.new_token()
    invitation.full_clean()
    invitation.save()
    invitation.token = token  # type: ignore[attr-defined]  # the token, for this call only (never stored)
    path = f"/accounts/invitation/{token}/"
    tenant = getattr(request, "tenant", None)
    if tenant is not None and not tenant.is_public:
        from tenants.services import tenant_url

        link = tenant_url(tenant, path, request)
    else:
        link = path
    brand = mail.brand_of(tenant)
    language = tenant.settings_data["default_language"] if tenant is not None and not tenant.is_public else None
    with translation.override(language or translation.get_language()):
        context = {
            "link": link,
            "inviter": actor.get_full_name(),
            "workspace": brand["app_name"],
            "role": invitation.get_role_display(),
        }
        message = mail.build(
            template="accounts/email/invitation",
            to=[email],
            subject=_("%(inviter)s invited you to %(workspace)s") % context,
            context=context,
            brand=brand,
        )
    transaction.on_commit(message.send)
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation of a token from an e-mailed link (looked up by its hash)."""
    if not token:
        return None
    return Invitation.objects.filter(token_hash=Invitation.hash_token(token)).first()


def invitation_pending_for(*, email: str) -> Invitation | None:
    """A usable invitation for ``email``, if any (the newest)."""
    for invitation in Invitation.objects.filter(
        email__iexact=email.strip(), accepted_at__isnull=True, replaced_at__isnull=True
    ):
        if invitation.is_usable:
            return invitation
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> User:
    """Give ``user`` the invited role. The invited address must be ``user``'s and proven: confirmed
    through the invitation link (allauth's verified-e-mail stash), an e-mail confirmation or Google.
    A role is never granted to an address nobody has proven."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(_("This invitation is for another e-mail address."))
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise PermissionDenied(_("The invited address has not been confirmed."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    if invitation.role != user.role:
        user.role = invitation.role
        user.save(update_fields=["role", "updated_at"])
    return user


class IdentityRefused(Exception):
    """An external identity may not sign in as the account it names; ``str(exc)`` says why."""


def _take_over_unproven_account(user: User, *, email: str, google_id: str) -> None:
    """Google proved ``email``, which this account claims but never proved: whoever set the account
    up (perhaps someone else, before the owner of the address came) loses every way in. The password
    goes (so every session signed in with it ends: Django checks the password hash on each request),
    so do the other addresses and linked accounts."""
    from allauth.socialaccount.models import SocialAccount

    user.set_unusable_password()
    user.google_id = google_id
    user.save(update_fields=["password", "google_id", "updated_at"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    SocialAccount.objects.filter(user=user).delete()


@transaction.atomic
def user_from_identity(
    *, email: str, name: str, google_id: str, signup_allowed: bool, invitation: Invitation | None = None
) -> User | None:
    """The user a verified external identity (Google) signs in as; created when allowed.

    The Google account (``google_id``) is matched first. Otherwise an account with the same e-mail
    is linked when that address is already proven here; an account that only claims the address
    is taken over cleanly (see ``_take_over_unproven_account``). A pending ``invitation`` for the
    address is accepted (Google proved it). Returns None when nobody may be created.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(google_id=google_id).first()
    taken_over = False
    if user is None:
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None:
            if user.google_id:
                raise IdentityRefused(
                    _("This account is linked to another Google account. Sign in with that one or with your password.")
                )
            if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
                user.google_id = google_id
                user.save(update_fields=["google_id", "updated_at"])
            else:
                _take_over_unproven_account(user, email=email, google_id=google_id)
                taken_over = True
    if user is None:
        if not signup_allowed:
            return None
        user = User(email=email, name=name, google_id=google_id)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    if user.email.lower() == email:  # mark proven only the address Google vouched for
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        # Nobody else keeps an unproven claim on this address in this workspace.
        EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(user=user).delete()
    if invitation is not None and invitation.email.lower() == user.email.lower() and invitation.is_usable:
        user = invitation_accept(invitation=invitation, user=user)
    user.taken_over = taken_over  # type: ignore[attr-defined]  # the view says what happened
    return user
