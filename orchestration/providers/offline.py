"""The offline provider: no key, no network. It says plainly that it is offline and quotes the
retrieved document passages when there are any, so a fresh install answers something useful."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from .base import Completion, Provider


def offline_notice() -> str:
    return _("I am running offline: no language model provider is configured for this workspace.")


class OfflineProvider(Provider):
    name = "offline"

    def _stream(
        self, *, messages: list[dict], model: str, temperature: float | None, max_tokens: int | None,
        completion: Completion, passages: list,
    ) -> Iterator[str]:  # fmt: skip
        if passages:
            quotes = "\n\n".join(f"> {p.text.strip()[:400]}\n\n— {p.title} [{i}]" for i, p in enumerate(passages, 1))
            text = offline_notice() + " " + _("Here is what your documents say:") + "\n\n" + quotes
        else:
            text = (
                offline_notice()
                + " "
                + _("Ask your workspace admin to add a provider key, or upload documents to search.")
            )
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
        completion.finish_reason = "stop"
