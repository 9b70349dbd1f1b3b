"""Writes to credentials and settings; each one leaves a SettingsChange (who, when, what)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from core import crypto
from orchestration.models import OrchestrationSettings, ProviderCredential, SettingsChange, key_hint
from orchestration.selectors import config_changed

CREDENTIAL_FIELDS = ["provider", "base_url", "enabled", "model_names", "default_model", "requests_per_minute",
                     "tokens_per_minute", "priority"]  # fmt: skip
SETTINGS_FIELDS = ["openai_model", "anthropic_model", "perplexity_model", "openai_compatible_model", "system_message",
                   "strategies_enabled", "default_strategy", "max_cost_per_query", "prefer_cheaper_models",
                   "default_temperature", "default_max_tokens", "request_timeout", "app_name", "support_email",
                   "price_overrides"]  # fmt: skip


def _plain(value):
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _record(*, target: str, obj, user, changes: dict) -> SettingsChange | None:
    if not changes:
        return None
    return SettingsChange.objects.create(
        target=target, target_id=obj.pk, target_label=str(obj)[:200], changed_by=user if user and user.pk else None,
        changed_at=timezone.now(), changes=changes,
    )  # fmt: skip


def _diff(before: dict, obj, names: list[str]) -> dict:
    return {
        n: {"from": _plain(before.get(n)), "to": _plain(getattr(obj, n))}
        for n in names
        if before.get(n) != getattr(obj, n)
    }


@sensitive_variables("api_key")
@transaction.atomic
def credential_save(
    *,
    credential: ProviderCredential,
    user,
    api_key: str | None = None,
    clear_key: bool = False,
    before: dict | None = None,
) -> ProviderCredential:
    """Create or update ``credential``; ``api_key`` replaces the key, ``clear_key`` removes it.

    ``before`` holds the field values the change started from (the admin passes the form's
    initial data); without it the stored row is read.
    """
    if before is None:
        stored = ProviderCredential.objects.filter(pk=credential.pk).values(*CREDENTIAL_FIELDS).first()
        before = stored or {}
    now = timezone.now()
    key_change = None
    had_key = bool(credential.encrypted_api_key)
    if api_key:
        credential.encrypted_api_key = crypto.encrypt(api_key.strip())
        credential.key_hint = key_hint(api_key)  # a few characters, taken before the key is gone
        credential.key_set_at, credential.key_set_by = now, user if user and user.pk else None
        key_change = "replaced" if had_key else "set"
    elif clear_key and credential.encrypted_api_key:
        credential.encrypted_api_key = ""
        credential.key_hint = ""
        credential.key_set_at, credential.key_set_by = None, None
        key_change = "cleared"
    credential.full_clean()
    credential.save()
    config_changed()
    changes = _diff(before, credential, CREDENTIAL_FIELDS)
    if key_change:
        changes["api_key"] = key_change  # only what happened, never the value
    _record(target=SettingsChange.Target.CREDENTIAL, obj=credential, user=user, changes=changes)
    return credential


@transaction.atomic
def credential_record_check(
    *, credential: ProviderCredential, ok: bool, message: str, models: list[str] | None = None
) -> ProviderCredential:
    """Keep the outcome of a "Test connection" (and the models the provider reported, when it did)."""
    credential = ProviderCredential.objects.select_for_update().get(pk=credential.pk)
    credential.last_checked_at = timezone.now()
    credential.last_check_ok = ok
    credential.last_check_message = message[:500]
    fields = ["last_checked_at", "last_check_ok", "last_check_message", "updated_at"]
    if models is not None:
        credential.reported_models = sorted(dict.fromkeys(m for m in models if m))[:500]
        fields.append("reported_models")
    credential.save(update_fields=fields)
    config_changed()
    return credential


@transaction.atomic
def credential_delete(*, credential: ProviderCredential, user) -> None:
    _record(target=SettingsChange.Target.CREDENTIAL, obj=credential, user=user, changes={"deleted": True})
    credential.delete()
    config_changed()


@transaction.atomic
def settings_save(*, obj: OrchestrationSettings, user, before: dict | None = None) -> OrchestrationSettings:
    """Save the tenant's settings (there is one row per tenant) and record what changed."""
    existing = OrchestrationSettings.objects.select_for_update().filter(singleton=True).first()
    if existing is not None and existing.pk != obj.pk:
        obj.pk = existing.pk
        obj._state.adding = False
    if before is None:
        before = {n: getattr(existing, n) for n in SETTINGS_FIELDS} if existing else {}
    obj.full_clean(validate_unique=False)
    obj.save()
    config_changed()
    _record(target=SettingsChange.Target.SETTINGS, obj=obj, user=user, changes=_diff(before, obj, SETTINGS_FIELDS))
    return obj


