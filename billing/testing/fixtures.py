"""Pytest fixtures for every app: the fake Stripe server with the settings pointing the SDK at it.

Registered by the root conftest (``pytest_plugins``), so chat's browser tests can use it too."""

import pytest

from billing.testing.fake_stripe import FakeStripe

SECRET = "whsec_test_chorus"  # noqa: S105 - a test secret


@pytest.fixture(scope="session")
def _fake_stripe_server():
    server = FakeStripe(webhook_secret=SECRET)
    yield server
    server.close()


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    """The fake Stripe API with this test's settings pointing the SDK at it (no retries: failures are quick)."""
    from billing import stripe_api

    _fake_stripe_server.reset()
    settings.STRIPE_SECRET_KEY = "sk_test_chorus"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = _fake_stripe_server.base_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT = 5.0
    stripe_api.apply_api_base()
    yield _fake_stripe_server
    _fake_stripe_server.reset()
