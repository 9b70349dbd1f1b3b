"""Helpers for the orchestration tests (the fixtures live in orchestration.testing.fixtures)."""

from __future__ import annotations

from orchestration import engine


def ask(text: str = "What is the capital of Slovenia?", **kwargs) -> engine.Request:
    return engine.Request(transcript=[engine.Turn("user", text)], **kwargs)


def run(request: engine.Request, **kwargs) -> list[engine.Event]:
    return list(engine.run(request, **kwargs))


def text_of(events) -> str:
    return "".join(e.data["text"] for e in events if e.type == "delta")


def last(events, kind: str):
    found = [e for e in events if e.type == kind]
    return found[-1] if found else None
