"""Reads: the tenant's settings and the providers it can call (its own keys, else the platform's)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core import crypto
from core.versioned_cache import VersionedCache
from orchestration.models import STRATEGIES, OrchestrationSettings, ProviderCredential, SettingsChange
from orchestration.providers.base import ProviderConfig

log = logging.getLogger(__name__)

PROVIDER_ORDER = ["openai", "anthropic", "perplexity", "openai_compatible"]
PLATFORM_KEYS = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
    "perplexity": ("PERPLEXITY_API_KEY", "PERPLEXITY_BASE_URL"),
}


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings an answer runs with, read once in the request's thread."""

    openai_model: str = "gpt-4o"
    anthropic_model: str = "claude-sonnet-4-6"
    perplexity_model: str = "sonar"
    openai_compatible_model: str = ""
    system_message: str = "You are a helpful, precise assistant."
    strategies_enabled: dict = field(default_factory=lambda: dict.fromkeys(STRATEGIES, True))
    default_strategy: str = "single_provider"
    max_cost_per_query: Decimal = Decimal("0.10")
    prefer_cheaper_models: bool = False
    default_temperature: float = 0.7
    default_max_tokens: int = 4000
    request_timeout: int = 30
    embedding_provider: str = "local"
    openai_embedding_model: str = "text-embedding-3-small"
    retrieval_top_k: int = 5
    retrieval_min_score: float = 0.0
    app_name: str = "Chorus"
    support_email: str = ""
    price_overrides: dict = field(default_factory=dict)

    @classmethod
    def from_model(cls, obj: OrchestrationSettings) -> SettingsSnapshot:
        return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})

    def model_for(self, provider: str) -> str:
        return getattr(self, f"{provider}_model", "") or ""

    def enabled(self, strategy: str) -> bool:
        return bool(self.strategies_enabled.get(strategy, False))


def settings_get() -> OrchestrationSettings:
    """The tenant's settings row, or unsaved defaults when an admin never saved any."""
    return OrchestrationSettings.objects.filter(singleton=True).first() or OrchestrationSettings()


def settings_snapshot() -> SettingsSnapshot:
    return _tenant_config()[0]


def embedder_config():
    """The workspace's embedder choice for documents (``DOCUMENTS_EMBEDDER_CONFIG`` names this):
    documents does not import orchestration (DESIGN §3), so this side hands the choice in."""
    from documents.embedders import EmbedderConfig

    snapshot = settings_snapshot()
    if snapshot.embedding_provider != "openai":
        return EmbedderConfig(provider=snapshot.embedding_provider)
    config = next((c for c in provider_configs(snapshot) if c.provider == "openai" and c.api_key), None)
    if config is None:
        return EmbedderConfig(provider="local")
    return EmbedderConfig(provider="openai", api_key=config.api_key, base_url=config.base_url,
                          model=snapshot.openai_embedding_model, guarded=config.guarded)  # fmt: skip


# --- Per-process memo of the tenant's settings and credential rows ---------------------------------
# Every message reads the settings and the credentials two or three times (moderation, the engine).
# Each process keeps them per schema (core.versioned_cache), valid while the schema's token in the
# shared cache is unchanged; the services that save or delete either model bump it on commit.
# Credential rows are kept as stored (keys encrypted); keys are decrypted per use, so no plaintext
# key is kept anywhere, and nothing secret goes to Redis (only the token).
CONFIG_CACHE_TTL = 60.0  # seconds; a bound on staleness should a write ever skip the services


def _copy_config(value: tuple[SettingsSnapshot, tuple[ProviderCredential, ...]]):
    """Callers get their own copies: the snapshot holds dicts, the rows are model instances."""
    snapshot, creds = value
    return copy.deepcopy(snapshot), tuple(copy.copy(c) for c in creds)


CONFIG = VersionedCache("orchestration:config", ttl=CONFIG_CACHE_TTL, clone=_copy_config)


def config_changed() -> None:
    """The current schema's settings or credentials changed (services call it in their transaction)."""
    CONFIG.bump()


def config_cache_clear() -> None:
    """Forget what this process memoised (tests: as if a change had happened in another process)."""
    CONFIG.forget_process_memo()


