"""The refusal of a question over a quota, as chat's views answer it (CONTRACT: 429, the limit's
name, its reset time and the upgrade link; nothing stored)."""

from __future__ import annotations

from django.shortcuts import render

from .services.usage import QuotaExceeded


def quota_refusal(request, exc: QuotaExceeded, *, target: str = "#composer-alert"):
    context = {"exc": exc, "upgrade_url": exc.upgrade_url}
    if request.headers.get("HX-Request"):
        response = render(request, "billing/_quota_alert.html", context, status=429)
        response["HX-Retarget"] = target
        response["HX-Reswap"] = "innerHTML"
        response["X-Chat-Problem"] = "429"
    else:
        response = render(request, "billing/quota_exceeded.html", context, status=429)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response
