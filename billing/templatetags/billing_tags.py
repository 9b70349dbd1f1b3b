from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cents(value) -> str:
    return f"{Decimal(int(value or 0)) / 100:.2f}"


@register.simple_tag
def chart_labels() -> dict:
    return {"questions": _("Questions"), "tokens": _("Tokens")}


@register.inclusion_tag("billing/_my_usage.html", takes_context=True)
def my_usage(context) -> dict:
    """A member's own usage and limits (the preferences page)."""
    from billing import quotas, selectors

    request = context["request"]
    user = request.user
    try:
        limits = quotas.limits_for(schema=request.tenant.schema_name, user_id=user.pk)
    except quotas.UnknownTenant:
        return {"my_usage": None}
    meters = [m for m in selectors.meters_for(limits=limits, user_id=user.pk) if m.kind != "documents"]
    return {"my_usage": {"meters": meters, "tier": limits.tier_name}, "user": user}
