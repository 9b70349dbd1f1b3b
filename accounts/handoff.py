"""Hand a verified external identity from the public host to a tenant host.

Google accepts no wildcard redirect URI, so the OAuth dance runs on the public host. When it
succeeds, the public host signs a short-lived token naming the identity and the target
workspace; the tenant host checks the signature, the age, the workspace and that the token
was never used before (a nonce claimed atomically in Redis), then signs the user in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches

SALT = "chorus.accounts.handoff"


class HandoffError(Exception):
    """The token is tampered with, expired, replayed or meant for another workspace."""


@dataclass(frozen=True)
class Identity:
    email: str
    name: str
    provider: str
    uid: str
    language: str = ""


# ``provider`` of a hand-off minted for the owner of a new workspace who just followed the link of
# the confirmation e-mail on the public host (that proved the address); ``uid`` is then empty.
OWNER_CONFIRMED = "owner-confirmed"


def make_token(*, identity: Identity, schema_name: str) -> str:
    payload = {
        "email": identity.email,
        "name": identity.name,
        "provider": identity.provider,
        "uid": identity.uid,
        "schema": schema_name,
        "language": identity.language,
        "nonce": secrets.token_urlsafe(16),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def consume_token(token: str, *, schema_name: str) -> Identity:
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.HANDOFF_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise HandoffError("expired") from exc
    except signing.BadSignature as exc:
        raise HandoffError("invalid") from exc
    if payload.get("schema") != schema_name:
        raise HandoffError("wrong workspace")
    # The nonce key is global (not per tenant) on purpose: one token, one use, anywhere.
    cache = caches["default"]
    if not cache.add(f"handoff-nonce:{payload['nonce']}", 1, timeout=settings.HANDOFF_TOKEN_MAX_AGE * 2):
        raise HandoffError("already used")
    return Identity(
        email=payload["email"],
        name=payload["name"],
        provider=payload["provider"],
        uid=payload["uid"],
        language=payload.get("language", ""),
    )
