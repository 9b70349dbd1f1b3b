"""Tenant admin for provider credentials and orchestration settings.

A key is write-only here: the page shows its hint (``sk-…123``, kept apart when the key was
stored, never decrypted for display) and "set on <date> by <user>", with a field to replace it
and a box to clear it. The password input never renders a value, the encrypted column is not a
form field, and the POST is marked sensitive so error reports leave it out.

The settings are one row per workspace: the list opens that row, and there is no "Add" form.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from billing.admin_usage import RecordsAdminActions
from core.admin import NoSecretLookups, TenantModelAdmin
from orchestration import selectors, services
from orchestration.admin_forms import PriceTableField, describe_change, local_datetime, model_choices
from orchestration.models import (
    STRATEGIES,
    STRATEGY_CHOICES,
    OrchestrationSettings,
    Provider,
    ProviderCredential,
    SettingsChange,
)

sensitive = method_decorator(sensitive_post_parameters("new_api_key"))


def _history_html(obj) -> str:
    if obj is None or obj.pk is None:
        return "—"
    rows = selectors.history_for(target_id=obj.pk)
    if not rows:
        return str(_("No changes recorded yet."))
    return format_html(
        '<table class="chorus-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("When"), _("Who"), _("What"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (local_datetime(c.changed_at), c.changed_by or "—",
             format_html_join("", "<div>{}</div>", ((line,) for line in describe_change(c))))
            for c in rows
        )),
    )  # fmt: skip


def _check_html(obj) -> str:
    if obj is None or obj.last_checked_at is None:
        return str(_("Not tested yet."))
    status = _("Works") if obj.last_check_ok else _("Failed")
    return format_html(
        '<span class="chorus-status chorus-status--{}">{}</span> {} <span class="chorus-muted">({})</span>',
        "ok" if obj.last_check_ok else "error", status, obj.last_check_message, local_datetime(obj.last_checked_at),
    )  # fmt: skip


class _OpenChoices:
    """A choice field that also takes a name not in its list (a model the provider did not report):
    the list is what is offered, not a limit; names are short strings."""

    def valid_value(self, value):
        return bool(value) and len(str(value)) <= 200 and "," not in str(value)


class ModelsField(_OpenChoices, forms.MultipleChoiceField):
    def to_python(self, value):
        names = []
        for v in super().to_python(value):
            names += [n.strip() for n in v.split(",") if n.strip()]  # "a, b" from a script or an old form
        return names


class ModelField(_OpenChoices, forms.ChoiceField):
    pass


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
    model_names = ModelsField(
        label=_("Models"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "chorus-checks"}),
        help_text=_("Models people may choose. The list shows what the provider reported at the last test."),
    )
    other_models = forms.CharField(
        label=_("Other models"),
        required=False,
        help_text=_("Comma-separated names of models not in the list, e.g. llama3.1:8b."),
    )
    default_model = ModelField(label=_("Default model"), required=False)

    class Meta:
        model = ProviderCredential
        fields = ["provider", "enabled", "base_url", "model_names", "default_model", "requests_per_minute",
                  "tokens_per_minute", "priority"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cred = self.instance if self.instance and self.instance.pk else None
        provider = (self.data.get("provider") if self.is_bound else None) or (cred.provider if cred else "")
        providers = [provider] if provider else [p for p in Provider.values if p != Provider.OPENAI_COMPATIBLE]
        names = list(dict.fromkeys(m for p in providers for m in model_choices(p, credential=cred)))
        self.fields["model_names"].choices = [(m, m) for m in names]
        if cred is not None:
            self.initial["model_names"] = [m for m in cred.model_names or [] if m in names]
        default = cred.default_model if cred else ""
        options = list(dict.fromkeys(([default] if default else []) + names))
        self.fields["default_model"].choices = [("", _("The first model chosen"))] + [(m, m) for m in options]

    def clean_other_models(self) -> list[str]:
        raw = self.cleaned_data.get("other_models") or ""
        return [m.strip() for m in raw.split(",") if m.strip()]

    def clean(self):
        data = super().clean()
        if data.get("new_api_key") and data.get("clear_api_key"):
            raise forms.ValidationError(_("Either replace the key or clear it, not both."))
        chosen = list(dict.fromkeys(list(data.get("model_names") or []) + list(data.get("other_models") or [])))
        default = data.get("default_model") or (chosen[0] if chosen else "")
        if default and default not in chosen:
            chosen.insert(0, default)
        data["model_names"], data["default_model"] = chosen, default
        return data

    def _post_clean(self):
        super()._post_clean()
        self.instance.model_names = self.cleaned_data.get("model_names", [])
        self.instance.default_model = self.cleaned_data.get("default_model", "")


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(RecordsAdminActions, NoSecretLookups, TenantModelAdmin):
    # No URL filter on the key's ciphertext: ?encrypted_api_key__startswith= is an oracle (issue 8 §1.2).
    secret_lookup_fields = frozenset({"encrypted_api_key"})
    form = ProviderCredentialForm
    change_form_template = "admin/orchestration/providercredential/change_form.html"
    list_display = ["provider", "enabled", "key_status", "default_model", "last_test", "priority"]
    readonly_fields = ["key_status", "last_test", "history"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["provider", "enabled", "priority"]}),
        (_("API key"), {"fields": ["key_status", "new_api_key", "clear_api_key"]}),
        (_("Connection"), {"fields": ["last_test"]}),
        (_("Endpoint and models"), {"fields": ["base_url", "model_names", "other_models", "default_model"]}),
        (_("Rate limits"), {"fields": ["requests_per_minute", "tokens_per_minute"]}),
        (_("History"), {"fields": ["history"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("API key"))
    def key_status(self, obj) -> str:
        if obj is None or not obj.has_key:
            return str(_("Not set"))
        text = gettext("Set on %(date)s by %(user)s") % {
            "date": local_datetime(obj.key_set_at) if obj.key_set_at else "?",
            "user": obj.key_set_by or gettext("unknown"),
        }
        if obj.key_hint:
            return format_html('<code class="chorus-key">{}</code> {}', obj.key_hint, text)
        return text

    @admin.display(description=_("Last test"))
    def last_test(self, obj) -> str:
        return _check_html(obj)

    @admin.display(description=_("Changes"))
    def history(self, obj) -> str:
        return _history_html(obj)

    def get_urls(self):
        urls = super().get_urls()
        test = path(
            "<path:object_id>/test/",
            self.admin_site.admin_view(self.test_connection_view),
            name="orchestration_providercredential_test",
        )
        return [test, *urls]

    def test_connection_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        cred = get_object_or_404(ProviderCredential, pk=object_id)
        if not self.has_change_permission(request, cred):
            raise PermissionDenied
        self._test(request, cred)
        return HttpResponseRedirect(reverse("admin:orchestration_providercredential_change", args=[cred.pk]))

    def _test(self, request, cred) -> None:
        result = services.credential_test_connection(credential=cred)
        level = messages.SUCCESS if result.ok else messages.ERROR
        self.message_user(request, format_html("{}: {}", cred, result.message), level)

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for cred in queryset[:10]:
            self._test(request, cred)

    @sensitive
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @sensitive
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @sensitive
    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"show_save_and_add_another": False, **(extra_context or {})}  # one credential per provider
        return super().change_view(request, object_id, form_url, extra)

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
    MODEL_FIELDS = ("openai", "anthropic", "perplexity")

    strategies = forms.MultipleChoiceField(
        label=_("Strategies people may choose"), required=False, choices=STRATEGY_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "chorus-checks"}),
    )  # fmt: skip
    price_overrides = PriceTableField(
        label=_("Price overrides"),
        required=False,
        help_text=_("USD per million tokens (and per request, if the provider charges one) for the models whose "
                    "price differs from the built-in table. Empty rows are ignored."),
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
            "support_email",
        ]
        widgets = {"system_message": forms.Textarea(attrs={"rows": 3})}

    DOCUMENT_FIELDS = ("embedding_provider", "openai_embedding_model", "retrieval_top_k", "retrieval_min_score")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creds = {c.provider: c for c in selectors.credentials_list()}
        for provider in self.MODEL_FIELDS:
            name = f"{provider}_model"
            current = getattr(self.instance, name, "") or ""
            field = self.fields[name]
            self.fields[name] = forms.ChoiceField(
                label=field.label, help_text=field.help_text, required=True,
                choices=[(m, m) for m in model_choices(provider, current=current, credential=creds.get(provider))],
            )  # fmt: skip
        compatible = creds.get("openai_compatible")
        current = self.instance.openai_compatible_model or ""
        names = model_choices("openai_compatible", current=current, credential=compatible)
        field = self.fields["openai_compatible_model"]
        self.fields["openai_compatible_model"] = forms.ChoiceField(
            label=field.label, required=False,
            choices=[("", _("The server credential's default"))] + [(m, m) for m in names],
            help_text=_("Models come from the OpenAI-compatible server credential (and what its server reported)."),
        )  # fmt: skip
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
class OrchestrationSettingsAdmin(RecordsAdminActions, TenantModelAdmin):
    form = OrchestrationSettingsForm
    readonly_fields = ["history"]
    fieldsets = [
        (_("Answers"), {"fields": ["strategies", "default_strategy", "system_message"]}),
        (_("Models"), {"fields": ["openai_model", "anthropic_model", "perplexity_model", "openai_compatible_model"],
                       "description": _("Which model each provider answers with, unless a person picks another.")}),
        (_("Generation"), {"fields": ["default_temperature", "default_max_tokens", "request_timeout"]}),
        (_("Cost"), {"fields": ["max_cost_per_query", "prefer_cheaper_models", "price_overrides"]}),
        (_("Documents"), {"fields": ["embedding_provider", "openai_embedding_model", "retrieval_top_k",
                                     "retrieval_min_score"]}),
        (_("Support"), {"fields": ["support_email"],
                        "description": _("The app name, logo and colours are set in Workspace settings.")}),
        (_("History"), {"fields": ["history"]}),
    ]  # fmt: skip

    @admin.display(description=_("Changes"))
    def history(self, obj) -> str:
        return _history_html(obj)

    def has_add_permission(self, request):
        return False  # one row per workspace, created when the list is first opened

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one settings row per workspace: open it (made with the defaults the first time)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = services.settings_ensure()
        return HttpResponseRedirect(reverse("admin:orchestration_orchestrationsettings_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"show_save_and_continue": False, "show_save_and_add_another": False,
                 "title": gettext("Answer settings"), "subtitle": None, **(extra_context or {})}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra)

    def response_change(self, request, obj):
        self.message_user(request, gettext("The settings were saved."), messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        services.settings_save(obj=obj, user=request.user)


@admin.register(SettingsChange)
class SettingsChangeAdmin(TenantModelAdmin):
    list_display = ["when", "target_label", "changed_by", "summary"]
    list_filter = ["target"]
    readonly_fields = ["when", "target", "target_label", "changed_by", "summary"]
    fields = readonly_fields

    @admin.display(description=_("When"), ordering="changed_at")
    def when(self, obj) -> str:
        return local_datetime(obj.changed_at)

    @admin.display(description=_("What"))
    def summary(self, obj) -> str:
        return format_html_join("", "<div>{}</div>", ((line,) for line in describe_change(obj)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