@transaction.atomic
def settings_ensure() -> OrchestrationSettings:
    """The tenant's settings row, created with the defaults the first time an admin opens it."""
    obj, created = OrchestrationSettings.objects.get_or_create(singleton=True)
    if created:
        config_changed()
    return obj


@transaction.atomic
def settings_update(*, user, **values) -> OrchestrationSettings:
    obj = OrchestrationSettings.objects.select_for_update().filter(singleton=True).first() or OrchestrationSettings()
    before = {n: getattr(obj, n) for n in SETTINGS_FIELDS} if obj.pk and not obj._state.adding else {}
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise ValueError(f"unknown setting {name}")
        setattr(obj, name, value)
    return settings_save(obj=obj, user=user, before=before)


@transaction.atomic
def credentials_reencrypt() -> int:
    """Re-encrypt every key of the current schema with the first of FERNET_KEYS; returns how many.

    Raises core.crypto.DecryptionError (and changes nothing) when a key cannot be decrypted.
    """
    count = 0
    for cred in ProviderCredential.objects.select_for_update().exclude(encrypted_api_key=""):
        cred.encrypted_api_key = crypto.rotate(cred.encrypted_api_key)
        cred.save(update_fields=["encrypted_api_key"])
        count += 1
    if count:
        config_changed()
    return count


TEST_PROMPT = [{"role": "user", "content": "Reply with the single word: ok"}]


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str
    models: list[str] | None = None  # what the provider reported (None: it could not say)


@sensitive_variables("config")
def credential_test_connection(*, credential: ProviderCredential) -> ConnectionTest:
    """Ask the credential's provider for its models and for a one-word answer; keep the outcome.

    The calls run outside any transaction (the outcome is saved afterwards, in its own).
    """
    from orchestration import selectors
    from orchestration.providers import Call, ProviderError, get

    snapshot = selectors.settings_snapshot()
    config = selectors.credential_config(credential, snapshot, schema=connection.schema_name, require_model=False)  # type: ignore[attr-defined]
    if config is None:
        if credential.provider == "openai_compatible" and not credential.base_url:
            result = ConnectionTest(False, _("Set the server's base URL first."))
        else:
            result = ConnectionTest(False, _("Set an API key first."))
        credential_record_check(credential=credential, ok=result.ok, message=result.message)
        return result
    provider = get(config)
    models: list[str] | None = None
    try:
        models = provider.list_models()
    except ProviderError:
        models = None  # some servers list nothing; the answer below says whether the key works
    model = config.default_model or (models[0] if models else "")
    if not model:
        result = ConnectionTest(False, _("The provider reports no models: type a model name below."), models)
    else:
        started = time.monotonic()
        try:
            completion = Call(provider, messages=TEST_PROMPT, model=model, max_tokens=5, temperature=0).run()
        except ProviderError as err:
            result = ConnectionTest(False, err.user_message, models)
        else:
            ms = int((time.monotonic() - started) * 1000)
            answer = " ".join(completion.text.split())[:120] or "—"
            result = ConnectionTest(
                True,
                _("%(model)s answered “%(answer)s” in %(ms)s ms.") % {"model": model, "answer": answer, "ms": ms},
                models,
            )
    credential_record_check(credential=credential, ok=result.ok, message=result.message, models=result.models)
    return result
