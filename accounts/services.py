"""Writes on users of the current tenant's schema."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation, User


@transaction.atomic
def user_create_owner(*, email: str, password_hash: str, name: str = "", language: str = "en") -> User:
    """The workspace owner, created during provisioning (idempotent on the e-mail)."""
    user, created = User.objects.get_or_create(
        email=email.lower(),
        defaults={"name": name, "role": User.Role.OWNER, "language": language},
    )
    if created:
        user.password = password_hash
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})
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
    )


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
def invitation_create(*, actor: User, email: str, role: str = User.Role.MEMBER, request=None) -> Invitation:
    _check_can_grant(actor, role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the workspace.")})
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).delete()
    invitation = Invitation(email=email, role=role, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    link = (
        request.build_absolute_uri(f"/accounts/invitation/{invitation.token}/")
        if request is not None
        else f"/accounts/invitation/{invitation.token}/"
    )
    tenant = getattr(request, "tenant", None)
    workspace = tenant.app_name if tenant is not None else "Chorus"
    body = render_to_string("accounts/email/invitation.txt", {"link": link, "inviter": actor, "workspace": workspace})
    transaction.on_commit(
        lambda: send_mail(
            _("You are invited to %(workspace)s") % {"workspace": workspace},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email],
            fail_silently=False,
        )
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(_("This invitation is for another e-mail address."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    if invitation.role != user.role:
        user.role = invitation.role
        user.save(update_fields=["role", "updated_at"])
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    return user


@transaction.atomic
def user_from_identity(*, email: str, name: str, google_id: str, signup_allowed: bool) -> User | None:
    """The user a verified external identity (Google) signs in as; created when allowed."""
    user = User.objects.filter(google_id=google_id).first() or User.objects.filter(email__iexact=email).first()
    if user is None:
        if not signup_allowed:
            return None
        user = User(email=email, name=name, google_id=google_id)
        user.set_unusable_password()
        user.save()
    elif not user.google_id:
        user.google_id = google_id
        user.save(update_fields=["google_id", "updated_at"])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user
