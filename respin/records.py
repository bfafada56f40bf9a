"""The records that flow between pipeline stages.

Every stage is a pure function over these frozen dataclasses; offsets are
Python ``str`` indices into the *input* text, so any stage's output can be
traced back to the exact characters it came from.
"""

from __future__ import annotations

from typing import NamedTuple


class Token(NamedTuple):
    """A word of the input. Everything between words is left untouched.

    A plain tuple, because a text has one per word and building them is the
    tokenizer's main cost; the word's original spelling is
    ``text[token.start:token.end]``.
    """

    start: int
    end: int
    norm: str  # lower case, straight apostrophes: the form tables are keyed on
    sentence: int  # number of the sentence the word belongs to


class Entry(NamedTuple):
    """One row of a reverse-synonym table: ``spun`` may come from ``original``.

    A tuple so that thousands of them load quickly from the table cache.
    """

    spun: str
    original: str  # "-" marks a keep entry: leave ``spun`` alone in this context
    weight: float  # channel probability P(spun | original)
    context: tuple[str, ...] = ()
    source: str = ""  # "file:line", shown to users as evidence

    @property
    def keeps(self) -> bool:
        return self.original == "-"


class Candidate(NamedTuple):
    """A span of words that a table says the spinner may have written."""

    first: int  # index of the first word
    last: int  # index of the last word (inclusive)
    start: int  # character offsets in the input
    end: int
    spun: str  # the input text of the span, exactly
    originals: tuple[tuple[str, Entry], ...]  # (restored text with case applied, entry)
    article: int = -1  # index of an "a"/"an" token right before the span, or -1


class Fix(NamedTuple):
    """One decision about one span: the unit every output format reports.

    (Records here are NamedTuples: cheap to build by the thousand, and
    cheap to define, which matters to a tool started in shell pipes.)
    """

    start: int
    end: int
    before: str
    after: str
    score: float  # log10 odds that ``after`` beats keeping ``before``, net of the threshold's prior
    channel: float  # log10 P(before | after) from the table entry
    lm: float  # log10 LM gain of the sentence with ``after`` over ``before``
    reference: float = 0.0  # log10 support from the reference articles
    entry: str = ""  # table file:line of the entry used
    evidence: tuple[str, ...] = ()  # human-readable reasons
    applied: bool = True
    alternatives: tuple[tuple[str, float], ...] = ()  # other originals with their scores

    def to_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "after": self.after,
            "score": round(self.score, 3),
            "channel": round(self.channel, 3),
            "lm": round(self.lm, 3),
            "reference": round(self.reference, 3),
            "entry": self.entry,
            "evidence": list(self.evidence),
            "applied": self.applied,
            "alternatives": [[text, round(score, 3)] for text, score in self.alternatives],
        }


class Result(NamedTuple):
    """What :func:`respin.fix` returns."""

    source: str  # the input text
    text: str  # the restored text
    fixes: tuple[Fix, ...]  # applied fixes, in text order
    rejected: tuple[Fix, ...] = ()  # near misses: candidates kept whose score came close to the threshold
    words: int = 0  # word count of the input
    stats: dict = {}  # never mutated: each fix() passes its own

    @property
    def changed(self) -> bool:
        return bool(self.fixes)

    def to_dict(self) -> dict:
        return {"text": self.text, "fixes": [f.to_dict() for f in self.fixes]}
