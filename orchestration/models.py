"""Per-tenant provider credentials and orchestration settings (seed 000 "System Settings" and
"Model Configuration"), with every change kept in :class:`SettingsChange`.

API keys are stored encrypted (core.crypto); the plaintext only exists in memory while a
provider is called. Writes go through ``orchestration.services``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic", "Anthropic"
    PERPLEXITY = "perplexity", "Perplexity"
    OPENAI_COMPATIBLE = "openai_compatible", _("OpenAI-compatible server")


STRATEGIES = ["single_provider", "parallel_consensus", "sequential_enhance", "rag_enhanced", "adaptive"]
# The names people see (the chat picker uses the same words).
STRATEGY_LABELS = {
    "single_provider": _("Single model"),
    "parallel_consensus": _("Consensus of several models"),
    "sequential_enhance": _("Research, analyse, structure"),
    "rag_enhanced": _("From your documents"),
    "adaptive": _("Automatic (adaptive)"),
}
STRATEGY_CHOICES = [(s, STRATEGY_LABELS[s]) for s in STRATEGIES]


def default_strategies_enabled() -> dict:
    return {
        "single_provider": True,
        "parallel_consensus": True,
        "rag_enhanced": True,
        "sequential_enhance": False,
        "adaptive": True,
    }


class ProviderCredential(models.Model):
    """A tenant's own key (and endpoint) for one provider."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(_("provider"), max_length=32, choices=Provider.choices, unique=True)
    encrypted_api_key = models.TextField(blank=True, default="", editable=False)
    key_set_at = models.DateTimeField(_("key set at"), null=True, blank=True, editable=False)
    key_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    key_hint = models.CharField(
        _("key hint"),
        max_length=16,
        blank=True,
        default="",
        editable=False,
        help_text=_("The key's first and last characters (e.g. sk-…123), kept apart at encryption time."),
    )
    last_checked_at = models.DateTimeField(_("last tested"), null=True, blank=True, editable=False)
    last_check_ok = models.BooleanField(_("last test passed"), null=True, blank=True, editable=False)
    last_check_message = models.CharField(_("last test result"), max_length=500, blank=True, default="", editable=False)
    reported_models = models.JSONField(_("models the provider reports"), default=list, blank=True, editable=False)
    base_url = models.URLField(
        _("base URL"), blank=True, default="", help_text=_("Leave empty for the provider's own endpoint.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    model_names = models.JSONField(
        _("models"), default=list, blank=True, help_text=_("Model names this workspace may use.")
    )
    default_model = models.CharField(_("default model"), max_length=200, blank=True, default="")
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    tokens_per_minute = models.PositiveIntegerField(
        _("tokens per minute"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower is tried first when a provider falls back to the next.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "provider"]
        verbose_name = _("provider credential")
        verbose_name_plural = _("provider credentials")

    def __str__(self) -> str:
        return self.get_provider_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from core.egress import validate_base_url

        try:
            validate_base_url(self.base_url, provider=self.provider)
        except ValidationError as exc:
            raise ValidationError({"base_url": exc.error_list}) from None

    @property
    def has_key(self) -> bool:
        return bool(self.encrypted_api_key)


def key_hint(api_key: str) -> str:
    """``sk-…123``: the key's prefix up to its first dash (at most 3 characters) and its last 3.

    Short keys give only "…" plus their last character or nothing, so a hint never reveals
    more than a few characters of a secret.
    """
    key = (api_key or "").strip()
    if len(key) < 12:
        return "…" + key[-1:] if len(key) >= 6 else "…"
    head = key.split("-", 1)[0][:3] + "-" if "-" in key[:4] else ""
    return f"{head}…{key[-3:]}"


class OrchestrationSettings(models.Model):
    """The tenant's orchestration settings: one row per tenant schema."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    openai_model = models.CharField(_("OpenAI model"), max_length=200, default="gpt-4o")
    anthropic_model = models.CharField(_("Anthropic model"), max_length=200, default="claude-sonnet-4-6")
    perplexity_model = models.CharField(_("Perplexity model"), max_length=200, default="sonar")
    openai_compatible_model = models.CharField(
        _("OpenAI-compatible model"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("Empty: the credential's default."),
    )
    system_message = models.TextField(_("system message"), blank=True, default="You are a helpful, precise assistant.")
    strategies_enabled = models.JSONField(_("strategies enabled"), default=default_strategies_enabled)
    default_strategy = models.CharField(
        _("default strategy"), max_length=32, default="single_provider", choices=STRATEGY_CHOICES
    )
    max_cost_per_query = models.DecimalField(
        _("maximum cost per query (USD)"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    prefer_cheaper_models = models.BooleanField(_("prefer cheaper models"), default=False)
    default_temperature = models.FloatField(
        _("default temperature"), default=0.7, validators=[MinValueValidator(0.0), MaxValueValidator(2.0)]
    )
    default_max_tokens = models.PositiveIntegerField(
        _("default max tokens"), default=4000, validators=[MinValueValidator(1), MaxValueValidator(200000)]
    )
    request_timeout = models.PositiveIntegerField(
        _("request timeout (seconds)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    # Documents and retrieval (issue 9): which embedder turns passages into vectors, and how
    # many passages (above which fused score) an answer draws on.
    embedding_provider = models.CharField(
        _("embedding model"), max_length=16, default="local",
        choices=[("local", _("Local multilingual model (no key needed)")), ("openai", _("OpenAI embeddings API"))],
        help_text=_("Changing it re-embeds the documents (reembed_documents); until then retrieval uses full text."),
    )  # fmt: skip
    openai_embedding_model = models.CharField(_("OpenAI embedding model"), max_length=200,
                                              default="text-embedding-3-small")  # fmt: skip
    retrieval_top_k = models.PositiveSmallIntegerField(
        _("passages per answer"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    retrieval_min_score = models.FloatField(
        _("minimum retrieval score"), default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Reciprocal-rank score: 0 keeps every match; 0.016 needs a top-2 match in one of the searches."),
    )  # fmt: skip
    app_name = models.CharField(_("app name"), max_length=100, default="Chorus")
    support_email = models.EmailField(_("support e-mail"), blank=True, default="")
    price_overrides = models.JSONField(
        _("price overrides"),
        default=dict,
        blank=True,
        help_text=_('USD per million tokens by model, e.g. {"gpt-4o": {"input": 2.5, "output": 10}}.'),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer settings")
        verbose_name_plural = _("answer settings")

    def __str__(self) -> str:
        return str(_("Answer settings"))

    def model_for(self, provider: str) -> str:
        return getattr(self, f"{provider}_model", "") or ""


class SettingsChange(models.Model):
    """One change to a credential or the settings: who, when and which fields (never a key's value)."""

    class Target(models.TextChoices):
        SETTINGS = "settings", _("settings")
        CREDENTIAL = "credential", _("credential")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.UUIDField()
    target_label = models.CharField(max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    changes = models.JSONField(default=dict)  # {field: {"from": x, "to": y}}; api key: {"api_key": "replaced"}

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["target", "target_id", "-changed_at"])]
        verbose_name = _("settings change")
        verbose_name_plural = _("settings changes")

    def __str__(self) -> str:
        return f"{self.target_label} {self.changed_at:%Y-%m-%d %H:%M}"
