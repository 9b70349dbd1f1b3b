"""Where provider calls may go: the check of tenant-set base URLs, on save and at connect time.

A tenant admin can point the ``openai_compatible`` provider at a server of their own. The worker
then POSTs there with the tenant's key, so an unchecked URL would let an admin reach whatever the
worker can reach: loopback services, the private network, a cloud metadata endpoint. Two checks:

- on save, :func:`validate_base_url` refuses what is never a provider endpoint (other schemes,
  user info, a query, a path that is not a plain base path, an internal address literal) and
  refuses any URL for the vendor providers, whose endpoints are fixed (the operator may override
  them by environment: ``OPENAI_BASE_URL`` ...);
- at connect time, :class:`GuardedTransport` (an httpx transport, given to the SDK's client)
  resolves the host itself, refuses when any address it resolves to is internal, and connects to
  the address it checked, so a DNS answer that changes between the check and the connection
  (rebinding) cannot slip through.

The operator allows hosts in ``PROVIDER_ALLOWED_HOSTS`` (self-hosters run Ollama on localhost):
``localhost``, ``ollama``, ``127.0.0.1``, ``10.0.0.0/8``, or with a port, ``localhost:11434``.

Every refusal looks like any other failure to connect (``httpcore2.ConnectError``): the user sees
one message for refused, unreachable, blocked and unresolvable hosts alike.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore2
import httpx2
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

VENDOR_PROVIDERS = ("openai", "anthropic", "perplexity")  # endpoints fixed; the operator overrides by env

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges no tenant-set URL may reach, beyond what ``ipaddress`` already calls non-global. IPv6
# addresses that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address too.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches loopback on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata at 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHID, ...)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local (ULA), AWS metadata at fd00:ec2::254
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Host names that are internal whatever DNS says (refused on save; at connect time their addresses are)
INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata")
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")

_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


class EgressRefused(httpcore2.ConnectError):
    """The connection was refused by the egress policy (raised as any other failure to connect)."""


def _unwrap(ip: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return None


def address_blocked(address: str | IPAddress) -> bool:
    """Whether a tenant-set URL may not reach ``address`` (loopback, private, CGNAT, ULA,
    link-local, metadata, multicast, unspecified, reserved, documentation, ...)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    inner = _unwrap(ip)
    if inner is not None and address_blocked(inner):
        return True
    if any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version):
        return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


# --- the operator's allow-list ------------------------------------------------------------------


@dataclass(frozen=True)
class _Allowed:
    names: frozenset[tuple[str, int | None]]
    networks: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None], ...]


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:11434 or [::1]
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _allowed(entries: Iterable[str]) -> _Allowed:
    names: set[tuple[str, int | None]] = set()
    networks = []
    for raw in entries:
        entry = raw.strip().lower().rstrip(".")
        if not entry:
            continue
        host, port = _split_port(entry)
        try:
            networks.append((ipaddress.ip_network(host, strict=False), port))
        except ValueError:
            names.add((host, port))
    return _Allowed(frozenset(names), tuple(networks))


def allow_list() -> _Allowed:
    return _allowed(getattr(settings, "PROVIDER_ALLOWED_HOSTS", ()) or ())


def _port_ok(allowed_port: int | None, port: int | None) -> bool:
    return allowed_port is None or allowed_port == port


def host_allowed(host: str, port: int | None, allowed: _Allowed | None = None) -> bool:
    """Whether the operator allowed ``host`` (by name, address or network) on ``port``."""
    allowed = allowed or allow_list()
    host = host.strip("[]").lower().rstrip(".")
    if any(name == host and _port_ok(p, port) for name, p in allowed.names):
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net and _port_ok(p, port) for net, p in allowed.networks)


# --- on save ------------------------------------------------------------------------------------


def _is_internal_name(host: str) -> bool:
    return host in INTERNAL_NAMES or host.endswith(INTERNAL_SUFFIXES) or "." not in host


def _legacy_numeric(host: str) -> bool:
    """An address in a form only inet_aton reads (2130706433, 0x7f.1, 127.1): resolvers accept it."""
    try:
        socket.inet_aton(host)
    except OSError:
        return host.replace(".", "").isdigit()
    return True


