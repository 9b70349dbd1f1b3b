"""A tenant-set base URL is resolved and checked when the worker connects, and the connection
goes to the address that was checked. Refused addresses are never connected to: the resolver is
a stub, and every TCP connect of the test is recorded (only 127.0.0.1 is ever reached)."""

import socket

import httpcore2
import pytest

from orchestration import egress
from orchestration.providers import Call, ProviderConfig, ProviderError, get
from orchestration.tests.conftest import ask, last, run, text_of

GENERIC = "OpenAI-compatible server could not be reached."


@pytest.fixture
def connects(monkeypatch):
    """The addresses the HTTP layer connects to; a TCP connect anywhere but loopback (by anything)
    fails the test before it leaves the machine."""
    seen: list = []
    real_tcp = httpcore2.SyncBackend.connect_tcp
    real_connect = socket.socket.connect

    def connect_tcp(self, host, port, *args, **kwargs):
        seen.append(host)
        return real_tcp(self, host, port, *args, **kwargs)

    def connect(sock, address):  # socket.create_connection and every client library end here
        if isinstance(address, tuple):
            assert address[0] in ("127.0.0.1", "::1"), f"attempted a connection to {address[0]}"
        return real_connect(sock, address)

    monkeypatch.setattr(httpcore2.SyncBackend, "connect_tcp", connect_tcp)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.fixture
def dns(monkeypatch):
    """``dns["llm.example.com"] = ["10.0.0.5"]``: what the stub resolver answers (a list, or an exception)."""
    answers: dict = {}
    asked: list = []

    def resolve(host, port):
        asked.append(host)
        answer = answers.get(host, socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
        if isinstance(answer, Exception):
            raise answer
        return list(answer)

    monkeypatch.setattr(egress, "resolve", resolve)
    answers["asked"] = asked
    return answers


def guarded(base_url: str, key: str = "sk-test") -> ProviderConfig:
    return ProviderConfig(provider="openai_compatible", api_key=key, base_url=base_url, models=("llama3",),
                          default_model="llama3", guarded=True, schema="test_egress", connect_timeout=1,
                          read_timeout=2, total_timeout=10, max_retries=0)  # fmt: skip


def call(config: ProviderConfig) -> Call:
    return Call(get(config), messages=[{"role": "user", "content": "Hi"}])


def failure(config: ProviderConfig) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        call(config).run()
    return info.value


@pytest.mark.parametrize(
    "addresses",
    [["10.0.0.5"], ["169.254.169.254"], ["fd00:ec2::254"], ["127.0.0.1"], ["100.64.0.7"], ["0.0.0.0"],
     ["93.184.216.34", "10.0.0.5"]],  # one internal address among public ones is enough to refuse
    ids=["rfc1918", "metadata", "aws-ipv6-metadata", "loopback", "cgnat", "unspecified", "mixed"],
)  # fmt: skip
def test_it_refuses_a_name_resolving_to_an_internal_address_without_connecting(fake_llm, dns, connects, addresses):
    dns["llm.example.com"] = addresses
    err = failure(guarded("https://llm.example.com/v1"))
    assert err.code == "connection" and err.user_message == GENERIC
    assert "egress policy" in err.detail  # the operator's log says why; the user's message does not
    assert connects == [] and dns["asked"] == ["llm.example.com"]
    assert fake_llm.requests == []


def test_it_answers_through_an_allowed_local_server_end_to_end(fake_llm, tenant_a, in_tenant, credential, settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.behave("llama3", text="From the local server.")
    with in_tenant(tenant_a):
        credential("openai_compatible", key="", models=["llama3"])
        events = run(ask())
    assert text_of(events) == "From the local server."
    assert len(fake_llm.requests_for("llama3")) == 1


def test_it_refuses_the_local_server_once_the_operator_no_longer_allows_it(
    fake_llm, tenant_a, in_tenant, credential, settings, connects
):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    with in_tenant(tenant_a):
        credential("openai_compatible", key="", models=["llama3"])
        settings.PROVIDER_ALLOWED_HOSTS = []
        events = run(ask())
    assert GENERIC.rstrip(".") in last(events, "error").data["message"]  # listed without its full stop
    assert fake_llm.requests_for("llama3") == []
    assert connects == []


def test_it_connects_to_the_address_it_checked_and_checks_every_new_connection(fake_llm, dns, connects, settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    port = fake_llm.url.rsplit(":", 1)[1]
    fake_llm.behave("llama3", text="checked")
    dns["llm.example.com"] = ["127.0.0.1"]
    assert call(guarded(f"http://llm.example.com:{port}/v1", key="sk-first")).run().text == "checked"
    assert connects == ["127.0.0.1"]  # the checked address, not the name
    dns["llm.example.com"] = ["10.0.0.5"]  # the name now points elsewhere (rebinding)
    assert failure(guarded(f"http://llm.example.com:{port}/v1", key="sk-second")).code == "connection"
    assert connects == ["127.0.0.1"]


def test_it_gives_one_message_for_every_failure_to_connect(fake_llm, dns, connects, settings, monkeypatch):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1", "closed.example"]
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    dns["blocked.example"] = ["10.0.0.5"]
    dns["closed.example"] = ["127.0.0.1"]
    blocked = failure(guarded("https://blocked.example/v1"))
    unresolvable = failure(guarded("https://nowhere.example/v1"))
    refused = failure(guarded(f"http://closed.example:{closed_port}/v1"))

    def slow(self, host, port, timeout=None, local_address=None, socket_options=None):
        raise httpcore2.ConnectTimeout("timed out")  # what the socket layer raises when a SYN goes unanswered

    monkeypatch.setattr(httpcore2.SyncBackend, "connect_tcp", slow)
    dns["slow.example"] = ["93.184.216.34"]
    timed_out = failure(guarded("https://slow.example/v1"))
    assert {(e.code, e.user_message, e.status) for e in (blocked, unresolvable, refused, timed_out)} == {
        ("connection", GENERIC, None)
    }
    assert connects == ["127.0.0.1"]  # only the refused loopback port was tried
