"""Validated shapes of the tenant's JSON columns (seed 000: branding, settings, features, legal)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from pydantic import ValidationError as PydanticValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Branding(_Strict):
    app_name: str = Field(default="", max_length=60)
    logo_url: HttpUrl | None = None
    primary_color: str = Field(default="#4f46e5", pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str = Field(default="#0ea5e9", pattern=r"^#[0-9a-fA-F]{6}$")


class Features(_Strict):
    max_users: int | None = Field(default=None, ge=1)
    max_documents: int | None = Field(default=None, ge=0)
    monthly_questions: int | None = Field(default=None, ge=0)
    # Questions per minute for the whole workspace (operator-set); None: QUESTIONS_PER_MINUTE_TENANT.
    questions_per_minute: int | None = Field(default=None, ge=1)
    document_upload: bool = True
    multi_model: bool = True
    export: bool = True


class Legal(_Strict):
    company_name: str = Field(default="", max_length=200)
    terms_url: HttpUrl | None = None
    privacy_url: HttpUrl | None = None
    imprint_url: HttpUrl | None = None


class TenantSettings(_Strict):
    signup_policy: Literal["open", "invite", "domains"] = "invite"
    allowed_email_domains: list[str] = Field(default_factory=list)
    default_language: Literal["en", "sl"] = "en"
    timezone: str = "UTC"
    archive_after_days: int = Field(default=30, ge=1, le=3650)
    purge_deleted_after_days: int = Field(default=30, ge=1, le=3650)


SCHEMAS: dict[str, type[BaseModel]] = {
    "branding": Branding,
    "features": Features,
    "legal": Legal,
    "settings": TenantSettings,
}


@deconstructible
class SchemaValidator:
    """A Django field validator that checks a JSON value against one of SCHEMAS."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, value) -> None:
        try:
            SCHEMAS[self.name].model_validate(value or {})
        except PydanticValidationError as exc:
            messages = [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()]
            raise ValidationError(messages) from None

    def __eq__(self, other) -> bool:
        return isinstance(other, SchemaValidator) and other.name == self.name


def normalised(name: str, value: dict | None) -> dict:
    """The value with defaults filled in, as stored."""
    return SCHEMAS[name].model_validate(value or {}).model_dump(mode="json")
