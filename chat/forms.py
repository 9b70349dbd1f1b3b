from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.versioned_cache import VersionedCache
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
    """What the strategy/model picker offers: only what the tenant enabled (engine.choices()).

    Memoised per process under the schema's orchestration config token (:data:`TENANT_CONFIG`):
    reading it through ``engine.choices()`` copied the settings and decrypted every provider key
    on each conversation page. A save through the orchestration services replaces the token."""
    return dict(tenant_config_memo("picker", _picker_choices))  # callers replace keys, never mutate the lists


def _picker_choices() -> dict:
    choices = engine.choices()
    strategies = [(s, STRATEGY_LABELS.get(s, s.replace("_", " ").capitalize())) for s in choices.get("strategies", [])]
    models = [("", _("Automatic"))] + [(m, m.split(":", 1)[-1]) for m in choices.get("models", [])]
    return {"strategies": strategies, "models": models, "default_strategy": choices.get("default_strategy") or ""}


# The orchestration config token (orchestration.selectors.CONFIG shares the namespace, so its
# services' bumps reach this memo too); chat reads it, orchestration never imports chat.
TENANT_CONFIG = VersionedCache("orchestration:config", ttl=60.0, clone=lambda value: value)


def tenant_config_memo(key: str, compute):
    """``compute()`` memoised under the current schema's orchestration config token; read afresh
    in the public schema and inside a transaction that changed the config (not yet committed)."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    from orchestration.selectors import CONFIG

    schema = getattr(connection, "schema_name", get_public_schema_name())
    if schema == get_public_schema_name() or CONFIG._changed_here(schema):
        return compute()
    return TENANT_CONFIG.get(key, compute)


NEEDS_DOCUMENTS = ("rag_enhanced",)  # strategies that answer from documents only


def offered_choices(user, *, has_documents: bool | None = None) -> dict:
    """What the composer shows ``user``: :func:`picker_choices` without the strategies that cannot
    work yet (answering from documents while the user can read none; issue 11 §4). The form still
    accepts every enabled strategy, so a conversation that used one keeps working.

    ``has_documents``: the answer of :func:`documents_exists_sql`, read with another statement
    (the conversation page's row); None: asked here."""
    choices = picker_choices()
    if not needs_documents_check(choices):
        return choices
    if has_documents is None:
        has_documents = _has_documents(user)
    if not has_documents:
        kept = [(s, label) for s, label in choices["strategies"] if s not in NEEDS_DOCUMENTS]
        if kept:
            choices["strategies"] = kept
            if choices["default_strategy"] in NEEDS_DOCUMENTS:
                choices["default_strategy"] = kept[0][0]
    return choices


def needs_documents_check(choices: dict | None = None) -> bool:
    """Whether the composer must know if the user can read documents (a documents strategy is on)."""
    choices = choices if choices is not None else picker_choices()
    return any(s in NEEDS_DOCUMENTS for s, _label in choices["strategies"])


def _documents_query(user):
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, Q

    from documents.models import Document
    from documents.selectors import documents_for_user, knowledge_base_documents, with_passages

    ready = Document.Status.READY  # images and audio alone give the documents strategy nothing to read
    either = Q(Exists(with_passages(documents_for_user(user=user).filter(status=ready)))) | Q(
        Exists(with_passages(knowledge_base_documents().filter(status=ready)))
    )
    return get_user_model().objects.filter(either, pk=user.pk)


_documents_sql: tuple[str, list] | None = None  # the statement compiled once per process (~1.5 ms of ORM CPU a page)


def _has_documents(user) -> bool:
    """One statement (the composer is on every conversation page): two EXISTS joined by OR.

    Built by the ORM once per process; later pages run the same SQL with their user's id (every
    parameter that was the first user's id), so the page pays the round trip, not the compiling."""
    from django.db import connection

    sql, params = documents_exists_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def documents_exists_sql(user) -> tuple[str, list]:
    """The documents check as ``(sql, params)`` for ``user``: a row when the user can read one."""
    from django.db import connection

    global _documents_sql
    if _documents_sql is None:
        query = _documents_query(user).query.exists(limit=True)
        sql, params = query.get_compiler(connection=connection).as_sql()
        _documents_sql = (sql, [(USER if p == user.pk else p) for p in params])
    sql, params = _documents_sql
    return sql, [user.pk if p is USER else p for p in params]


USER = object()  # the place of the user's id among the compiled statement's parameters


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
