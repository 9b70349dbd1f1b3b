"""Secrets at rest: MultiFernet over ``settings.FERNET_KEYS``.

The first key encrypts; every key decrypts, so keys can be rotated by putting a new key first
and running ``manage.py rotate_encryption_keys``. A token that no key opens raises
:class:`DecryptionError`; the ciphertext is never handed back as if it were the secret.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any key in FERNET_KEYS."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FERNET_KEYS is empty: set at least one Fernet key.")
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("FERNET_KEYS holds a key that is not a valid Fernet key.") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FERNET_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the first key; returns a URL-safe text token."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt ``token`` with any key; raises DecryptionError when none opens it."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        # `from None`: the token must not travel in the exception chain either.
        raise DecryptionError("A stored secret could not be decrypted with the configured FERNET_KEYS.") from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the first key; raises DecryptionError when no key opens it."""
    try:
        return fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        raise DecryptionError("A stored secret could not be decrypted with the configured FERNET_KEYS.") from None
