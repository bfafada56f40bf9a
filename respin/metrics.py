"""Metrics of a restoration against the original (ground truth) text.

Everything is counted over words (``respin.tokens`` tokens, compared
exactly, case included). Three texts take part: the *original*, the *spun*
text a spinner made of it, and the *output* a restorer made of the spun text.

- damaged: word errors of spun against original, from a difflib word
  alignment: an original word not paired with an identical word, or an
  extra word the spun text inserted (so "won't ever be a part of" for "will
  never join" is 6 damaged words, as the edit distance counts it).
- restored: damaged words the output gets right again; broken: words the
  spun text had right and the output gets wrong. damaged − restored +
  broken is the output's error count under the same alignment.
- precision: of the words the restorer edited (spun vs output), the share
  that now match the original; recall: restored / damaged.
- WER: word-level Levenshtein distance to the original / original words.
- false changes: words a restorer changes when given the original itself.

All functions are pure; :class:`Counts` add up, so a total is the sum of its
pairs (micro-averaged rates, not a mean of per-pair rates).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from difflib import SequenceMatcher

from .tokens import tokenize

Opcodes = list[tuple[str, int, int, int, int]]
Status = tuple[list[bool], list[int], list[bool]]


def words(text: str) -> list[str]:
    """The words of ``text`` as respin tokenizes them, spelled as in the text."""
    return [text[token.start : token.end] for token in tokenize(text)]


def align(a: list[str], b: list[str]) -> Opcodes:
    """difflib opcodes turning word list ``a`` into ``b``.

    autojunk is off: in a long article "the" and "said" are frequent enough
    for difflib's heuristic to ignore them, which would misalign everything.
    """
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def word_errors(original: list[str], other: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions, insertions, deletions)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(original, other)


def _status(original: list[str], other: list[str]) -> Status:
    """Which original words ``other`` keeps intact, extra words per gap, which of its words are intact.

    The extra words of an opcode that grows the text are attached to the gap
    before its first original word, so two alignments can be compared gap by gap.
    """
    kept = [False] * len(original)
    extra = [0] * (len(original) + 1)
    intact = [False] * len(other)
    for tag, i1, i2, j1, j2 in align(original, other):
        if tag == "equal":
            kept[i1:i2] = [True] * (i2 - i1)
            intact[j1:j2] = [True] * (j2 - j1)
        else:
            extra[i1] += max(0, (j2 - j1) - (i2 - i1))
    return kept, extra, intact


@dataclass(frozen=True)
class Counts:
    """Raw counts of one pair (or a sum of pairs); rates are derived properties."""

    tokens: int = 0  # words of the original
    damaged: int = 0
    restored: int = 0
    broken: int = 0
    edited: int = 0  # words the restorer changed in the spun text
    correct: int = 0  # of those, words that now match the original
    errors_before: int = 0  # Levenshtein distance spun → original, in words
    errors_after: int = 0  # Levenshtein distance output → original, in words
    clean_tokens: int = 0  # words of the original when it was fixed on its own
    false_changes: int = 0  # words changed by fixing the original

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def precision(self) -> float | None:
        return self.correct / self.edited if self.edited else None

    @property
    def recall(self) -> float | None:
        return self.restored / self.damaged if self.damaged else None

    @property
    def wer_before(self) -> float | None:
        return self.errors_before / self.tokens if self.tokens else None

    @property
    def wer_after(self) -> float | None:
        return self.errors_after / self.tokens if self.tokens else None

    @property
    def error_reduction(self) -> float | None:
        """(WER before − WER after) / WER before; negative when the restorer made things worse."""
        if not self.errors_before:
            return None
        return (self.errors_before - self.errors_after) / self.errors_before

    @property
    def false_per_1000(self) -> float | None:
        return 1000.0 * self.false_changes / self.clean_tokens if self.clean_tokens else None

    def to_dict(self) -> dict:
        rates = ("precision", "recall", "wer_before", "wer_after", "error_reduction", "false_per_1000")
        return {**asdict(self), **{name: getattr(self, name) for name in rates}}


def damage(original: list[str], spun: list[str], output: list[str]) -> tuple[int, int, int]:
    """(damaged, restored, newly broken) words; see the module docstring.

    >>> damage("they said the meeting was good".split(),
    ...        "they mentioned the assembly was good".split(),
    ...        "they said the assembly was nice".split())
    (2, 1, 1)
    """
    return _damage(_status(original, spun), _status(original, output))


def _damage(spun: Status, output: Status) -> tuple[int, int, int]:
    kept_before, extra_before, _ = spun
    kept_after, extra_after, _ = output
    damaged = kept_before.count(False) + sum(extra_before)
    restored = sum(not b and a for b, a in zip(kept_before, kept_after))
    broken = sum(b and not a for b, a in zip(kept_before, kept_after))
    restored += sum(max(0, b - a) for b, a in zip(extra_before, extra_after))
    broken += sum(max(0, a - b) for b, a in zip(extra_before, extra_after))
    return damaged, restored, broken


def edits(original: list[str], spun: list[str], output: list[str]) -> tuple[int, int]:
    """(edited, correct): the restorer's own edits and how many of them are right.

    An edit is every word of a non-equal opcode from spun to output (the
    longer side, as for damage). It is right for each written word that the
    original has at that point, and for each deleted word that was an error
    (a deletion has no written word to check).

    >>> edits("new talks".split(), "brand new talks".split(), "new talks".split())
    (1, 1)
    """
    return _edits(spun, output, _status(original, spun), _status(original, output))


def _edits(spun: list[str], output: list[str], spun_status: Status, output_status: Status) -> tuple[int, int]:
    spun_intact, output_intact = spun_status[2], output_status[2]
    edited = correct = 0
    for tag, j1, j2, k1, k2 in align(spun, output):
        if tag == "equal":
            continue
        written, removed = k2 - k1, j2 - j1
        edited += max(written, removed)
        good = sum(output_intact[k1:k2])
        wrong = removed - sum(spun_intact[j1:j2])
        correct += good + min(max(0, removed - written), max(0, wrong - good))
    return edited, correct


def compare(original: str, spun: str, output: str, fixed_original: str | None = None) -> Counts:
    """All counts for one pair; ``fixed_original`` is the restorer's output on the original itself."""
    o, s, t = words(original), words(spun), words(output)
    spun_status, output_status = _status(o, s), _status(o, t)  # each alignment once: difflib is the cost here
    damaged, restored, broken = _damage(spun_status, output_status)
    edited, correct = _edits(s, t, spun_status, output_status)
    clean_tokens = false_changes = 0
    if fixed_original is not None:
        clean_tokens = len(o)
        false_changes = word_errors(o, words(fixed_original))
    return Counts(
        tokens=len(o),
        damaged=damaged,
        restored=restored,
        broken=broken,
        edited=edited,
        correct=correct,
        errors_before=word_errors(o, s),
        errors_after=word_errors(o, t),
        clean_tokens=clean_tokens,
        false_changes=false_changes,
    )
