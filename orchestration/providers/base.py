"""The one provider interface every module under ``providers/`` implements.

A provider turns ``messages`` into a stream of text chunks through its official SDK and fills a
:class:`Completion` with usage, citations and timing. :class:`Call` wraps a provider call with
what every provider shares: the circuit breaker, the rate limits, an overall deadline, and the
mapping of failures to :class:`ProviderError` with a message for the user. Retries with
exponential backoff (bounded by ``ORCHESTRATION_MAX_RETRIES``) are the SDKs' own and happen
before the first chunk; connect and read timeouts are explicit, and the read timeout is the
longest gap allowed between two chunks.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import egress
from orchestration.capabilities import accepts_images
from orchestration.pricing import estimate_tokens
from orchestration.resilience import CircuitBreaker, RateLimiter

log = logging.getLogger("orchestration.providers")

LABELS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "perplexity": "Perplexity",
    "openai_compatible": "OpenAI-compatible server",
    "offline": "Offline",
}


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to call one provider; resolved in the request's thread (no DB later)."""

    provider: str
    api_key: str = field(default="", repr=False)
    base_url: str = ""
    models: tuple[str, ...] = ()
    default_model: str = ""
    platform: bool = False  # the platform's key from the environment, not the tenant's own
    guarded: bool = False  # a tenant-set base URL: resolved and checked at connect time (orchestration.egress)
    rpm: int | None = None
    tpm: int | None = None
    schema: str = "public"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # longest gap between two chunks
    total_timeout: float = 30.0  # whole call
    max_retries: int = 2

    @property
    def label(self) -> str:
        return LABELS.get(self.provider, self.provider)

    @property
    def web_search(self) -> bool:
        return self.provider == "perplexity"

    def model_ids(self) -> list[str]:
        names = list(self.models) or ([self.default_model] if self.default_model else [])
        return [f"{self.provider}:{m}" for m in names]


@dataclass
class Completion:
    provider: str
    model: str
    platform: bool = False
    parts: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    citations: list[dict] = field(default_factory=list)  # [{"url", "title", "date"?}]
    finish_reason: str = ""
    started: float = 0.0
    first_chunk_at: float | None = None
    finished: float | None = None
    stopped: bool = False
    usage_estimated: bool = False  # the provider reported no usage; counts are estimates

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def elapsed_ms(self) -> int:
        end = self.finished or time.monotonic()
        return int((end - self.started) * 1000)


class ProviderError(Exception):
    """A provider call failed; ``user_message`` says so plainly, ``code`` says how."""

    CODES = ("auth", "rate_limit", "local_rate_limit", "timeout", "server", "connection", "bad_response",
             "refusal", "circuit_open", "bad_request")  # fmt: skip

    def __init__(self, code: str, provider: str, *, status: int | None = None, detail: str = "") -> None:
        self.code = code
        self.provider = provider
        self.status = status
        self.detail = detail  # for logs: never the SDK's message (it may echo a key)
        super().__init__(f"{provider}: {code}" + (f" ({status})" if status else ""))

    @property
    def falls_back(self) -> bool:
        """Whether another provider should be tried (a refusal is an answer, not an outage)."""
        return self.code != "refusal"

    @property
    def counts_against_health(self) -> bool:
        return self.code not in ("refusal", "local_rate_limit", "circuit_open", "bad_request")

    @property
    def user_message(self) -> str:
        name = LABELS.get(self.provider, self.provider)
        messages = {
            "auth": _("%(provider)s rejected the API key. A workspace admin should check the key in the admin."),
            "rate_limit": _("%(provider)s is limiting requests right now. Please try again in a minute."),
            "local_rate_limit": _("This workspace reached its per-minute limit for %(provider)s."),
            "timeout": _("%(provider)s took too long to answer."),
            "server": _("%(provider)s had a server error."),
            "connection": _("%(provider)s could not be reached."),
            "bad_response": _("%(provider)s sent a response that could not be read."),
            "refusal": _("%(provider)s declined to answer this request."),
            "circuit_open": _("%(provider)s is skipped for a moment after repeated failures."),
            "bad_request": _("%(provider)s did not accept the request (check the model name)."),
        }
        return messages.get(self.code, _("%(provider)s failed.")) % {"provider": name}


