"""Broad candidate originals for a spun word: the channel that unsupervised learning searches.

The learner (:mod:`respin.decipher`) asks one thing of a channel::

    source.candidates("mentioned") -> [("said", 0.05), ("told", 0.05), ...]

a list of ``(original, prior_weight)``: single words the spinner may have
replaced with the spun word, each with a prior guess of P(spun | original)
in (0, 1] (the same scale as a table's weight). Any object with that method
is a :class:`CandidateSource`; the default, :class:`BroadCandidates`, joins

* the curated tables (``respin.tables.load_tables``): their single-word rows,
  with their weights;
* ``wordlists/extra/moby-candidates.txt.gz``, derived from Moby Thesaurus II
  by ``tools/build_moby_candidates.py`` (this module owns that format:
  ``spun<TAB>original original ...``, originals most frequent first, all in
  the language model's vocabulary and more frequent than the spun word), with
  a flat low prior that grows with how much more common the original is.

Both are loaded on first use only.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from .lm import _LOG10_PER_UNIT as LOG10_PER_UNIT
from .lm import OOV_LOGPROB, SENTENCE_START, Scorer
from .sphinx_trie import LOG_ZERO
from .tables import Tables, wordlists_dir

# Prior P(spun | original) for a thesaurus pair is 1 / (the number of spun
# forms that list the original), at most this: a word with hundreds of
# thesaurus neighbours ("go", "work") is rarely the one a given form replaced.
THESAURUS_PRIOR_MAX = 0.05


class CandidateSource(Protocol):
    """Where the learner gets candidate originals for a spun word (lower case)."""

    def candidates(self, spun: str) -> list[tuple[str, float]]: ...


def moby_path() -> Path:
    return wordlists_dir() / "extra" / "moby-candidates.txt.gz"


@lru_cache(maxsize=2)
def read_candidate_file(path: str) -> dict[str, tuple[str, ...]]:
    """Spun word → originals, from a gzip'd ``spun<TAB>original ...`` file (empty if absent)."""
    try:
        data = gzip.decompress(Path(path).read_bytes()).decode("utf-8")
    except FileNotFoundError:
        return {}
    result = {}
    for line in data.splitlines():
        spun, _, originals = line.partition("\t")
        if originals:
            result[spun] = tuple(originals.split())
    return result


def unigram_logprob(scorer: Scorer, word: str) -> float:
    """log10 P(word) in the language model, without context."""
    mapped = getattr(scorer, "_mapped", None)
    if mapped is None:  # a plugged-in model: the closest it offers
        return scorer.logprob(word, None, SENTENCE_START)
    raw = mapped.prob([word])  # the unigram straight from the file, not P(word | <s>)
    return OOV_LOGPROB if raw <= LOG_ZERO else raw * LOG10_PER_UNIT


@lru_cache(maxsize=1)
def lm_vocabulary() -> frozenset[str]:
    """The words of the default language model."""
    from .lm import load_scorer

    mapped = getattr(load_scorer(), "_mapped", None)
    if mapped is None:
        return frozenset()
    return frozenset(w.decode("utf-8", "replace") for w in mapped._vocabulary.split(b"\0") if w)


class BroadCandidates:
    """Curated table rows plus Moby-derived pairs (see the module docstring)."""

    def __init__(self, tables: Tables, scorer: Scorer, thesaurus: dict[str, tuple[str, ...]] | None = None) -> None:
        self.scorer = scorer
        self.thesaurus = read_candidate_file(str(moby_path())) if thesaurus is None else thesaurus
        self.fanout: dict[str, int] = {}
        for originals in self.thesaurus.values():
            for original in originals:
                self.fanout[original] = self.fanout.get(original, 0) + 1
        self.curated: dict[str, dict[str, float]] = {}
        for phrases in tables.index.values():
            for words, entries in phrases:
                if len(words) != 1:
                    continue
                for entry in entries:
                    original = entry.original
                    if entry.keeps or entry.context or " " in original or not original.isalpha():
                        continue
                    row = self.curated.setdefault(words[0].lower(), {})
                    row[original.lower()] = max(entry.weight, row.get(original.lower(), 0.0))

    def candidates(self, spun: str) -> list[tuple[str, float]]:
        found = dict(self.curated.get(spun, {}))
        for original in self.thesaurus.get(spun, ()):
            if original not in found:
                found[original] = min(THESAURUS_PRIOR_MAX, 1 / self.fanout[original])
        found.pop(spun, None)
        return sorted(found.items())
