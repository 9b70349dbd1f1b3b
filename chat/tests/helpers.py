"""Test helpers: an async client bound to a tenant host, reading an SSE response to its end."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from django_tenants.utils import schema_context

from chat.streaming.sse import parse_sse
from conftest import host_of


class HostAsyncClient(AsyncClient):
    """AsyncClient always sends ``host: testserver``; this one sends the tenant's host instead."""

    def __init__(self, host: str, **kwargs):
        super().__init__(**kwargs)
        self._host = host.encode()

    async def request(self, **request):
        request["headers"] = [(k, v) for k, v in request.get("headers", []) if k != b"host"] + [(b"host", self._host)]
        return await super().request(**request)


def async_client_for(tenant, user=None) -> HostAsyncClient:
    client = HostAsyncClient(host_of(tenant))
    if user is not None:
        sync = Client(HTTP_HOST=host_of(tenant))
        with schema_context(tenant.schema_name):
            sync.force_login(user)
        client.cookies = sync.cookies
    return client


def read_sse(tenant, user, message_id, headers=None):
    """GET the message's stream; returns (response, frames) once the stream ended."""
    client = async_client_for(tenant, user)

    async def run():
        response = await client.get(f"/chat/m/{message_id}/stream/", headers=headers or {})
        body = ""
        if response.status_code == 200:
            async for chunk in response.streaming_content:
                body += chunk.decode() if isinstance(chunk, bytes) else chunk
        return response, body

    response, body = async_to_sync(run)()
    return response, parse_sse(body)


def recording_redis(monkeypatch) -> list:
    """The commands the cache's Redis client sends from now on, each as its argument tuple."""
    from django.core.cache import cache

    sent: list = []
    client = cache._cache.get_client()
    real = client.execute_command

    def recording(*args, **kwargs):
        sent.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", recording)
    return sent
