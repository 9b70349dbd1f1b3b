"""Reads on users of the current tenant's schema."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


def owner_with_proven_address(*, email: str) -> User | None:
    """The active owner whose address ``email`` is verified here, else None."""
    user = User.objects.filter(email__iexact=email.strip(), role=User.Role.OWNER, is_active=True).first()
    if user is None or not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return None
    return user
