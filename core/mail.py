"""Branded e-mail: every message goes out as text + HTML in the workspace's name, logo and colour,
from DEFAULT_FROM_EMAIL's address under the workspace's display name (issue 11 §6)."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

DEFAULT_BRAND = {"app_name": "Chorus", "logo_url": None, "primary_color": "#4f46e5"}


def brand_of(tenant) -> dict:
    """The branding a message from ``tenant`` carries (the platform's own for the public host)."""
    if tenant is None or getattr(tenant, "is_public", True):
        return dict(DEFAULT_BRAND)
    data = tenant.branding_data
    return {
        "app_name": data.get("app_name") or tenant.name,
        "logo_url": data.get("logo_url") or None,
        "primary_color": data.get("primary_color") or DEFAULT_BRAND["primary_color"],
    }


def from_email(app_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address, shown under the workspace's name ("Acme AI <noreply@…>")."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((app_name, address or settings.DEFAULT_FROM_EMAIL))


def build(*, template: str, to: list[str], subject: str, context: dict, brand: dict) -> EmailMultiAlternatives:
    """``template``.txt and ``template``.html rendered with ``brand`` (render in the recipient's
    language: call inside ``translation.override``)."""
    ctx = {**context, "brand": brand, "subject": subject}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", ctx),
        from_email=from_email(brand["app_name"]),
        to=to,
    )
    message.attach_alternative(render_to_string(f"{template}.html", ctx), "text/html")
    return message
