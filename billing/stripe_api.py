"""The one place that builds a Stripe client (official SDK, no global state besides ``stripe.api_base``).

``STRIPE_API_BASE`` points the SDK elsewhere (the fake server in tests); unset, Stripe's own hosts.
Every call has an explicit timeout and bounded retries (the SDK retries 409/429/5xx and network
errors with backoff, reusing the idempotency key it generated for the POST).
"""

from __future__ import annotations

from functools import lru_cache

import stripe
from django.conf import settings

StripeError = stripe.StripeError


def configured() -> bool:
    """CONTRACT: with STRIPE_SECRET_KEY unset the billing pages say billing is not configured."""
    return bool(settings.STRIPE_SECRET_KEY)


def apply_api_base() -> None:
    """Module-level SDK calls (``stripe.Webhook``) and StripeClient agree on the API base."""
    base = settings.STRIPE_API_BASE
    stripe.api_base = base or stripe.DEFAULT_API_BASE
    stripe.meter_events_api_base = base or stripe.DEFAULT_METER_EVENTS_API_BASE


@lru_cache(maxsize=8)
def _client(key: str, base: str, retries: int, timeout: float) -> stripe.StripeClient:
    addresses: stripe.BaseAddresses = {"api": base, "meter_events": base} if base else {}
    return stripe.StripeClient(
        key,
        base_addresses=addresses,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def client() -> stripe.StripeClient:
    if not configured():
        raise stripe.AuthenticationError("Stripe is not configured (STRIPE_SECRET_KEY is unset).")
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_MAX_NETWORK_RETRIES,
        settings.STRIPE_TIMEOUT,
    )


def construct_event(payload: bytes, signature: str | None):
    """Verify Stripe's signature on the raw body (with Stripe's tolerance) and parse the event.

    Raises ``ValueError`` (not JSON) or ``stripe.SignatureVerificationError`` (missing, malformed,
    wrong or stale signature)."""
    return stripe.Webhook.construct_event(
        payload, signature or "", settings.STRIPE_WEBHOOK_SECRET, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE
    )
