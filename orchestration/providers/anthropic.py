"""Anthropic through the official ``anthropic`` SDK (messages API, streamed events with usage)."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic

from core import egress

from .base import ClientCache, Completion, Provider, ProviderConfig, ProviderError, connect_failure, timeout

CLIENTS = ClientCache()


def _build(c: ProviderConfig) -> anthropic.Anthropic:
    t = timeout(c.connect_timeout, c.read_timeout)
    return anthropic.Anthropic(
        api_key=c.api_key, base_url=c.base_url or None, timeout=t, max_retries=c.max_retries,
        http_client=egress.http_client(guarded=c.guarded, timeout=t),
    )  # fmt: skip


def to_anthropic(messages: list[dict]) -> tuple[str, list[dict]]:
    """OpenAI-style messages -> (system, alternating user/assistant turns starting with user)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[dict] = []
    for m in messages:
        if m["role"] == "system":
            continue
        content = _blocks(m) if m.get("images") else m["content"]
        if turns and turns[-1]["role"] == m["role"]:
            before = turns[-1]["content"]
            if isinstance(before, str) and isinstance(content, str):
                turns[-1]["content"] = before + "\n\n" + content
            else:  # image blocks on either side: join as blocks
                as_blocks = lambda c: [{"type": "text", "text": c}] if isinstance(c, str) else c  # noqa: E731
                turns[-1]["content"] = as_blocks(before) + as_blocks(content)
        else:
            turns.append({"role": m["role"], "content": content})
    if turns and turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "(conversation continues)"})
    return system, turns


def _blocks(message: dict) -> list[dict]:
    """A message with images -> image blocks (base64) followed by its text block."""
    import base64

    blocks: list[dict] = [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": i.mime_type, "data": base64.b64encode(i.data).decode("ascii")},
        }  # fmt: skip
        for i in message["images"]
    ]
    return [*blocks, {"type": "text", "text": message.get("content") or ""}]


class AnthropicProvider(Provider):
    name = "anthropic"

    def client(self) -> anthropic.Anthropic:
        return CLIENTS.get(self.config, lambda: _build(self.config))

    def _map_error(self, exc: Exception) -> ProviderError:
        status = getattr(exc, "status_code", None)
        name = type(exc).__name__
        if connect_failure(exc):  # one code and one message for every failure to connect (see openai.py)
            return ProviderError("connection", self.name, detail=name)
        if isinstance(exc, anthropic.APITimeoutError) or "Timeout" in name:
            return ProviderError("timeout", self.name, detail=name)
        if isinstance(exc, anthropic.APIConnectionError):
            return ProviderError("connection", self.name, detail=name)
        if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
            return ProviderError("auth", self.name, status=status, detail=name)
        if isinstance(exc, anthropic.RateLimitError):
            return ProviderError("rate_limit", self.name, status=status, detail=name)
        if isinstance(exc, anthropic.BadRequestError | anthropic.NotFoundError | anthropic.UnprocessableEntityError):
            return ProviderError("bad_request", self.name, status=status, detail=name)
        if isinstance(exc, anthropic.APIStatusError):
            return ProviderError("server", self.name, status=status, detail=name)
        if name in ("RemoteProtocolError", "ReadError", "ConnectError", "NetworkError"):
            return ProviderError("connection", self.name, detail=name)
        return ProviderError("bad_response", self.name, detail=name)

    def _list_models(self) -> list[str]:
        return [m.id for m in self.client().models.list(limit=100).data]  # one page, one request

    def _stream(
        self, *, messages: list[dict], model: str, temperature: float | None, max_tokens: int | None,
        completion: Completion, passages: list,
    ) -> Iterator[str]:  # fmt: skip
        system, turns = to_anthropic(messages)
        params: dict = {"model": model, "max_tokens": max_tokens or 1024, "messages": turns, "stream": True}
        if system:
            params["system"] = system
        if temperature is not None:
            params["extra_body"] = {"temperature": min(temperature, 1.0)}
        stream = self.client().messages.create(**params)
        try:
            for event in stream:
                kind = event.type
                if kind == "message_start":
                    usage = event.message.usage
                    completion.prompt_tokens = usage.input_tokens or 0
                    completion.completion_tokens = usage.output_tokens or 0
                elif kind == "content_block_delta":
                    text = getattr(event.delta, "text", None)
                    if text:
                        yield text
                elif kind == "message_delta":
                    if event.usage and event.usage.output_tokens is not None:
                        completion.completion_tokens = event.usage.output_tokens
                    if event.delta.stop_reason:
                        completion.finish_reason = event.delta.stop_reason
        finally:
            stream.close()
