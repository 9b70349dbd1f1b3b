"""The orchestration engine's public interface (DESIGN §3).

``chat`` calls :func:`run` from its generation task, in the tenant's schema, and persists the
events it yields; the engine knows nothing of chat models. Everything else in this package
(providers, strategies, credentials, settings) sits behind this module.

This first version answers with the offline provider only; the orchestration issue fills in
providers and strategies behind the same signature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

EventType = Literal["phase", "delta", "sources", "usage", "done", "error"]


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant", "system"]
    content: str


@dataclass(frozen=True)
class Passage:
    """A retrieved document passage (the documents issue fills the retriever)."""

    text: str
    title: str
    url: str = ""
    document_id: str = ""
    chunk_id: str = ""
    score: float = 0.0


class Retriever(Protocol):
    def search(self, query: str, *, limit: int = 5) -> list[Passage]: ...


class NullRetriever:
    """Finds nothing, and says so through ``available``."""

    available = False

    def search(self, query: str, *, limit: int = 5) -> list[Passage]:
        return []


@dataclass(frozen=True)
class Request:
    transcript: list[Turn]  # the conversation so far, ending with the user's question
    strategy: str | None = None  # None: the tenant's default
    model: str | None = None  # "provider:model" or None: the strategy chooses
    temperature: float | None = None
    max_tokens: int | None = None
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """One step of an answer.

    data by type:
      phase   {"name": str, "status": "started"|"completed", "provider": str, "detail": str}
      delta   {"text": str}                      -- text of the final answer, in order
      sources {"sources": [{"url", "title", "access_date", "kind": "web"|"document", ...}]}
      usage   {"provider", "model", "prompt_tokens", "completion_tokens", "cost", "platform"}
      done    {"meta_data": <seed 000 message meta_data>, "model_name", "prompt_tokens",
               "completion_tokens", "stopped": bool}
      error   {"message": str (for the user), "code": str, "retryable": bool}
    """

    type: EventType
    data: dict


OFFLINE_NOTICE = "I am running offline: no language model provider is configured for this workspace."


def run(
    request: Request,
    *,
    retriever: Retriever | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Event]:
    """Answer the last user turn of ``request.transcript``; yields events, ends with done or error."""
    retriever = retriever or NullRetriever()
    question = request.transcript[-1].content if request.transcript else ""
    passages = retriever.search(question, limit=3)
    yield Event("phase", {"name": "answer", "status": "started", "provider": "offline", "detail": ""})
    if passages:
        text = (
            OFFLINE_NOTICE
            + " Here is what your documents say:\n\n"
            + "\n\n".join(f"> {p.text.strip()[:400]}\n\n— {p.title} [{i}]" for i, p in enumerate(passages, 1))
        )
        yield Event(
            "sources",
            {
                "sources": [
                    {
                        "title": p.title,
                        "url": p.url,
                        "kind": "document",
                        "document_id": p.document_id,
                        "chunk_id": p.chunk_id,
                    }
                    for p in passages
                ]
            },
        )
    else:
        text = OFFLINE_NOTICE + " Ask your workspace admin to add a provider key, or upload documents to search."
    stopped = False
    sent: list[str] = []
    for word in text.split(" "):
        if should_stop():
            stopped = True
            break
        piece = word if not sent else " " + word
        sent.append(piece)
        yield Event("delta", {"text": piece})
    yield Event(
        "usage",
        {
            "provider": "offline",
            "model": "offline",
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "cost": 0.0,
            "platform": True,
        },
    )
    yield Event("phase", {"name": "answer", "status": "completed", "provider": "offline", "detail": ""})
    yield Event(
        "done",
        {
            "meta_data": {
                "orchestration": {
                    "orchestration_strategy": "single_provider",
                    "providers_used": ["offline"],
                    "processing_time_ms": 0,
                    "confidence_score": None,
                    "query_analysis": {},
                    "phase_details": {"answer_phase": "offline provider"},
                    "sources_included": [],
                },
                "tokens_used": {"offline": 0, "total": 0},
                "cost_breakdown": {"total_cost": 0.0, "per_provider": {"offline": 0.0}},
            },
            "model_name": "offline",
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "stopped": stopped,
        },
    )


def choices() -> dict:
    """What the chat picker may offer in the current tenant: enabled strategies and models."""
    return {"strategies": ["single_provider"], "models": ["offline:offline"], "default_strategy": "single_provider"}