def _read_config() -> tuple[SettingsSnapshot, tuple[ProviderCredential, ...]]:
    return SettingsSnapshot.from_model(settings_get()), tuple(ProviderCredential.objects.all())


def _tenant_config() -> tuple[SettingsSnapshot, tuple[ProviderCredential, ...]]:
    """The schema's settings snapshot and credential rows, from this process's memo when current."""
    if getattr(connection, "schema_name", get_public_schema_name()) == get_public_schema_name():
        return SettingsSnapshot.from_model(settings_get()), ()
    return CONFIG.get("config", _read_config)


def credentials_list() -> list[ProviderCredential]:
    return list(ProviderCredential.objects.select_related("key_set_by").all())


def credential_api_key(credential: ProviderCredential) -> str:
    """The plaintext key; raises core.crypto.DecryptionError when no configured key opens it."""
    return crypto.decrypt(credential.encrypted_api_key) if credential.encrypted_api_key else ""


def history_for(*, target_id) -> list[SettingsChange]:
    return list(SettingsChange.objects.filter(target_id=target_id).select_related("changed_by")[:50])


def _timeouts(snapshot: SettingsSnapshot) -> dict:
    request_timeout = float(snapshot.request_timeout or 30)
    gap = float(getattr(django_settings, "ORCHESTRATION_CHUNK_GAP_TIMEOUT", 0) or request_timeout)
    return {
        "connect_timeout": float(getattr(django_settings, "ORCHESTRATION_CONNECT_TIMEOUT", 5.0)),
        "read_timeout": min(gap, request_timeout),
        "total_timeout": max(request_timeout, float(getattr(django_settings, "ORCHESTRATION_CALL_DEADLINE", 300))),
        "max_retries": int(getattr(django_settings, "ORCHESTRATION_MAX_RETRIES", 2)),
    }


def _models(provider: str, snapshot: SettingsSnapshot, listed: list[str], default: str) -> tuple[tuple[str, ...], str]:
    chosen = snapshot.model_for(provider) or default or (listed[0] if listed else "")
    names = [chosen] + [m for m in listed if m != chosen] if chosen else list(listed)
    return tuple(n for n in names if n), chosen


def credential_config(
    cred: ProviderCredential,
    snapshot: SettingsSnapshot,
    *,
    schema: str,
    common: dict | None = None,
    require_model: bool = True,
) -> ProviderConfig | None:
    """How to call the provider of one credential (enabled or not); None when it cannot be called
    (no key, no base URL, no model, or a key that no configured Fernet key opens)."""
    common = common if common is not None else _timeouts(snapshot)
    try:
        key = credential_api_key(cred)
    except crypto.DecryptionError:
        log.error("provider key of %s cannot be decrypted with FERNET_KEYS; provider skipped", cred.provider)
        return None
    if not key and cred.provider != "openai_compatible":
        return None
    if cred.provider == "openai_compatible" and not cred.base_url:
        return None
    # a vendor's endpoint is the vendor's (or the operator's override), never a URL a tenant
    # admin stored; a tenant-set URL (openai_compatible) is checked again at connect time
    guarded = cred.provider not in PLATFORM_KEYS
    base_url = cred.base_url if guarded else getattr(django_settings, PLATFORM_KEYS[cred.provider][1], "")
    names, default = _models(cred.provider, snapshot, list(cred.model_names or []), cred.default_model)
    if not default and require_model:
        return None
    return ProviderConfig(
        provider=cred.provider, api_key=key, base_url=base_url, models=names, default_model=default,
        platform=False, guarded=guarded, rpm=cred.requests_per_minute, tpm=cred.tokens_per_minute, schema=schema,
        **common,
    )  # fmt: skip