def validate_base_url(url: str, *, provider: str) -> None:
    """Refuse a base URL a tenant admin may not set; raises ValidationError with a plain reason."""
    if not url:
        return
    if provider in VENDOR_PROVIDERS:
        raise ValidationError(
            _(
                "The endpoint of this provider is fixed; leave the base URL empty (an OpenAI-compatible server "
                "takes a base URL)."
            ),  # fmt: skip
            code="vendor_endpoint",
        )
    if any(c.isspace() or ord(c) < 32 or c in "\\%" for c in url):
        raise ValidationError(_("Enter a plain base URL, e.g. https://llm.example.com/v1."), code="base_url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("The base URL must start with http:// or https://."), code="base_url_scheme")
    if "@" in parts.netloc:
        raise ValidationError(_("The base URL may not contain a user name or password."), code="base_url_userinfo")
    if parts.query or parts.fragment or "?" in url or "#" in url or ";" in parts.path:
        raise ValidationError(_("The base URL may not contain a query or a fragment."), code="base_url_query")
    segments = [s for s in parts.path.split("/") if s]
    if any(not _PATH_SEGMENT.match(s) or s in (".", "..") for s in segments) or "//" in parts.path:
        raise ValidationError(_("The base URL's path may only be a plain base path, e.g. /v1."), code="base_url_path")
    try:
        port = parts.port
        host = (parts.hostname or "").lower().rstrip(".")  # "localhost." is localhost
    except ValueError:
        raise ValidationError(_("The base URL's port is not valid."), code="base_url_port") from None
    if not host:
        raise ValidationError(_("The base URL needs a host name."), code="base_url_host")
    if host_allowed(host, port or (443 if parts.scheme == "https" else 80)):
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        internal = address_blocked(ip)
    elif not _HOST_NAME.match(host) or _legacy_numeric(host):
        raise ValidationError(_("The base URL's host name is not valid."), code="base_url_host")
    else:
        internal = _is_internal_name(host)
    if internal:
        raise ValidationError(
            _(
                "This address is on a private or local network. The platform's operator can allow it "
                "(PROVIDER_ALLOWED_HOSTS)."
            ),  # fmt: skip
            code="base_url_internal",
        )


# --- at connect time ----------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (replaced in tests by a stub: no DNS, no traffic)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_rest, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


def vet(host: str, port: int) -> list[str]:
    """The addresses to connect to for ``host``; raises EgressRefused when the policy forbids it.

    Every address the name resolves to must be allowed (a name resolving to one public and one
    private address is refused), and the caller connects to these addresses, never to the name.
    """
    host = host.strip("[]").rstrip(".")
    allowed = allow_list()
    by_name = host_allowed(host, port, allowed)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise httpcore2.ConnectError("name resolution failed") from exc
    if not addresses:
        raise httpcore2.ConnectError("name resolution failed")
    if not by_name:
        for address in addresses:
            if address_blocked(address) and not host_allowed(address, port, allowed):
                log.warning("provider connection refused by the egress policy (host %s resolves to an internal "
                            "address; an operator may allow it in PROVIDER_ALLOWED_HOSTS)", host)  # fmt: skip
                raise EgressRefused("refused by the egress policy")
    return addresses


class GuardedBackend(httpcore2.SyncBackend):
    """A network backend that resolves and checks the host itself, then connects to the checked address."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = vet(host, port)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore2.ConnectTimeout:
                raise
            except httpcore2.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - never configured
        raise EgressRefused("unix sockets are not allowed")


class GuardedTransport(httpx2.HTTPTransport):
    """An httpx transport for tenant-set URLs: the connection pool uses :class:`GuardedBackend`, and no proxy
    (a proxy would resolve the name itself, out of the check's reach)."""

    def __init__(self, *, limits: httpx2.Limits | None = None) -> None:
        super().__init__(trust_env=False)
        limits = limits or httpx2.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),  # SSL_CERT_FILE still counts: private CAs of self-hosters
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )


def http_client(*, guarded: bool, timeout: httpx2.Timeout) -> httpx2.Client:
    """The HTTP client for a provider SDK: redirects never followed; tenant-set URLs through the guard."""
    if guarded:
        return httpx2.Client(transport=GuardedTransport(), timeout=timeout, follow_redirects=False, trust_env=False)
    limits = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)  # the SDKs' own defaults
    return httpx2.Client(timeout=timeout, follow_redirects=False, limits=limits)


def refused_by_policy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a refusal of the egress policy (for logs only)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, EgressRefused):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
