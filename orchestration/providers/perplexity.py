"""Perplexity through the OpenAI SDK at Perplexity's base URL; its citations become sources."""

from __future__ import annotations

from core.weburl import web_url

from .base import Completion
from .openai import OpenAIProvider


class PerplexityProvider(OpenAIProvider):
    name = "perplexity"
    max_tokens_param = "max_tokens"

    def _list_models(self) -> list[str]:
        """Perplexity publishes no models list: the models of the price table."""
        from orchestration.pricing import PRICES

        return [m for m in PRICES if m.startswith("sonar")]

    def _extras(self, chunk, completion: Completion) -> None:
        extra = chunk.model_extra or {}
        results = extra.get("search_results") or []
        urls = extra.get("citations") or []
        if not (results or urls) or completion.citations:
            return
        # only http(s) links become sources: a "javascript:" citation would be a live link in the page
        if results:
            completion.citations = [
                {
                    "url": web_url(r.get("url")),
                    "title": r.get("title") or web_url(r.get("url")),
                    "date": r.get("date") or "",
                }
                for r in results
                if isinstance(r, dict) and web_url(r.get("url"))
            ]
        else:
            completion.citations = [{"url": web_url(u), "title": web_url(u), "date": ""} for u in urls if web_url(u)]
