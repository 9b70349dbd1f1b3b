"""OpenAI through the official ``openai`` SDK (chat completions, streamed with usage)."""

from __future__ import annotations

from collections.abc import Iterator

import openai

from core import egress

from .base import (
    ClientCache,
    Completion,
    Provider,
    ProviderConfig,
    ProviderError,
    connect_failure,
    image_data_url,
    timeout,
)

CLIENTS = ClientCache()


def _build(c: ProviderConfig) -> openai.OpenAI:
    t = timeout(c.connect_timeout, c.read_timeout)
    return openai.OpenAI(
        api_key=c.api_key or "not-needed", base_url=c.base_url or None, timeout=t, max_retries=c.max_retries,
        http_client=egress.http_client(guarded=c.guarded, timeout=t),
    )  # fmt: skip


def map_openai_error(exc: Exception, provider: str) -> ProviderError:
    status = getattr(exc, "status_code", None)
    if connect_failure(exc):
        # refused, unreachable, blocked by the egress policy, unresolvable, or slow to connect: one
        # code and one message for all, so a base URL cannot be used to scan ports
        return ProviderError("connection", provider, detail=type(exc).__name__)
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", provider, detail=type(exc).__name__)
    if isinstance(exc, openai.APIConnectionError):
        # httpx2 read timeouts mid-stream arrive wrapped or raw; both mean "too slow"
        return ProviderError("connection", provider, detail=type(exc).__name__)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ProviderError("auth", provider, status=status, detail=type(exc).__name__)
    if isinstance(exc, openai.RateLimitError):
        return ProviderError("rate_limit", provider, status=status, detail=type(exc).__name__)
    if isinstance(exc, openai.BadRequestError | openai.NotFoundError | openai.UnprocessableEntityError):
        return ProviderError("bad_request", provider, status=status, detail=type(exc).__name__)
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return ProviderError("refusal", provider, detail=type(exc).__name__)
    if isinstance(exc, openai.APIStatusError):
        return ProviderError("server", provider, status=status, detail=type(exc).__name__)
    name = type(exc).__name__
    if "Timeout" in name:
        return ProviderError("timeout", provider, detail=name)
    if name in ("RemoteProtocolError", "ReadError", "ConnectError", "NetworkError"):
        return ProviderError("connection", provider, detail=name)
    return ProviderError("bad_response", provider, detail=name)


def to_openai(message: dict) -> dict:
    """A message with images -> text and ``image_url`` content parts (base64 data URLs)."""
    images = message.get("images")
    if not images:
        return message
    parts: list[dict] = [{"type": "text", "text": message.get("content") or ""}]
    parts += [{"type": "image_url", "image_url": {"url": image_data_url(i)}} for i in images]
    return {"role": message["role"], "content": parts}


class OpenAIProvider(Provider):
    name = "openai"
    sends_stream_options = True
    max_tokens_param = "max_completion_tokens"  # OpenAI's own API; reasoning models reject max_tokens

    def client(self) -> openai.OpenAI:
        return CLIENTS.get(self.config, lambda: _build(self.config))

    def _map_error(self, exc: Exception) -> ProviderError:
        return map_openai_error(exc, self.name)

    def _list_models(self) -> list[str]:
        return [m.id for m in self.client().models.list().data]

    def _params(self, *, messages, model, temperature, max_tokens) -> dict:
        params: dict = {"model": model, "messages": [to_openai(m) for m in messages], "stream": True}
        if self.sends_stream_options:
            params["stream_options"] = {"include_usage": True}
        if temperature is not None:
            params["temperature"] = temperature
        if max_tokens:
            params[self.max_tokens_param] = max_tokens
        return params

    def _stream(
        self, *, messages: list[dict], model: str, temperature: float | None, max_tokens: int | None,
        completion: Completion, passages: list,
    ) -> Iterator[str]:  # fmt: skip
        stream = self.client().chat.completions.create(
            **self._params(messages=messages, model=model, temperature=temperature, max_tokens=max_tokens)
        )
        try:
            for chunk in stream:
                self._extras(chunk, completion)
                if chunk.usage:
                    completion.prompt_tokens = chunk.usage.prompt_tokens or 0
                    completion.completion_tokens = chunk.usage.completion_tokens or 0
                for choice in chunk.choices or []:
                    if choice.finish_reason:
                        completion.finish_reason = choice.finish_reason
                    delta = choice.delta
                    if delta is not None and getattr(delta, "refusal", None):
                        completion.finish_reason = "refusal"
                    if delta is not None and delta.content:
                        yield delta.content
        finally:
            stream.close()

    def _extras(self, chunk, completion: Completion) -> None:
        """Provider-specific fields of a chunk (Perplexity's citations)."""


class OpenAICompatibleProvider(OpenAIProvider):
    """Any server that speaks the OpenAI chat-completions API (Ollama, vLLM, LM Studio, ...)."""

    name = "openai_compatible"
    max_tokens_param = "max_tokens"  # what Ollama, vLLM and LM Studio understand
