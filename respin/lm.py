"""The source model: how likely a word sequence is in clean English.

respin talks to language models through :class:`Scorer` (``logprob`` of a
word given up to two previous words, in log10), so a bigger model can be
plugged in later. The default is the English trigram model that the
``pocketsphinx`` wheel ships (BSD-2): offline, 27 MB, ~30 ms for
pocketsphinx to load — so short texts are scored from the file in place.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from functools import lru_cache
from importlib.machinery import PathFinder
from typing import Protocol

from .sphinx_trie import LOG_ZERO, TrieModel, is_trie_file
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
# Queries answered from the mapped model file (~6 µs each) before loading it
# into pocketsphinx (~40 ms, then ~1 µs each). Switching once the mapped
# queries have cost about what the load does keeps any text within twice
# the cost of the better choice made in hindsight: a one-line pipe never
# pays the load, a long article pays it early.
NATIVE_AFTER_QUERIES = 8000


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
    """Trigram scorer backed by a pocketsphinx N-gram model file.

    A model in pocketsphinx's trie format (the default one is) answers its
    first queries from the file in place (:mod:`respin.sphinx_trie`), which
    needs no load; once a text has asked :data:`NATIVE_AFTER_QUERIES`, the
    model is loaded into pocketsphinx, whose queries are ~6x cheaper. Both
    give the same numbers, so when the switch happens never changes a result.
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path or default_model_path()
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"{self.path}: language model not found")
        self._cache: dict[tuple[str, ...], float] = {}
        if is_trie_file(self.path):
            self._mapped = TrieModel(self.path)
            self._prob = self._mapped_prob
            self._native_after = NATIVE_AFTER_QUERIES
        else:
            self._prob = self.load_native()

    def load_native(self) -> Callable[[list[str]], int]:
        """Load the model into pocketsphinx, and answer every later query from it."""
        from pocketsphinx import NGramModel  # imported on first use: ~9 ms

        self._prob = NGramModel.readfile(self.path).prob
        return self._prob

    def _mapped_prob(self, words: list[str]) -> int:
        self._native_after -= 1
        if self._native_after < 0:
            return self.load_native()(words)
        return self._mapped.prob(words)

    def logprob(self, word: str, prev2: str | None, prev1: str) -> float:
        key = (word, prev1, prev2)
        value = self._cache.get(key)
        if value is None:
            raw = self._prob([word, prev1] if prev2 is None else [word, prev1, prev2])
            if raw <= LOG_ZERO:  # out of the vocabulary
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


def default_model_path() -> str:
    """The English trigram model in the pocketsphinx wheel, found without importing it (~9 ms).

    Like ``pocketsphinx.get_model_path``, ``$POCKETSPHINX_PATH`` overrides the model folder.
    """
    folder = os.environ.get("POCKETSPHINX_PATH")
    if not folder:
        spec = PathFinder.find_spec("pocketsphinx")
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError("pocketsphinx is not installed: its language model is needed")
        folder = os.path.join(spec.submodule_search_locations[0], "model")
    return os.path.join(folder, "en-us", "en-us.lm.bin")


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
