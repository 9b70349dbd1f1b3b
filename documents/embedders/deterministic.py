"""A deterministic embedder for tests and benches: hashed bag of (lemmatised) words, 384 numbers.
Texts that share words are near each other; nothing is downloaded or computed at random."""

from __future__ import annotations

import hashlib
import math
import re

from core.textsearch import prepare

_WORD = re.compile(r"\w+", re.UNICODE)


def _vector(text: str, dim: int) -> list[float]:
    vec = [0.0] * dim
    for word in _WORD.findall(prepare(text, "sl").lower()):
        if len(word) < 3:
            continue
        h = int.from_bytes(hashlib.blake2b(word[:6].encode(), digest_size=8).digest(), "big")
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class DeterministicEmbedder:
    name = "deterministic:hashed-words-384"
    dimension = 384

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        return [_vector(t, self.dimension) for t in texts], sum(self.count_tokens(t) for t in texts)

    def embed_query(self, text: str) -> list[float]:
        return _vector(text, self.dimension)

    def count_tokens(self, text: str) -> int:
        return max(1, math.ceil(len(text) / 4))