def timeout(connect: float, read: float):
    """Explicit timeouts for the SDKs' HTTP client; ``read`` bounds the gap between two chunks."""
    import httpx2

    return httpx2.Timeout(connect=connect, read=read, write=read, pool=connect)


class ClientCache:
    """SDK clients reused per (key, endpoint, timeouts): building one costs ~20 ms, and reuse keeps
    connections alive. Entries are keyed by a digest of the API key, never by the key itself (an
    ``lru_cache`` over the plaintext keeps it as a dict key for the life of the process, readable
    in any heap dump or debugger frame); the client of course holds its key while it lives."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def fingerprint(api_key: str) -> str:
        return hashlib.sha256(b"chorus-sdk-client:" + api_key.encode()).hexdigest()

    def get(self, config: ProviderConfig, build: Callable[[], object]) -> object:
        key = (config.provider, self.fingerprint(config.api_key), config.base_url, config.guarded,
               config.connect_timeout, config.read_timeout, config.max_retries)  # fmt: skip
        with self._lock:
            client = self._items.get(key)
            if client is not None:
                self._items.move_to_end(key)
                return client
        client = build()
        with self._lock:
            client = self._items.setdefault(key, client)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)  # in-flight users keep their reference
        return client

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def connect_failure(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a failure to connect: refused, timed out while
    connecting, unresolvable, or refused by the egress policy."""
    import httpcore2
    import httpx2

    kinds = (httpx2.ConnectError, httpx2.ConnectTimeout, httpcore2.ConnectError, httpcore2.ConnectTimeout)
    for _depth in range(10):
        if exc is None:
            return False
        if isinstance(exc, kinds):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class Provider:
    """Subclasses implement :meth:`_stream` (and :meth:`_map_error` for their SDK's exceptions)."""

    name = "base"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def _stream(
        self, *, messages: list[dict], model: str, temperature: float | None, max_tokens: int | None,
        completion: Completion, passages: list,
    ) -> Iterator[str]:  # fmt: skip
        raise NotImplementedError

    def _map_error(self, exc: Exception) -> ProviderError:
        return ProviderError("bad_response", self.name, detail=type(exc).__name__)

    def _list_models(self) -> list[str]:
        """The model ids the provider reports (its SDK's models list)."""
        return []

    def list_models(self) -> list[str]:
        """:meth:`_list_models` with every SDK failure mapped to a ProviderError (one request)."""
        try:
            return sorted(dict.fromkeys(str(m) for m in self._list_models() if m))
        except ProviderError:
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes a ProviderError
            err = self._map_error(exc)
            if egress.refused_by_policy(exc):
                err.detail = "refused by the egress policy (the operator may allow the host: PROVIDER_ALLOWED_HOSTS)"
            raise err from None


def with_images(messages: list[dict], *, accepts: bool) -> list[dict]:
    """``messages`` for a model that accepts images (each message's ``images`` kept for the
    provider's own content parts, those without bytes noted in the text) or for one that does
    not (every image becomes a note "[image: name, W×H]" in the text; no ``images`` key left)."""
    if not any(m.get("images") for m in messages):
        return messages
    out = []
    for m in messages:
        images = m.get("images") or []
        if not images:
            out.append(m)
            continue
        sent = [i for i in images if accepts and i.data]
        notes = [i.note() for i in images if i not in sent]
        clean = {k: v for k, v in m.items() if k != "images"}
        if notes:
            clean["content"] = "\n".join([m.get("content") or "", *notes]).strip()
        if sent:
            clean["images"] = sent
        out.append(clean)
    return out


def image_data_url(image) -> str:
    import base64

    return f"data:{image.mime_type};base64,{base64.b64encode(image.data).decode('ascii')}"


