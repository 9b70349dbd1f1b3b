"""The chat page's first-run banner for workspace admins: no language model connected yet."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def model_banner(context) -> dict | None:
    """None unless the user is an owner or admin and no model answers yet (issue 11 §3)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if not getattr(user, "is_tenant_admin", False) or tenant is None or getattr(tenant, "is_public", True):
        return None
    from orchestration.selectors import model_connection

    from ..forms import tenant_config_memo

    status = tenant_config_memo("model_connection", model_connection)  # frozen: shared as is
    if status.connected:
        return None
    try:
        if status.credential_id:
            url = reverse("admin:orchestration_providercredential_change", args=[status.credential_id])
        else:
            url = reverse("admin:orchestration_providercredential_add")
        test_url = (
            reverse("admin:orchestration_providercredential_test", args=[status.credential_id])
            if status.credential_id
            else ""
        )
    except NoReverseMatch:
        return None
    return {"status": status, "url": url, "test_url": test_url}
