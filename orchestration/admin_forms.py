"""Form pieces of the orchestration admin: model pickers, the price table, readable history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orchestration.models import STRATEGY_LABELS, OrchestrationSettings, ProviderCredential, SettingsChange
from orchestration.pricing import PRICES, known_models

PROVIDER_LABELS = {"openai": "OpenAI", "anthropic": "Anthropic", "perplexity": "Perplexity"}


def model_choices(provider: str, *, current: str = "", credential: ProviderCredential | None = None) -> list[str]:
    """Models offered for ``provider``: what its credential lists or the provider reported, the
    price table's, and the value already stored (so saving never loses it)."""
    names: list[str] = []
    if credential is not None:
        names += list(credential.model_names or []) + list(credential.reported_models or [])
    names += known_models(provider)
    if current:
        names.insert(0, current)
    return list(dict.fromkeys(n for n in names if n))


def local_datetime(value) -> str:
    """A date and time in the admin's time zone (the user's, activated by the middleware)."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


class PriceTableWidget(forms.Widget):
    """Price overrides as a table: model, input and output USD per million tokens, per request."""

    template_name = "orchestration/price_table.html"
    COLUMNS = ("model", "input", "output", "request")
    BLANK_ROWS = 2

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = []
        if isinstance(value, dict):
            for model, price in value.items():
                price = price if isinstance(price, dict) else {}
                rows.append({"model": model, **{k: price.get(k, "") for k in ("input", "output", "request")}})
        elif isinstance(value, list):  # a re-rendered form with errors
            rows = list(value)
        rows += [dict.fromkeys(self.COLUMNS, "") for _i in range(self.BLANK_ROWS)]
        context["widget"].update(rows=rows, known=list(PRICES), name=name)
        return context

    def value_from_datadict(self, data, files, name):
        rows = []
        for i in range(200):
            if f"{name}-{i}-model" not in data:
                break
            rows.append({c: (data.get(f"{name}-{i}-{c}") or "").strip() for c in self.COLUMNS})
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-0-model" not in data


class PriceTableField(forms.Field):
    widget = PriceTableWidget

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        out: dict = {}
        for row in value or []:
            model = row.get("model", "")
            numbers = [row.get(c, "") for c in ("input", "output", "request")]
            if not model and not any(numbers):
                continue
            if not model:
                raise forms.ValidationError(_("Name the model of every price row."))
            if model in out:
                raise forms.ValidationError(_("%(model)s is listed twice.") % {"model": model})
            price = {}
            for column, raw in zip(("input", "output", "request"), numbers, strict=True):
                if raw == "" and column == "request":
                    continue
                try:
                    amount = Decimal((raw or "0").replace(",", "."))
                except InvalidOperation:
                    raise forms.ValidationError(
                        _("“%(value)s” is not a price (for %(model)s).") % {"value": raw, "model": model}
                    ) from None
                if amount < 0 or not amount.is_finite():
                    raise forms.ValidationError(_("Prices cannot be negative (%(model)s).") % {"model": model})
                price[column] = float(amount)
            out[model] = price
        return out


# --- Readable history -----------------------------------------------------------------------------

FIELD_LABELS = {
    "api_key": gettext_lazy("API key"),
    "strategies_enabled": gettext_lazy("Strategies"),
    "deleted": gettext_lazy("Deleted"),
}
API_KEY_EVENTS = {
    "set": gettext_lazy("API key set"),
    "replaced": gettext_lazy("API key replaced"),
    "cleared": gettext_lazy("API key cleared"),
}


def _label(name: str, target: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    model = OrchestrationSettings if target == SettingsChange.Target.SETTINGS else ProviderCredential
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field removed since the change was recorded
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _value(name: str, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "default_strategy":
        return str(STRATEGY_LABELS.get(value, value))
    if name == "strategies_enabled" and isinstance(value, dict):
        on = [str(STRATEGY_LABELS.get(s, s)) for s, enabled in value.items() if enabled]
        return ", ".join(on) or "—"
    if name == "price_overrides" and isinstance(value, dict):
        return ", ".join(value) or "—"
    if name == "provider":
        return str(dict(ProviderCredential._meta.get_field("provider").choices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "…"


def describe_change(change: SettingsChange) -> list[str]:
    """One line per field: "Default strategy: Single model → Consensus of several models"."""
    lines = []
    for name, value in (change.changes or {}).items():
        if name == "api_key":
            lines.append(str(API_KEY_EVENTS.get(value, FIELD_LABELS["api_key"])))
        elif name == "deleted":
            lines.append(_("Deleted"))
        elif isinstance(value, dict) and "to" in value:
            before, after = value.get("from"), value.get("to")
            if name == "strategies_enabled" and isinstance(before, dict) and isinstance(after, dict):
                added = [str(STRATEGY_LABELS.get(s, s)) for s in after if after.get(s) and not before.get(s)]
                removed = [str(STRATEGY_LABELS.get(s, s)) for s in before if before.get(s) and not after.get(s)]
                parts = [f"+ {s}" for s in added] + [f"− {s}" for s in removed]
                if parts:
                    lines.append(f"{_label(name, change.target)}: {', '.join(parts)}")
                elif not before:
                    lines.append(f"{_label(name, change.target)}: {_value(name, after)}")
                continue
            lines.append(f"{_label(name, change.target)}: {_value(name, before)} → {_value(name, after)}")
        else:
            lines.append(_label(name, change.target))
    return lines
