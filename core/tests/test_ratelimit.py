"""The shared rate-limit helper admits up to the limit, refuses past it with a retry time, per key."""

import uuid

from django.test import RequestFactory

from core import ratelimit


def test_it_admits_up_to_the_limit_then_refuses_with_a_retry_time():
    key = uuid.uuid4().hex
    verdicts = [ratelimit.hit("3/minute", "t", key) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert 1 <= verdicts[-1].retry_after <= 60


def test_it_counts_each_key_apart():
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    assert ratelimit.hit("1/minute", "t", a).allowed
    assert not ratelimit.hit("1/minute", "t", a).allowed
    assert ratelimit.hit("1/minute", "t", b).allowed


def test_peek_does_not_count():
    key = uuid.uuid4().hex
    for _ in range(3):
        assert ratelimit.peek("1/minute", "t", key).allowed
    assert ratelimit.hit("1/minute", "t", key).allowed
    assert not ratelimit.peek("1/minute", "t", key).allowed


def test_client_ip_ignores_forwarded_for_unless_a_proxy_is_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.5", HTTP_X_FORWARDED_FOR="127.0.0.9, 127.0.0.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(request) == "127.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "127.0.0.7"
