from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orchestration import engine

from .selectors import FILTERS

STRATEGY_LABELS = {
    "single_provider": _("Single model"),
    "parallel_consensus": _("Consensus of several models"),
    "sequential_enhance": _("Research, analyse, structure"),
    "rag_enhanced": _("From your documents"),
    "adaptive": _("Automatic (adaptive)"),
}


def picker_choices() -> dict:
    """What the strategy/model picker offers: only what the tenant enabled (engine.choices())."""
    choices = engine.choices()
    strategies = [(s, STRATEGY_LABELS.get(s, s.replace("_", " ").capitalize())) for s in choices.get("strategies", [])]
    models = [("", _("Automatic"))] + [(m, m.split(":", 1)[-1]) for m in choices.get("models", [])]
    return {"strategies": strategies, "models": models, "default_strategy": choices.get("default_strategy") or ""}


NEEDS_DOCUMENTS = ("rag_enhanced",)  # strategies that answer from documents only


def offered_choices(user) -> dict:
    """What the composer shows ``user``: :func:`picker_choices` without the strategies that cannot
    work yet (answering from documents while the user can read none; issue 11 §4). The form still
    accepts every enabled strategy, so a conversation that used one keeps working."""
    choices = picker_choices()
    if any(s in NEEDS_DOCUMENTS for s, _label in choices["strategies"]) and not _has_documents(user):
        kept = [(s, label) for s, label in choices["strategies"] if s not in NEEDS_DOCUMENTS]
        if kept:
            choices["strategies"] = kept
            if choices["default_strategy"] in NEEDS_DOCUMENTS:
                choices["default_strategy"] = kept[0][0]
    return choices


def _has_documents(user) -> bool:
    """One statement (the composer is on every conversation page): two EXISTS joined by OR."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, Q

    from documents.models import Document
    from documents.selectors import documents_for_user, knowledge_base_documents, with_passages

    ready = Document.Status.READY  # images and audio alone give the documents strategy nothing to read
    either = Q(Exists(with_passages(documents_for_user(user=user).filter(status=ready)))) | Q(
        Exists(with_passages(knowledge_base_documents().filter(status=ready)))
    )
    return get_user_model().objects.filter(either, pk=user.pk).exists()


class MessageForm(forms.Form):
    content = forms.CharField(max_length=32_000, strip=True, widget=forms.Textarea)
    strategy = forms.CharField(required=False, max_length=50)
    model = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices or picker_choices()

    def clean_strategy(self):
        value = self.cleaned_data["strategy"]
        if value and value not in dict(self.choices["strategies"]):
            raise forms.ValidationError(_("This strategy is not available."))
        return value or None

    def clean_model(self):
        value = self.cleaned_data["model"]
        if value and value not in dict(self.choices["models"]):
            raise forms.ValidationError(_("This model is not available."))
        return value or None


class EditForm(forms.Form):
    content = forms.CharField(max_length=32_000, strip=True)


class RenameForm(forms.Form):
    title = forms.CharField(max_length=500, strip=True)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[("1", "up"), ("-1", "down"), ("0", "none")], coerce=int)


class MistakeForm(forms.Form):
    is_mistake = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=2000, strip=True)


class ToggleForm(forms.Form):
    on = forms.BooleanField(required=False)


class ListForm(forms.Form):
    filter = forms.ChoiceField(choices=[(f, f) for f in FILTERS], required=False)
    cursor = forms.CharField(required=False, max_length=200)
    deleted = forms.UUIDField(required=False)


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)


class ImportForm(forms.Form):
    file = forms.FileField()
