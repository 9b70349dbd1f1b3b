"""The webhook answers 400 to a missing, malformed, wrongly signed, stale or tampered signature and
changes nothing; a valid one (even among several signatures) is stored and acknowledged."""

import hashlib
import hmac
import json
import time

import pytest

from billing.models import StripeEvent


@pytest.fixture
def event(fake_stripe):
    return fake_stripe.event("customer.created", {"id": "cus_x", "object": "customer"})


def _post(public_client, payload, header=None):
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
    return public_client.post("/billing/stripe/webhook/", data=payload, content_type="application/json", **extra)


def test_it_accepts_a_valid_signature(public_client, fake_stripe, event):
    payload, header = fake_stripe.signed(event)
    response = _post(public_client, payload, header)
    assert response.status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=", "v1=deadbeef"])
def test_it_refuses_a_missing_or_malformed_header(public_client, fake_stripe, event, header):
    payload = json.dumps(event)
    assert _post(public_client, payload, header).status_code == 400
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_it_refuses_a_wrong_secret(public_client, fake_stripe, event):
    payload, header = fake_stripe.signed(event, secret="whsec_someone_else")
    assert _post(public_client, payload, header).status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_refuses_a_stale_timestamp(public_client, fake_stripe, event, settings):
    payload, header = fake_stripe.signed(event, timestamp=int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE - 5)
    assert _post(public_client, payload, header).status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_accepts_two_signatures_of_which_one_is_valid(public_client, fake_stripe, event):
    payload, header = fake_stripe.signed(event)
    t = header.split(",")[0]
    wrong = hmac.new(b"whsec_old", f"{t[2:]}.{payload}".encode(), hashlib.sha256).hexdigest()
    both = f"{t},v1={wrong},{header.split(',')[1]}"
    assert _post(public_client, payload, both).status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_it_refuses_a_tampered_body(public_client, fake_stripe, event):
    payload, header = fake_stripe.signed(event)
    tampered = payload.replace("cus_x", "cus_y")
    assert _post(public_client, tampered, header).status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_refuses_everything_when_no_webhook_secret_is_configured(public_client, fake_stripe, event, settings):
    payload, header = fake_stripe.signed(event)
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert _post(public_client, payload, header).status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_is_not_served_on_a_tenant_host(owner_client, fake_stripe, event):
    payload, header = fake_stripe.signed(event)
    response = owner_client.post(
        "/billing/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 404
    assert not StripeEvent.objects.exists()
