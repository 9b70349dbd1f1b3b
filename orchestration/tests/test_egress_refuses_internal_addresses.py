"""The egress policy's address check: every internal range is refused, public addresses pass,
and the operator's allow-list opens exactly what it names. Pure checks: nothing connects."""

import pytest

from orchestration import egress

INTERNAL = [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3",  # loopback, unspecified, "this network"
    "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1",  # RFC 1918
    "100.64.0.1", "100.127.255.254",  # carrier-grade NAT
    "169.254.169.254", "169.254.0.1",  # link-local, cloud metadata
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",  # multicast, reserved, broadcast
    "192.0.0.8", "198.18.0.1", "192.0.2.1",  # protocol assignments, benchmarking, documentation
    "::", "::1", "fe80::1", "fe80::1%1", "fd00:ec2::254", "fc00::1", "ff02::1", "fec0::1",  # IPv6
    "::ffff:10.0.0.5", "::ffff:127.0.0.1", "64:ff9b::a00:5", "2002:a00:5::1", "2001:db8::1",  # IPv4 inside IPv6
]  # fmt: skip
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize("address", INTERNAL)
def test_it_refuses_every_internal_range(address):
    assert egress.address_blocked(address) is True


@pytest.mark.parametrize("address", PUBLIC)
def test_it_lets_public_addresses_through(address):
    assert egress.address_blocked(address) is False


def test_it_allows_what_the_operator_lists_and_nothing_else(settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["localhost:11434", "Ollama", "127.0.0.1", "10.1.2.0/24", "[::1]:8000"]
    assert egress.host_allowed("localhost", 11434)
    assert not egress.host_allowed("localhost", 6379)  # the port is part of that entry
    assert egress.host_allowed("ollama", 80) and egress.host_allowed("OLLAMA.", 11434)
    assert egress.host_allowed("127.0.0.1", 5432)
    assert egress.host_allowed("10.1.2.9", 8080) and not egress.host_allowed("10.1.3.9", 8080)
    assert egress.host_allowed("::1", 8000) and not egress.host_allowed("::1", 8001)
    assert not egress.host_allowed("169.254.169.254", 80)
    settings.PROVIDER_ALLOWED_HOSTS = []
    assert not egress.host_allowed("localhost", 11434)
