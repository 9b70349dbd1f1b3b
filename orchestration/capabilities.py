"""What a model accepts besides text: one table of image-capable models by provider (name
prefixes for the vendors' families, name fragments for self-hosted servers' vision models).

A model that is not listed gets a text note for each image ("[image: name, W×H]") instead of
the image itself, so a text-only model is never sent a request it rejects."""

from __future__ import annotations

# provider -> (prefixes of model names that accept images, prefixes that do not)
IMAGE_MODELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "openai": (
        ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4-turbo", "gpt-4-vision", "gpt-5", "o1", "o3", "o4"),
        ("o1-mini", "o1-preview", "o3-mini", "gpt-4o-audio", "gpt-4o-realtime", "gpt-4o-search"),
    ),
    "anthropic": (("claude-3", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4", "claude-4"), ()),
    "perplexity": ((), ()),
    "offline": ((), ()),
}
# OpenAI-compatible servers (Ollama, vLLM, LM Studio): the vision models' usual names
COMPATIBLE_IMAGE_NAMES = ("llava", "vision", "-vl", "vl-", "qwen2.5vl", "gemma3", "minicpm-v", "moondream",
                          "pixtral", "gpt-4o")  # fmt: skip


def accepts_images(provider: str, model: str) -> bool:
    name = (model or "").lower().rsplit("/", 1)[-1]
    if provider == "openai_compatible":
        return any(fragment in name for fragment in COMPATIBLE_IMAGE_NAMES)
    yes, no = IMAGE_MODELS.get(provider, ((), ()))
    return name.startswith(yes) and not name.startswith(no) if yes else False