def provider_configs(
    snapshot: SettingsSnapshot | None = None,
    *,
    include_platform: bool = True,
    _rows: tuple[ProviderCredential, ...] | None = None,
) -> list[ProviderConfig]:
    """Providers this tenant can call, in fallback order; the offline provider when there are none.

    A tenant credential replaces the platform key for its provider. A credential whose key
    cannot be decrypted is left out (and logged), never silently swapped for the platform key.
    """
    schema: str = getattr(connection, "schema_name", get_public_schema_name())
    own: dict[str, ProviderCredential] = {}
    if schema != get_public_schema_name():
        if _rows is None:
            cached, _rows = _tenant_config()
            snapshot = snapshot or cached
        own = {c.provider: c for c in _rows}
    snapshot = snapshot or settings_snapshot()
    common = _timeouts(snapshot)
    configs: list[ProviderConfig] = []
    for cred in sorted(own.values(), key=lambda c: (c.priority, PROVIDER_ORDER.index(c.provider))):
        if not cred.enabled:
            continue
        config = credential_config(cred, snapshot, schema=schema, common=common)
        if config is not None:
            configs.append(config)
    if include_platform:
        for provider, (key_setting, url_setting) in PLATFORM_KEYS.items():
            key = getattr(django_settings, key_setting, "")
            if provider in own or not key:
                continue
            names, default = _models(provider, snapshot, [], "")
            configs.append(ProviderConfig(
                provider=provider, api_key=key, base_url=getattr(django_settings, url_setting, ""), models=names,
                default_model=default, platform=True,
                rpm=getattr(django_settings, "ORCHESTRATION_PLATFORM_RPM", None),
                tpm=getattr(django_settings, "ORCHESTRATION_PLATFORM_TPM", None), schema=schema, **common,
            ))  # fmt: skip
    if not configs:
        configs.append(offline_config(snapshot, schema=schema, common=common))
    return configs


def offline_config(snapshot: SettingsSnapshot, *, schema: str | None = None, common: dict | None = None):
    """The offline provider (needs no key, says it is offline)."""
    schema = schema or getattr(connection, "schema_name", get_public_schema_name())
    common = common if common is not None else _timeouts(snapshot)
    return ProviderConfig(provider="offline", models=("offline",), default_model="offline", platform=True,
                          schema=schema, **common)  # fmt: skip


def snapshot_and_configs() -> tuple[SettingsSnapshot, list[ProviderConfig]]:
    """The settings snapshot and the providers, from one cache look-up (the engine's start)."""
    if getattr(connection, "schema_name", get_public_schema_name()) == get_public_schema_name():
        snapshot = settings_snapshot()
        return snapshot, provider_configs(snapshot)
    snapshot, rows = _tenant_config()
    return snapshot, provider_configs(snapshot, _rows=rows)


def openai_config() -> ProviderConfig | None:
    """The OpenAI provider for this tenant (own key first, then the platform's), for moderation."""
    for cfg in provider_configs():  # settings and credentials in one cache look-up
        if cfg.provider == "openai":
            return cfg
    return None


@dataclass(frozen=True)
class ModelConnection:
    """Whether a language model answers in this workspace, for the chat page's first-run banner.

    ``state``: "connected" (a platform key, or a credential whose last "Test connection" passed),
    "failed" (the best candidate's last test failed), "untested" (set up, never tested) or "none".
    """

    state: str
    credential_id: str = ""
    label: str = ""
    message: str = ""
    checked_at: object = None

    @property
    def connected(self) -> bool:
        return self.state == "connected"


def model_connection() -> ModelConnection:
    """From the memoised credential rows (no query while the schema's config token is current)."""
    _snapshot, rows = _tenant_config()
    own = {c.provider for c in rows}
    if any(getattr(django_settings, key, "") for p, (key, _url) in PLATFORM_KEYS.items() if p not in own):
        return ModelConnection("connected")
    usable = sorted(
        (c for c in rows if c.enabled and (c.has_key or c.provider == "openai_compatible")),
        key=lambda c: (c.priority, PROVIDER_ORDER.index(c.provider)),
    )
    if any(c.last_check_ok for c in usable):
        return ModelConnection("connected")
    if not usable:
        return ModelConnection("none")
    best = next((c for c in usable if c.last_check_ok is None), usable[0])
    return ModelConnection(
        "untested" if best.last_check_ok is None else "failed",
        credential_id=str(best.pk),
        label=best.get_provider_display(),
        message=best.last_check_message,
        checked_at=best.last_checked_at,
    )
