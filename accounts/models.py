from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_superuser=True, is_staff=True, role=User.Role.OWNER)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in one tenant (in the public schema: a platform operator)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Admin")
        OWNER = "owner", _("Owner")

    class Language(models.TextChoices):
        EN = "en", _("English")
        SL = "sl", _("Slovenian")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=255, unique=True)
    name = models.CharField(_("name"), max_length=255, blank=True, default="")
    google_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("can use the admin"), default=False, help_text=_("Follows the role: admins and owners.")
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    timezone = models.CharField(_("time zone"), max_length=50, default="UTC")
    email_notifications = models.BooleanField(_("email notifications"), default=True)
    marketing_emails = models.BooleanField(_("marketing emails"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.is_staff = self.is_superuser or self.role in (self.Role.ADMIN, self.Role.OWNER)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    @property
    def is_tenant_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.role in (self.Role.ADMIN, self.Role.OWNER))

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]


def _invitation_token() -> str:
    """Referenced by migration 0001 (tokens were stored in clear then); unused since 0002."""
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=7)


class Invitation(models.Model):
    """A tenant admin's invitation for one e-mail address, with the role it grants."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=User.Role.choices, default=User.Role.MEMBER)
    # Only a SHA-256 of the token is stored; the token itself is only in the e-mailed link.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Set when the address is invited again: the old link then says it was replaced (issue 11 §10).
    replaced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.replaced_at is None and self.expires_at > timezone.now()

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_token(self) -> str:
        """A fresh token for this invitation: its hash is kept, the token is returned (once)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        return token
