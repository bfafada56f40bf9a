"""The source model: how likely a word sequence is in clean English.

respin talks to language models through :class:`Scorer` (``logprob`` of a
word given up to two previous words, in log10), so a bigger model can be
plugged in later. The default is the English trigram model that the
``pocketsphinx`` wheel ships (BSD-2): offline, 27 MB, ~30 ms to load.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from typing import Protocol

from .tokens import normalize

SENTENCE_START = "<s>"
SENTENCE_END = "</s>"

# pocketsphinx returns log base 1.0001; this turns that into log10.
_LOG10_PER_UNIT = math.log10(1.0001)
# What an out-of-vocabulary word costs (log10). Names and numbers are out of
# the model's vocabulary; a flat, rare-word cost keeps them from dominating
# a comparison in which they appear on both sides.
OOV_LOGPROB = -6.0
# Digits are not in the vocabulary either, but they are common in news.
NUMBER_LOGPROB = -3.5
_OOV_SENTINEL = -536870912


class Scorer(Protocol):
    """A language model: log10 P(word | prev2 prev1); ``prev2`` is None at a sentence start.

    ``words_logprob`` scores a run of words and returns the history after it;
    :class:`BaseScorer` derives it from ``logprob`` for a model that has only that.
    """

    def logprob(self, word: str, prev2: str | None, prev1: str) -> float: ...

    def words_logprob(
        self, words: tuple[str, ...], prev2: str | None, prev1: str
    ) -> tuple[float, str | None, str]: ...


class BaseScorer:
    """``words_logprob`` in terms of ``logprob``, for plugged-in models."""

    def logprob(self, word: str, prev2: str | None, prev1: str) -> float:
        raise NotImplementedError

    def words_logprob(self, words: tuple[str, ...], prev2: str | None, prev1: str) -> tuple[float, str | None, str]:
        total = 0.0
        for word in words:
            total += self.logprob(word, prev2, prev1)
            prev2, prev1 = prev1, word
        return total, prev2, prev1


class PocketsphinxScorer(BaseScorer):
    """Trigram scorer backed by a pocketsphinx N-gram model file."""

    def __init__(self, path: str | None = None) -> None:
        from pocketsphinx import NGramModel, get_model_path  # imported on first use: ~15 ms

        self.path = path or os.path.join(get_model_path(), "en-us", "en-us.lm.bin")
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"{self.path}: language model not found")
        self._model = NGramModel.readfile(self.path)
        self._cache: dict[tuple[str, ...], float] = {}

    def logprob(self, word: str, prev2: str | None, prev1: str) -> float:
        key = (word, prev1, prev2)
        value = self._cache.get(key)
        if value is None:
            raw = self._model.prob([word, prev1] if prev2 is None else [word, prev1, prev2])
            if raw <= _OOV_SENTINEL:
                value = NUMBER_LOGPROB if word[:1].isdigit() else OOV_LOGPROB
            else:
                value = raw * _LOG10_PER_UNIT
            if len(self._cache) < 2_000_000:
                self._cache[key] = value
        return value

    def words_logprob(self, words: tuple[str, ...], prev2: str | None, prev1: str) -> tuple[float, str | None, str]:
        # The hot loop of scoring: cache hits are answered without a method call.
        cached = self._cache.get
        total = 0.0
        for word in words:
            value = cached((word, prev1, prev2))
            total += self.logprob(word, prev2, prev1) if value is None else value
            prev2, prev1 = prev1, word
        return total, prev2, prev1


@lru_cache(maxsize=2)
def load_scorer(path: str | None = None) -> Scorer:
    """The language model, loaded once per process."""
    return PocketsphinxScorer(path)


@lru_cache(maxsize=65536)
def lm_words(word: str) -> tuple[str, ...]:
    """Map one word to the model's vocabulary: lower case, no dots, hyphens split.

    >>> lm_words("Secretary-General"), lm_words("U.S"), lm_words("Won’t")
    (('secretary', 'general'), ('us',), ("won't",))
    """
    word = normalize(word)
    if word[:1].isdigit():
        return (word,)
    return tuple(part for part in word.replace(".", "").split("-") if part)


@lru_cache(maxsize=65536)
def phrase_lm_words(phrase: str) -> tuple[str, ...]:
    """``lm_words`` for each word of a space-separated phrase."""
    return tuple(w for part in phrase.split() for w in lm_words(part))
