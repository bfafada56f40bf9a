"""Reference articles: a clean text on the same story as extra evidence.

A restoration that puts back a word the reference uses in the matching
sentence is far more likely right; one that only exists in the thesaurus is
not. Evidence is additive log10 odds, and every bonus carries a sentence
saying where it came from.

Each sentence of the text is aligned with a reference sentence in one of two
strengths. A *close* match shares most of its words in order (word-level
similarity, found with rapidfuzz): the reference is the article the text was
spun from, or a copy of it. Then the words that differ are the spinner's
work, and :func:`with_reference_candidates` proposes the reference's words
there as candidates (stage 2), while table candidates on words the reference
confirms are dropped. A *loose* match (a different article on the same
story) only supports the restorations the tables propose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from .candidates import _article_before, _joined_plainly, _with_gaps, apply_case, keep_sentences
from .lm import lm_words
from .records import Candidate, Entry, Token
from .tables import Tables
from .tokens import sentences as sentence_groups
from .tokens import tokenize

# log10 bonuses; a matching sentence is much stronger evidence than the
# article as a whole, and a word pair stronger than a lone word.
ALIGNED_BIGRAM = 2.0
ALIGNED_WORD = 1.0
ANY_BIGRAM = 0.6
ANY_WORD = 0.2
# In a close match, words with the same neighbours on both sides as in the
# reference sentence stand exactly where the reference has them.
CLOSE_PLACE = 3.0
# rapidfuzz token_sort_ratio (0–100) above which two sentences are "the same"
ALIGN_CUTOFF = 60.0
# ...and by this much more than the runner-up: unrelated sentences of a
# same-topic article reach 60–66 by chance.
ALIGN_LEAD = 10.0
# Word-level similarity (rapidfuzz Indel ratio over word sequences, 0–100)
# from which a reference sentence is the one the text's sentence was spun
# from. Measured on seed 000 against its hand restoration: spun sentences
# score 42–100 (the seed spinner swaps a third of the words); against seed
# 002, another article on the same story, none scores above 30. (Seed 001
# shares wire copy with 002: its sentences reach 56 there, and the shape of
# their differences — clauses added or cut, see MAX_INDEL — turns most away.)
CLOSE_CUTOFF = 40.0
# ...sharing at least this many words (a two-word sentence matches by chance).
CLOSE_MIN_SHARED = 3
# A run of words with no known relation to the reference's (no table row,
# inflection or rewrite) is proposed only in a sentence matching at least
# this well: spun sentences score 53–100 against their original on the
# seeds and real pages but one (44), while sentences of another article on
# the same story that pass as close score 41–50.
PLAIN_SWAP_CUTOFF = 50.0
# The longest runs of words the alignment proposes as one spin: spinners
# write a phrase for a word ("were able to" → "had been in a position to").
MAX_SPUN_SPAN = 6
MAX_ORIGINAL_SPAN = 4
# A close match has no other difference than swapped runs and words the
# spinner added or dropped, at most this many in a row ("brand new" for
# "new"). Editors add or cut clauses: a related sentence of another article
# on the same story (seed 001 against 002) differs by 4 words and more.
MAX_INDEL = 2

# Sentence alignments remembered per reference (then forgotten all at once).
MAX_REMEMBERED = 50_000

# The channel weight P(spun | original) of an aligned pair, by what relates
# the two: a table lists it, one is an inflection or a known rewrite of the
# other, or it is just a short run the reference has in the same place.
ALIGNED_WEIGHTS = {"table": 0.8, "inflection": 0.5, "rewrite": 0.5, "aligned": 0.3}

_NUMBER_WORDS = {
    word: str(n)
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Ordinals count as figures only beside a number: "first" and "second" are
# ordinary words too ("the second of truth" for "the moment of truth").
_FIGURE_WORDS = _NUMBER_WORDS | {
    word: f"{n}{suffix}"
    for n, word, suffix in [
        (1, "first", "st"), (2, "second", "nd"), (3, "third", "rd"), (4, "fourth", "th"), (5, "fifth", "th"),
        (6, "sixth", "th"), (7, "seventh", "th"), (8, "eighth", "th"), (9, "ninth", "th"), (10, "tenth", "th"),
    ]
}
# Days and months: like figures, another one is another fact.
_DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july "
    "august september october november december".split()
)
_DIGITS = re.compile(r"\d")
# Any figure, number word, day or month: the runs that need a closer look.
_FACTS_RE = re.compile(r"\d|\b(?:" + "|".join(sorted({*_NUMBER_WORDS, *_DATE_WORDS})) + r")\b")


class Alignment(NamedTuple):
    """The reference sentence a text sentence matches, and how closely."""

    index: int  # into Reference.sentences
    close: bool  # the same sentence, spun; False: only a sentence on the same subject
    score: float
    opcodes: tuple = ()  # of a close match: word_opcodes from the sentence's LM words to the reference's


def clear_match(query: str, sentences: list[str], processor=None, presorted: bool = False) -> tuple[int, float] | None:
    """The sentence that matches ``query``: (index, score 0–100), or None.

    "The matching sentence" scores at least ``ALIGN_CUTOFF`` and clearly
    beats the runner-up; the engine and ``respin review`` both use this rule.
    The score is rapidfuzz's token_sort_ratio; with ``presorted`` the query
    and sentences already have their words sorted, so a plain ratio gives it.
    """
    from rapidfuzz import fuzz, process

    scorer = fuzz.ratio if presorted else fuzz.token_sort_ratio
    found = process.extract(query, sentences, scorer=scorer, processor=processor, limit=2)
    if not found or found[0][1] < ALIGN_CUTOFF:
        return None
    if len(found) > 1 and found[0][1] - found[1][1] < ALIGN_LEAD:
        return None  # two sentences match about as well: neither is "the" sentence
    return found[0][2], found[0][1]


@dataclass
class Reference:
    sentences: list[list[str]]  # each reference sentence in LM words
    joined: list[str]
    words: set[str]
    bigrams: set[tuple[str, str]]
    texts: tuple[str, ...] = ()
    # each sentence's tokens and the index of the text they are from
    tokens: list[tuple[int, list[Token]]] = field(default_factory=list)
    # Each reference word as one character, and each sentence as a string of
    # them: rapidfuzz compares strings far faster than lists of words.
    _codes: dict[str, str] = field(default_factory=dict)
    _encoded: list[str] = field(default_factory=list)
    _sorted: list[str] = field(default_factory=list)  # each sentence's words sorted, for token_sort_ratio
    _alignment: dict[str, Alignment | None] = field(default_factory=dict)
    _close: dict[str, Alignment | None] = field(default_factory=dict)
    _indexed: dict[int, tuple[str, set[tuple[str, str]], set[str]]] = field(default_factory=dict)
    _verbatim: dict[str, int] = field(default_factory=dict)  # encoded sentence -> its first index

    def align(self, sentence_words: list[str]) -> Alignment | None:
        """The reference sentence that matches ``sentence_words`` (LM words), or None."""
        query = " ".join(sentence_words)
        if query not in self._alignment:
            if len(self._alignment) >= MAX_REMEMBERED:
                self._alignment.clear()  # a long batch with one reference must not grow without end
            self._alignment[query] = self.close_match(sentence_words) or self._loose_match(sentence_words)
        return self._alignment[query]

    def close_match(self, sentence_words: list[str]) -> Alignment | None:
        """The reference sentence ``sentence_words`` was spun from, or None."""
        query = " ".join(sentence_words)
        if query not in self._close:
            if len(self._close) >= MAX_REMEMBERED:
                self._close.clear()
            self._close[query] = self._close_match(sentence_words)
        return self._close[query]

    def _close_match(self, sentence_words: list[str]) -> Alignment | None:
        from rapidfuzz import fuzz, process

        if len(sentence_words) < CLOSE_MIN_SHARED:
            return None
        encoded = "".join([self._codes.get(word, _UNKNOWN) for word in sentence_words])
        same = self._verbatim.get(encoded)
        if same is not None:  # the sentence as the reference has it (most of a clean text)
            return Alignment(same, True, 100.0, (("equal", 0, len(encoded), 0, len(encoded)),))
        found = process.extract(encoded, self._encoded, scorer=fuzz.ratio, limit=2, score_cutoff=CLOSE_CUTOFF)
        if not found:
            return None
        best = found[0]
        if len(found) > 1 and best[1] - found[1][1] < ALIGN_LEAD and self.joined[found[1][2]] != self.joined[best[2]]:
            return None  # two different sentences match about as well: neither is "the" sentence
        shared = best[1] / 200 * (len(encoded) + len(self._encoded[best[2]]))
        if shared < CLOSE_MIN_SHARED - 0.01:
            return None
        opcodes = word_opcodes(encoded, self._encoded[best[2]])
        # One edition may run a sentence on ("..., he said on Wednesday"): only the inside counts.
        inner = opcodes[1 if opcodes[0][0] in ("insert", "delete") else 0 :]
        inner = inner[: -1 if inner and inner[-1][0] in ("insert", "delete") else None]
        if not all(_spinner_sized(*op) for op in inner):
            return None  # words added or dropped, or a long rewrite: an editor's work, not a spinner's
        return Alignment(best[2], True, best[1], tuple(opcodes))

    def _loose_match(self, sentence_words: list[str]) -> Alignment | None:
        # The reference's side sorted once, not at every comparison.
        if not self._sorted:
            self._sorted = [" ".join(sorted(sentence)) for sentence in self.sentences]
        best = clear_match(" ".join(sorted(sentence_words)), self._sorted, presorted=True)
        return Alignment(best[0], False, best[1]) if best else None

    def support(self, words: list[str], before: str, after: str, aligned: Alignment | None) -> tuple[float, str]:
        """log10 support for ``words`` standing between ``before`` and ``after``."""
        if aligned is not None:
            marked, sentence_pairs, sentence_words = self._sentence_index(aligned.index)
            where = f"reference sentence {aligned.index + 1}"
            if aligned.close and words and f" {before} {' '.join(words)} {after} " in marked:
                return CLOSE_PLACE, f"{where} (the same sentence) has {' '.join(words)!r} in the same place"
            if words and ((before, words[0]) in sentence_pairs or (words[-1], after) in sentence_pairs):
                return ALIGNED_BIGRAM, f"{where} has {' '.join(words)!r} in the same place"
            if sentence_words.issuperset(words):
                return ALIGNED_WORD, f"{where} uses {' '.join(words)!r}"
        if words and ((before, words[0]) in self.bigrams or (words[-1], after) in self.bigrams):
            return ANY_BIGRAM, f"reference uses {' '.join(words)!r} next to the same word"
        if words and self.words.issuperset(words):
            return ANY_WORD, f"reference uses {' '.join(words)!r}"
        return 0.0, ""

    def _sentence_index(self, index: int) -> tuple[str, set[tuple[str, str]], set[str]]:
        """Sentence ``index`` as " <s> its words </s> ", its word pairs and its words (made once)."""
        found = self._indexed.get(index)
        if found is None:
            from .lm import SENTENCE_END, SENTENCE_START

            sentence = self.sentences[index]
            found = self._indexed[index] = (
                f" {SENTENCE_START} {' '.join(sentence)} {SENTENCE_END} ",
                set(zip(sentence, sentence[1:])),
                set(sentence),
            )
        return found


def build_reference(texts: list[str] | tuple[str, ...]) -> Reference | None:
    """Index reference texts by sentence; ``None`` when there are none."""
    if not texts:
        return None
    sentences: list[list[str]] = []
    sentence_tokens: list[tuple[int, list[Token]]] = []
    for number, text in enumerate(texts):
        for group in sentence_groups(tokenize(text)):
            sentences.append([w for token in group for w in lm_words(token.norm)])
            sentence_tokens.append((number, group))
    words = {w for s in sentences for w in s}
    bigrams = {pair for s in sentences for pair in zip(s, s[1:])}
    codes = {word: _code(n) for n, word in enumerate(sorted(words))}
    encoded = ["".join([codes[w] for w in s]) for s in sentences]
    return Reference(sentences, [" ".join(s) for s in sentences], words, bigrams, tuple(texts), sentence_tokens,
                     codes, encoded, _verbatim={e: k for k, e in reversed(list(enumerate(encoded)))})


def _code(number: int) -> str:
    """The character standing for word ``number`` (skipping the surrogates, which are not characters)."""
    return chr(0x100 + number if 0x100 + number < 0xD800 else 0x900 + number)


_UNKNOWN = "\x01"  # a word no reference sentence has


@lru_cache(maxsize=65536)
def _lm_words(norm: str) -> tuple[str, ...]:
    return lm_words(norm)


# --- stage 2: candidates the reference proposes ---------------------------------------------


def with_reference_candidates(
    text: str, tokens: list[Token], candidates: list[Candidate], reference: Reference, tables: Tables
) -> list[Candidate]:
    """The table candidates merged with those the reference's close sentences propose.

    In a sentence that closely matches a reference sentence, a short run of
    words that differs from the reference's words at the same place becomes
    a candidate restoring them (a table candidate on the same span keeps its
    options too); table candidates on words the reference has unchanged are
    dropped: the clean sentence says they are not spun.
    """
    proposed: list[Candidate] = []
    confirmed: set[int] = set()  # token indices the reference has as they are
    offset = 0
    for group in sentence_groups(tokens):
        words = [w for token in group for w in _lm_words(token.norm)]
        alignment = reference.close_match(words)
        if alignment is not None:
            found, same = _aligned_spans(text, tokens, offset, group, alignment, reference, tables)
            proposed += found
            confirmed |= same
        offset += len(group)
    if not proposed and not confirmed:
        return candidates
    return _merge(candidates, proposed, confirmed)


def _aligned_spans(
    text: str,
    tokens: list[Token],
    offset: int,
    group: list[Token],
    alignment: Alignment,
    reference: Reference,
    tables: Tables,
) -> tuple[list[Candidate], set[int]]:
    """Candidates where a sentence differs from its close reference sentence, and the tokens it shares."""
    source, ref_group = reference.tokens[alignment.index]
    ref_text = reference.texts[source]
    found: list[Candidate] = []
    same: set[int] = set()
    norms, ref_norms = [t.norm for t in group], [t.norm for t in ref_group]
    lm_lengths = (alignment.opcodes[-1][2], alignment.opcodes[-1][4]) if alignment.opcodes else None
    if lm_lengths == (len(group), len(ref_group)):
        opcodes = alignment.opcodes  # a word per token on both sides: the LM words' opcodes are the tokens'
    else:
        opcodes = word_opcodes(norms, ref_norms)
    where = f"reference sentence {alignment.index + 1}"
    if len(reference.texts) > 1:
        where = f"reference {source + 1}, sentence {alignment.index + 1}"
    for tag, i1, i2, j1, j2 in _absorb_indels(opcodes):
        if tag == "equal":
            same.update(range(offset + i1, offset + i2))
            continue
        if tag != "replace" or i2 - i1 > MAX_SPUN_SPAN or j2 - j1 > MAX_ORIGINAL_SPAN:
            continue
        first, last = offset + i1, offset + i2 - 1
        ref_tokens = ref_group[j1:j2]
        kind = spin_kind(norms[i1:i2], ref_norms[j1:j2], tables)
        if kind is None or (kind == "aligned" and not _plain_swap(i2 - i1, j2 - j1, alignment.score)):
            continue
        if (last > first and not _joined_plainly(text, tokens, first, last)) or (
            j2 - j1 > 1 and not _joined_plainly(ref_text, ref_group, j1, j2 - 1)
        ):
            continue
        spun = text[tokens[first].start : tokens[last].end]
        plain = " ".join(spun.split())
        original = " ".join(ref_text[t.start : t.end] for t in ref_tokens)
        if j1 == 0 and original[:1].isupper() and original[1:2].islower():
            original = original[:1].lower() + original[1:]  # capitalized only as the reference's first word
        restored = apply_case(original, plain)
        if i1 == 0 and plain[:1].isupper() and restored[:1].islower():
            restored = restored[:1].upper() + restored[1:]  # the text's sentence starts here
        if last > first:
            gaps = [text[tokens[k - 1].end : tokens[k].start] for k in range(first + 1, last + 1)]
            if any(gap != " " for gap in gaps):
                restored = _with_gaps(restored, gaps)
        restored = keep_sentences(text, tokens, first, spun, restored)
        if restored is None or restored == spun:
            continue
        entry = Entry(plain, original, ALIGNED_WEIGHTS[kind], (), f"reference alignment ({kind}), {where}")
        found.append(Candidate(first, last, tokens[first].start, tokens[last].end, spun, ((restored, entry),),
                               _article_before(text, tokens, first)))
    return found, same


def _absorb_indels(opcodes: Sequence[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """The opcodes with each small insertion or deletion made a swap with the word before (or after) it.

    A spinner that writes "package deal" for "package" or "will not be" for
    "won't be" leaves words added, not swapped: taken with their neighbour
    they become a run to restore ("package deal" → "package").

    >>> _absorb_indels([("equal", 0, 3, 0, 3), ("delete", 3, 4, 3, 3), ("equal", 4, 6, 3, 5)])
    [('equal', 0, 2, 0, 2), ('replace', 2, 4, 2, 3), ('equal', 4, 6, 3, 5)]
    """
    ops = [list(op) for op in opcodes]
    for k, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        if tag not in ("insert", "delete") or max(i2 - i1, j2 - j1) > MAX_INDEL:
            continue
        if k > 0 and ops[k - 1][0] == "equal" and ops[k - 1][2] > ops[k - 1][1]:
            ops[k - 1][2] -= 1
            ops[k - 1][4] -= 1
            op[:] = ["replace", i1 - 1, i2, j1 - 1, j2]
        elif k + 1 < len(ops) and ops[k + 1][0] == "equal" and ops[k + 1][2] > ops[k + 1][1]:
            ops[k + 1][1] += 1
            ops[k + 1][3] += 1
            op[:] = ["replace", i1, i2 + 1, j1, j2 + 1]
    return [tuple(op) for op in ops if op[0] != "equal" or op[2] > op[1]]


def _plain_swap(spun_words: int, original_words: int, score: float) -> bool:
    """Whether a run nothing relates to the reference's words is still plainly a spinner's swap.

    Only in a sentence that matches very closely, and only a run about as
    long as the words it replaces: an editor rewriting a clause ("drivers
    will be sent along" → "traffic on") also leaves a sentence that matches
    somewhat.
    """
    return score >= PLAIN_SWAP_CUTOFF and max(spun_words, original_words) <= 2 * min(spun_words, original_words) + 1


def word_opcodes(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning the words ``a`` into ``b`` (longest common subsequence).

    rapidfuzz computes them in C, ten times faster than difflib; a run of
    insertions and deletions between two equal stretches becomes one "replace".
    """
    from rapidfuzz.distance import Indel

    merged: list[tuple[str, int, int, int, int]] = []
    for op in Indel.opcodes(a, b):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag != "equal" and merged and merged[-1][0] != "equal":
            _, i1, _, j1, _ = merged.pop()
        if tag != "equal":
            tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
        merged.append((tag, i1, i2, j1, j2))
    return merged


def _spinner_sized(tag: str, i1: int, i2: int, j1: int, j2: int) -> bool:
    """Whether one difference between a sentence and its reference is as small as a spinner's."""
    if tag in ("insert", "delete"):
        return max(i2 - i1, j2 - j1) <= MAX_INDEL
    return tag == "equal" or (i2 - i1 <= MAX_SPUN_SPAN + MAX_INDEL and j2 - j1 <= MAX_ORIGINAL_SPAN + MAX_INDEL)


def spin_kind(spun: list[str], original: list[str], tables: Tables) -> str | None:
    """What makes ``spun`` plausible as a spinner's rewrite of ``original`` (normalized words), or None.

    >>> from respin.tables import build_tables
    >>> none = build_tables([], [], "")
    >>> spin_kind(["4"], ["four"], none), spin_kind(["3rd"], ["third"], none), spin_kind(["talked"], ["talks"], none)
    ('rewrite', 'rewrite', 'inflection')
    >>> spin_kind(["12"], ["13"], none), spin_kind(["mentioned"], ["said"], none)
    (None, 'aligned')
    >>> spin_kind(["2", "expenses"], ["two", "bills"], none), spin_kind(["2", "expenses"], ["three", "bills"], none)
    ('aligned', None)
    >>> spin_kind(["on", "wednesday"], ["on", "tuesday"], none)
    """
    if _FACTS_RE.search(" ".join(spun)) or _FACTS_RE.search(" ".join(original)):  # rarely
        if _has_figure(spun) or _has_figure(original):
            return _figures_kind(spun, original, tables)
        if [w for w in spun if w in _DATE_WORDS] != [w for w in original if w in _DATE_WORDS]:
            return None  # "Wednesday" for "Tuesday" is an edit, not a spin
    return _words_kind(spun, original, tables)


def _has_figure(words: list[str]) -> bool:
    return bool(_DIGITS.search(" ".join(words))) or not _NUMBER_WORDS.keys().isdisjoint(words)


def _figures_kind(spun: list[str], original: list[str], tables: Tables) -> str | None:
    """spin_kind for runs with numbers in them: the figures must agree."""
    spun_figures = [_FIGURE_WORDS.get(w, w) for w in spun if _DIGITS.search(_FIGURE_WORDS.get(w, w))]
    original_figures = [_FIGURE_WORDS.get(w, w) for w in original if _DIGITS.search(_FIGURE_WORDS.get(w, w))]
    if spun_figures != original_figures:
        return None  # another figure is another fact
    if spun_figures and any(_DIGITS.search(w) for w in spun + original):
        as_digits = [_FIGURE_WORDS.get(w, w) for w in spun], [_FIGURE_WORDS.get(w, w) for w in original]
        if as_digits[0] == as_digits[1]:
            return "rewrite"  # "4" for "four"
        spun = [w for w in spun if w not in spun_figures and _FIGURE_WORDS.get(w) not in spun_figures]
        original = [w for w in original if w not in original_figures and _FIGURE_WORDS.get(w) not in original_figures]
        if not spun or not original:
            return None
    return _words_kind(spun, original, tables)


def _words_kind(spun: list[str], original: list[str], tables: Tables) -> str:
    if _in_tables(spun, original, tables):
        return "table"
    joined_spun, joined_original = "".join(spun), "".join(original)
    if joined_spun.replace("'", "") == joined_original.replace("'", "") or (
        joined_spun.replace("n't", "not") == joined_original.replace("n't", "not")
    ):
        return "rewrite"
    if len(spun) == len(original) and all(_same_stem(a, b) for a, b in zip(spun, original)):
        return "inflection"
    return "aligned"


def _in_tables(spun: list[str], original: list[str], tables: Tables) -> bool:
    wanted = " ".join(original)
    for length, phrases in tables.by_length.get(spun[0], ()):
        if length == len(spun):
            entries = phrases.get(tuple(spun), ())
            return any(entry.original.lower() == wanted for entry in entries)
    return False


_SUFFIXES = ("ing", "ed", "es", "s", "d", "er", "est", "ly")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _same_stem(a: str, b: str) -> bool:
    return a == b or _stem(a) == _stem(b) or (len(a) > 4 and len(b) > 4 and a[:5] == b[:5])


def _merge(candidates: list[Candidate], proposed: list[Candidate], confirmed: set[int]) -> list[Candidate]:
    """Table and reference candidates, non-overlapping, in text order.

    A reference candidate wins over the table candidates it overlaps (taking
    their options when it has their span); a table candidate whose words the
    reference confirms is dropped.
    """
    by_span = {(c.first, c.last): c for c in candidates}
    taken: set[int] = set()
    merged: list[Candidate] = []
    for candidate in proposed:
        table = by_span.get((candidate.first, candidate.last))
        if table is not None:
            ours = {restored.lower() for restored, _ in candidate.originals}
            extra = tuple(option for option in table.originals if option[0].lower() not in ours)
            candidate = candidate._replace(originals=candidate.originals + extra)
        merged.append(candidate)
        taken.update(range(candidate.first, candidate.last + 1))
    for candidate in candidates:
        span = range(candidate.first, candidate.last + 1)
        if taken.isdisjoint(span) and not confirmed.issuperset(span):
            merged.append(candidate)
    merged.sort(key=lambda c: c.first)
    # An "a"/"an" that a candidate before it spans belongs to that phrase.
    for k in range(1, len(merged)):
        if merged[k].article >= 0 and merged[k].article <= merged[k - 1].last:
            merged[k] = merged[k]._replace(article=-1)
    return merged
