"""Tenant admin for provider credentials and orchestration settings.

A key is write-only here: the page shows "set on <date> by <user>" with a field to replace it
and a box to clear it. The password input never renders a value, the encrypted column is not a
form field, and the POST is marked sensitive so error reports leave it out.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from core.admin import TenantModelAdmin
from orchestration import selectors, services
from orchestration.models import STRATEGIES, OrchestrationSettings, ProviderCredential, SettingsChange

sensitive = method_decorator(sensitive_post_parameters("new_api_key"))


def _history_html(obj) -> str:
    if obj is None or obj.pk is None:
        return "—"
    rows = selectors.history_for(target_id=obj.pk)
    if not rows:
        return str(_("No changes recorded yet."))

    def describe(change: SettingsChange) -> str:
        parts = []
        for name, value in change.changes.items():
            if name == "api_key":
                parts.append(f"API key {value}")
            elif isinstance(value, dict) and "to" in value:
                parts.append(f"{name}: {json.dumps(value['from'])} → {json.dumps(value['to'])}")
            else:
                parts.append(name)
        return "; ".join(parts)

    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("When"), _("Who"), _("What"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (formats.date_format(c.changed_at, "DATETIME_FORMAT"), c.changed_by or "—", describe(c)) for c in rows
        )),
    )  # fmt: skip


class ProviderCredentialForm(forms.ModelForm):
    new_api_key = forms.CharField(
        label=_("New API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the current key."),
    )
    base_url = forms.URLField(
        label=_("Base URL"), required=False, assume_scheme="https",
        help_text=_("Only for an OpenAI-compatible server (http or https, an optional base path such as /v1). "
                    "OpenAI, Anthropic and Perplexity always use their own endpoints."),
    )  # fmt: skip
    clear_api_key = forms.BooleanField(label=_("Clear the stored key"), required=False)
    model_names = forms.CharField(
        label=_("Models"), required=False, help_text=_("Comma-separated model names, e.g. gpt-4o, gpt-4o-mini.")
    )

    class Meta:
        model = ProviderCredential
        fields = ["provider", "enabled", "base_url", "model_names", "default_model", "requests_per_minute",
                  "tokens_per_minute", "priority"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["model_names"] = ", ".join(self.instance.model_names or [])

    def clean_model_names(self) -> list[str]:
        raw = self.cleaned_data.get("model_names") or ""
        return [m.strip() for m in raw.split(",") if m.strip()]

    def clean(self):
        data = super().clean()
        if data.get("new_api_key") and data.get("clear_api_key"):
            raise forms.ValidationError(_("Either replace the key or clear it, not both."))
        return data


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(TenantModelAdmin):
    form = ProviderCredentialForm
    list_display = ["provider", "enabled", "key_status", "default_model", "priority"]
    readonly_fields = ["key_status", "history"]
    fieldsets = [
        (None, {"fields": ["provider", "enabled", "priority"]}),
        (_("API key"), {"fields": ["key_status", "new_api_key", "clear_api_key"]}),
        (_("Endpoint and models"), {"fields": ["base_url", "model_names", "default_model"]}),
        (_("Rate limits"), {"fields": ["requests_per_minute", "tokens_per_minute"]}),
        (_("History"), {"fields": ["history"]}),
    ]

    def lookup_allowed(self, lookup, value, request):
        # No URL filter on the key's ciphertext: ?encrypted_api_key__startswith= is an oracle (issue 8 §1.2).
        if lookup.split("__", 1)[0] == "encrypted_api_key":
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("API key"))
    def key_status(self, obj) -> str:
        if obj is None or not obj.has_key:
            return str(_("Not set"))
        when = formats.date_format(obj.key_set_at, "DATETIME_FORMAT") if obj.key_set_at else "?"
        return str(_("Set on %(date)s by %(user)s")) % {"date": when, "user": obj.key_set_by or _("unknown")}

    @admin.display(description=_("Changes"))
    def history(self, obj) -> str:
        return _history_html(obj)

    @sensitive
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @sensitive
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @sensitive
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.credential_save(
            credential=obj,
            user=request.user,
            api_key=form.cleaned_data.get("new_api_key") or None,
            clear_key=bool(form.cleaned_data.get("clear_api_key")),
        )

    def delete_model(self, request, obj):
        services.credential_delete(credential=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.credential_delete(credential=obj, user=request.user)


class OrchestrationSettingsForm(forms.ModelForm):
    strategies = forms.MultipleChoiceField(
        label=_("Strategies enabled"), required=False, choices=[(s, s) for s in STRATEGIES],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = OrchestrationSettings
        fields = [
            "openai_model",
            "anthropic_model",
            "perplexity_model",
            "openai_compatible_model",
            "system_message",
            "default_strategy",
            "default_temperature",
            "default_max_tokens",
            "request_timeout",
            "max_cost_per_query",
            "prefer_cheaper_models",
            "price_overrides",
            "embedding_provider",
            "openai_embedding_model",
            "retrieval_top_k",
            "retrieval_min_score",
            "app_name",
            "support_email",
        ]

    DOCUMENT_FIELDS = ("embedding_provider", "openai_embedding_model", "retrieval_top_k", "retrieval_min_score")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enabled = self.instance.strategies_enabled or {}
        self.initial["strategies"] = [s for s in STRATEGIES if enabled.get(s)]
        for name in self.DOCUMENT_FIELDS:  # issue 9: a form posted without them keeps the current values
            if name in self.fields:
                self.fields[name].required = False

    def _clean_kept(self, name):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value in (None, "") else value

    def clean_embedding_provider(self):
        return self._clean_kept("embedding_provider")

    def clean_openai_embedding_model(self):
        return self._clean_kept("openai_embedding_model")

    def clean_retrieval_top_k(self):
        return self._clean_kept("retrieval_top_k")

    def clean_retrieval_min_score(self):
        return self._clean_kept("retrieval_min_score")

    def clean(self):
        data = super().clean()
        chosen = data.get("strategies") or []
        if not chosen:
            raise forms.ValidationError(_("Enable at least one strategy."))
        default = data.get("default_strategy")
        if default and default not in chosen:
            self.add_error("default_strategy", _("The default strategy must be enabled."))
        return data

    def save(self, commit=True):
        self.instance.strategies_enabled = {s: s in self.cleaned_data["strategies"] for s in STRATEGIES}
        return super().save(commit=commit)


@admin.register(OrchestrationSettings)
class OrchestrationSettingsAdmin(TenantModelAdmin):
    form = OrchestrationSettingsForm
    readonly_fields = ["history"]
    fieldsets = [
        (_("Models"), {"fields": ["openai_model", "anthropic_model", "perplexity_model", "openai_compatible_model"]}),
        (
            _("Answers"),
            {
                "fields": [
                    "system_message",
                    "strategies",
                    "default_strategy",
                    "default_temperature",
                    "default_max_tokens",
                    "request_timeout",
                ]
            },
        ),  # fmt: skip
        (_("Cost"), {"fields": ["max_cost_per_query", "prefer_cheaper_models", "price_overrides"]}),
        (
            _("Documents"),
            {"fields": ["embedding_provider", "openai_embedding_model", "retrieval_top_k", "retrieval_min_score"]},
        ),  # fmt: skip
        (_("Workspace"), {"fields": ["app_name", "support_email"]}),
        (_("History"), {"fields": ["history"]}),
    ]

    @admin.display(description=_("Changes"))
    def history(self, obj) -> str:
        return _history_html(obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not OrchestrationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj = OrchestrationSettings.objects.first()
        if obj is None:
            return HttpResponseRedirect(reverse("admin:orchestration_orchestrationsettings_add"))
        return HttpResponseRedirect(reverse("admin:orchestration_orchestrationsettings_change", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        services.settings_save(obj=obj, user=request.user)


@admin.register(SettingsChange)
class SettingsChangeAdmin(TenantModelAdmin):
    list_display = ["changed_at", "target_label", "changed_by", "summary"]
    list_filter = ["target"]
    readonly_fields = ["changed_at", "target", "target_label", "changed_by", "changes"]
    fields = readonly_fields

    @admin.display(description=_("What"))
    def summary(self, obj) -> str:
        return ", ".join(obj.changes.keys())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
