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


# The names of a fix's score terms (see Term), in the order a fix lists them.
CHANNEL = "channel"  # log10 P(spun | original): the table row's weight
LM = "lm"  # the language model's gain for the sentence with the restoration
PRIOR = "prior"  # the document's spin prior (how densely it is spun)
CONSISTENCY = "consistency"  # the same row restored confidently elsewhere in the text
COUNTER_EVIDENCE = "counter-evidence"  # the text uses the original plainly elsewhere
REFERENCE_AGAINST = "reference-against"  # a reference article supports the words as written
ARTICLE = "article"  # the "a"/"an" before the spun words does not fit them
REFERENCE = "reference"  # a reference article supports the restoration


class Term(NamedTuple):
    """One additive part of a fix's score, in log10 odds for the restoration.

    A fix's terms add up to its ``score``: an explanation is data, and the
    words for people are made from it by :func:`respin.terminal.term_reasons`.
    """

    name: str  # CHANNEL, LM, ...
    value: float
    entry: Entry | None = None  # the table row the channel term comes from
    phrase: str = ""  # what the term is about (the original a counter-evidence term counts)
    notes: tuple[str, ...] = ()  # what the scoring stage found (reference sentences, the article)

    def to_dict(self) -> dict:
        record: dict = {"name": self.name, "value": round(self.value, 3)}
        if self.entry is not None:
            record.update(entry=self.entry.source, spun=self.entry.spun, original=self.entry.original,
                          weight=self.entry.weight)
        if self.phrase:
            record["phrase"] = self.phrase
        if self.notes:
            record["notes"] = list(self.notes)
        return record


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
    terms: tuple[Term, ...] = ()  # the parts of ``score``: they add up to it
    applied: bool = True
    alternatives: tuple[tuple[str, float], ...] = ()  # other originals with their scores

    @property
    def evidence(self) -> tuple[str, ...]:
        """The terms as reasons a person reads."""
        from .terminal import term_reasons

        return term_reasons(self.terms)

    def to_dict(self) -> dict:
        """The fix as JSON: the one form every output (fix, batch reports) writes and readers read."""
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
            "terms": [term.to_dict() for term in self.terms],
        }

    @classmethod
    def from_dict(cls, record: dict) -> Fix:
        """A fix read back from :meth:`to_dict`'s JSON (scores as rounded there)."""
        return cls(
            start=record["start"], end=record["end"], before=record["before"], after=record["after"],
            score=record["score"], channel=record["channel"], lm=record["lm"], reference=record["reference"],
            entry=record["entry"], applied=record["applied"],
            terms=tuple(_term_from_dict(term) for term in record.get("terms", ())),
            alternatives=tuple((text, score) for text, score in record["alternatives"]),
        )


def _term_from_dict(record: dict) -> Term:
    entry = None
    if "entry" in record:
        entry = Entry(record["spun"], record["original"], record["weight"], (), record["entry"])
    return Term(record["name"], record["value"], entry, record.get("phrase", ""), tuple(record.get("notes", ())))


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
