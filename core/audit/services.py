"""Writing audit entries (the only writer). Secret values never enter an entry: a secret field is
recorded as "set" or "changed", whatever its value."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid

from core import ratelimit

from .models import AuditEntry

SECRET_WORDS = ("password", "secret", "token", "key", "api_key", "fernet")
SET = "set"
CHANGED = "changed"
CLEARED = "cleared"


def is_secret_field(name: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    lowered = name.lower()
    return name in extra or any(word in lowered for word in SECRET_WORDS)


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value][:50]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in list(value.items())[:50]}
    if hasattr(value, "pk"):
        return str(value)[:200]
    return str(value)[:500]


def changes_of(form, secret_fields=frozenset()) -> dict:
    """The changed fields of a bound admin form: before and after, secrets as set/changed/cleared."""
    changes = {}
    for name in getattr(form, "changed_data", []):
        before = form.initial.get(name)
        after = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if is_secret_field(name, secret_fields):
            changes[name] = CLEARED if not after else (CHANGED if before else SET)
        else:
            changes[name] = {"before": _plain(before), "after": _plain(after)}
    return changes


def _ip(request) -> str | None:
    if request is None:
        return None
    value = ratelimit.client_ip(request)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def audit_record(
    *, request=None, action: str, obj=None, object_type: str = "", changes: dict | None = None,
    actor=None, actor_email: str = "", action_name: str = "",
) -> AuditEntry:  # fmt: skip
    user = actor if actor is not None else getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    entry = AuditEntry(
        actor_id=user.pk if authenticated else None,
        actor_email=(user.email if authenticated else actor_email)[:255],
        action=action,
        action_name=action_name[:100],
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip=_ip(request),
    )
    entry.full_clean()
    entry.save()
    return entry