class Call:
    """One provider call: iterate for the text chunks; ``completion`` holds the rest.

    Raises ProviderError from iteration. ``cancel`` (a threading.Event) stops it between chunks
    and closes the HTTP stream; so does :meth:`close`.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        messages: list[dict],
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        passages: list | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        cfg = provider.config
        self.provider = provider
        self.model = model or cfg.default_model or (cfg.models[0] if cfg.models else "")
        self.messages = with_images(messages, accepts=accepts_images(cfg.provider, self.model))
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.passages = passages or []
        self.cancel = cancel or threading.Event()
        self.completion = Completion(provider=cfg.provider, model=self.model, platform=cfg.platform)
        self.breaker = CircuitBreaker(cfg.schema, cfg.provider, probe_ttl=cfg.total_timeout + 60)
        self.limiter = RateLimiter(cfg.schema, cfg.provider, rpm=cfg.rpm, tpm=cfg.tpm, platform=cfg.platform)
        self._gen: Iterator[str] | None = None

    def __iter__(self) -> Iterator[str]:
        cfg = self.provider.config
        c = self.completion
        c.started = time.monotonic()
        if cfg.provider != "offline":
            if not self.breaker.allow():
                raise ProviderError("circuit_open", cfg.provider)
            if self.limiter.acquire(self.estimated_tokens()):
                self.breaker.release()  # never reached the provider: another call may probe it
                raise ProviderError("local_rate_limit", cfg.provider)
        deadline = c.started + cfg.total_timeout
        self._gen = self.provider._stream(
            messages=self.messages, model=self.model, temperature=self.temperature, max_tokens=self.max_tokens,
            completion=c, passages=self.passages,
        )  # fmt: skip
        try:
            for text in self._gen:
                if not text:
                    continue
                if c.first_chunk_at is None:
                    c.first_chunk_at = time.monotonic()
                c.parts.append(text)
                yield text
                if self.cancel.is_set():
                    c.stopped = True
                    break
                if time.monotonic() > deadline:
                    raise ProviderError("timeout", cfg.provider, detail="total request timeout")
            if c.finish_reason in ("content_filter", "refusal") and not c.stopped:
                raise ProviderError("refusal", cfg.provider)
        except ProviderError as exc:
            self._failed(exc)
            raise
        except GeneratorExit:  # the caller stopped reading (a consensus run that has enough)
            self._settle()
            if c.parts:
                self.breaker.record_success()
            else:
                self.breaker.release()
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes a ProviderError
            err = exc if isinstance(exc, ProviderError) else self.provider._map_error(exc)
            if egress.refused_by_policy(exc):
                err.detail = "refused by the egress policy (the operator may allow the host: PROVIDER_ALLOWED_HOSTS)"
            self._failed(err)
            raise err from None
        finally:
            self.close()
            c.finished = time.monotonic()
        if cfg.provider != "offline" and not (c.prompt_tokens and c.completion_tokens):
            # no usage reported (a stopped stream ends before the usage chunk): estimate, and say so
            c.usage_estimated = True
            c.prompt_tokens = c.prompt_tokens or estimate_tokens("".join(m["content"] for m in self.messages))
            c.completion_tokens = c.completion_tokens or (estimate_tokens(c.text) if c.parts else 0)
        self.breaker.record_success()
        self.limiter.reconcile(c.prompt_tokens + c.completion_tokens)

    def estimated_tokens(self) -> int:
        """What the call is expected to use, reserved against tokens-per-minute before it starts."""
        from django.conf import settings

        prompt = estimate_tokens("".join(m.get("content") or "" for m in self.messages))
        answer = int(getattr(settings, "ORCHESTRATION_ESTIMATED_ANSWER_TOKENS", 500) or 500)
        return prompt + (min(answer, self.max_tokens) if self.max_tokens else answer)

    def _settle(self) -> None:
        """A call that ended without a usage report: charge what evidently went through, if anything."""
        c = self.completion
        used = c.prompt_tokens + c.completion_tokens
        if not used and c.parts:
            used = estimate_tokens("".join(m.get("content") or "" for m in self.messages)) + estimate_tokens(c.text)
        self.limiter.reconcile(used)

    def _failed(self, err: ProviderError) -> None:
        log.warning("provider call failed: provider=%s code=%s status=%s detail=%s",
                    err.provider, err.code, err.status, err.detail)  # fmt: skip
        if err.code in ("circuit_open", "local_rate_limit"):
            return  # refused before the call: nothing reserved to settle, no outcome to record
        self._settle()
        if err.counts_against_health:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()  # the provider answered (a refusal, a bad request): it is up

    def close(self) -> None:
        gen, self._gen = self._gen, None
        if gen is not None and hasattr(gen, "close"):
            gen.close()  # runs the provider's finally: closes the SDK stream and its HTTP response

    def run(self) -> Completion:
        """Consume the whole call (for calls whose text is not streamed to the user)."""
        for _chunk in self:
            pass
        return self.completion
