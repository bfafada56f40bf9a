"""Stage 3 — score: how well each reading of a sentence explains the text.

Candidates close enough to share trigram context form a cluster; each slot
has its options (keep the spun words, or restore one of the table's
originals), and the cluster answers the language model's view of any
reading. Reference support and article agreement ("a actual" is a
spinner's fingerprint) are per-option log10 evidence. The channel weights
and the document's prior are added by the decide stage, which owns the
trade-off.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate, chain
from typing import TYPE_CHECKING, NamedTuple

from .lm import SENTENCE_END, SENTENCE_START, Scorer, lm_words, phrase_lm_words
from .records import Candidate, Entry, Token

if TYPE_CHECKING:
    from .reference import Reference

# log10 odds against the spun text when "a"/"an" does not fit the word after
# it: spinners swap the noun but leave the article ("a actual danger").
ARTICLE_MISMATCH = 1.5


class Option(NamedTuple):
    """One reading of a candidate span: index 0 of a slot is always "keep"."""

    text: str
    words: tuple[str, ...]  # in the language model's vocabulary
    channel: float  # log10 P(spun | this original); 0 for keep
    reference: float  # log10 support from the reference articles
    article: float  # log10 penalty when the article before it does not fit
    entry: Entry | None
    evidence: tuple[str, ...] = ()


class Slot(NamedTuple):
    candidate: Candidate
    options: tuple[Option, ...]


class Cluster:
    """Slots close enough to share trigram context, and the words around them.

    A reading is one option index per slot. ``best(gains)`` finds the reading
    that maximizes its language-model score plus per-option gains, exactly,
    by Viterbi over trigram states; ``lm_gains(reading)`` is what switching
    each slot to each option is worth to the model, the other slots as in
    the reading. The trigram model sees only the last two words, so both
    carry two words of state from slot to slot: time and memory grow
    linearly with the cluster, however long a run of candidates is.
    """

    __slots__ = ("slots", "_history", "_gaps", "_tail", "_scorer", "_last")

    def __init__(
        self,
        slots: tuple[Slot, ...],
        history: tuple[str | None, str],
        gaps: tuple[tuple[str, ...], ...],
        tail: tuple[str, ...],
        scorer: Scorer,
    ) -> None:
        self.slots = slots
        self._history = history  # the two words before the first slot
        self._gaps = gaps  # fixed words before each slot (none before the first)
        self._tail = tail  # fixed words after the last slot that it affects
        self._scorer = scorer
        # lm_gains() is asked for the all-keep reading by the document's
        # estimates and again by the decision when it keeps every slot.
        self._last: tuple[tuple[int, ...], list[list[float]]] | None = None

    def __reduce__(self):
        # Pickled (to spill a stretch's analysis) without its scorer: a
        # process's loaded model is not data. ``attach`` gives it one back.
        return (_unpickle_cluster, (self.slots, self._history, self._gaps, self._tail, self._last))

    def attach(self, scorer: Scorer) -> Cluster:
        """This cluster, scored by ``scorer`` (after unpickling)."""
        self._scorer = scorer
        return self

    def lm_gains(self, reading: tuple[int, ...]) -> list[list[float]]:
        """``[k][j]``: LM gain of option j over keeping at slot k, the other slots as in ``reading``.

        Only the two words before slot k and the two after it see the
        change, so a forward pass collects each slot's history and a
        backward pass the words that follow it: linear in the cluster.
        """
        # A slot's own option never changes its gains: a lone slot's are the same for every reading.
        if self._last is not None and (self._last[0] == reading or len(reading) == 1):
            return self._last[1]
        slots, gaps = self.slots, self._gaps
        # The two words after each slot: the first two of everything after it.
        after: list[tuple[str, ...]] = [()] * len(slots)
        following = self._tail[:2]
        for k in range(len(slots) - 1, -1, -1):
            after[k] = following
            following = (gaps[k] + slots[k].options[reading[k]].words + following)[:2]
        words_logprob = _memoized(self._scorer.words_logprob, len(slots))
        gains = []
        prev2, prev1 = self._history
        for k, slot in enumerate(slots):
            for word in gaps[k]:
                prev2, prev1 = prev1, word
            options = slot.options
            kept = words_logprob(options[0].words + after[k], prev2, prev1)[0]
            gains.append([0.0] + [words_logprob(o.words + after[k], prev2, prev1)[0] - kept for o in options[1:]])
            for word in options[reading[k]].words:
                prev2, prev1 = prev1, word
        self._last = (reading, gains)
        return gains

    def best(self, gains: list[list[float]]) -> tuple[int, ...]:
        """The reading maximizing lm(reading) + sum(gains[k][reading[k]])."""
        if len(self.slots) == 1:  # most clusters: each option against keeping, no lattice
            row, lm = gains[0], self.lm_gains((0,))[0]
            score, j = max((lm[j] + row[j] if j else row[0], j) for j in range(len(row)))
            return (j,)
        words_logprob = _memoized(self._scorer.words_logprob, len(self.slots))
        # Readings that end in the same two words compete and only the best
        # one goes on; each slot keeps, per state, the state it came from and
        # its option, so the winner is read back without copying readings.
        states: dict[tuple[str | None, str], tuple[float, int]] = {self._history: (0.0, 0)}
        back: list[list[tuple[int, int]]] = []
        for slot, gap, row in zip(self.slots, self._gaps, gains):
            following: dict[tuple[str | None, str], tuple[float, int]] = {}
            links: list[tuple[int, int]] = []
            for index, ((prev2, prev1), (score, _)) in enumerate(states.items()):
                # (adjacent slots have no gap: skip the call, same numbers)
                gap_total, gap2, gap1 = words_logprob(gap, prev2, prev1) if gap else (0.0, prev2, prev1)
                base = score + gap_total
                for j, option in enumerate(slot.options):
                    option_total, next2, next1 = words_logprob(option.words, gap2, gap1)
                    total = base + option_total + row[j]
                    known = following.get((next2, next1))
                    if known is None:
                        following[next2, next1] = (total, len(links))
                        links.append((index, j))
                    elif total > known[0]:
                        following[next2, next1] = (total, known[1])
                        links[known[1]] = (index, j)
            back.append(links)
            states = following
        ending = [score + words_logprob(self._tail, prev2, prev1)[0] for (prev2, prev1), (score, _) in states.items()]
        top = max(ending)
        # Equal scores go to the greater reading, as comparing (score, reading) would.
        return max(_read_back(back, index) for index, score in enumerate(ending) if score == top)


# A cluster of this many slots is a run of candidates ("safety safety …",
# or every word under a broad channel): the same transitions come back slot
# after slot, and a small memo answers them cheaper than the scorer's call.
MEMO_MIN_SLOTS = 8


def _memoized(words_logprob, slots: int):
    """``words_logprob``, memoized for a long cluster (the same numbers: the model is a function)."""
    return lru_cache(maxsize=4096)(words_logprob) if slots >= MEMO_MIN_SLOTS else words_logprob


def _unpickle_cluster(slots, history, gaps, tail, last) -> Cluster:
    cluster = Cluster(slots, history, gaps, tail, None)  # type: ignore[arg-type] - attach() gives the scorer
    cluster._last = last
    return cluster


def _read_back(back: list[list[tuple[int, int]]], index: int) -> tuple[int, ...]:
    """The reading that ends in state ``index`` of the last slot."""
    reading = []
    for links in reversed(back):
        index, j = links[index]
        reading.append(j)
    return tuple(reversed(reading))


def score_candidates(
    tokens: list[Token],
    candidates: list[Candidate],
    scorer: Scorer,
    reference: Reference | None = None,
) -> list[Cluster]:
    """Group candidates by sentence and context, and score each cluster."""
    clusters: list[Cluster] = []
    by_sentence: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_sentence.setdefault(tokens[candidate.first].sentence, []).append(candidate)
    sentence_of = [token.sentence for token in tokens]  # sorted: bisect finds a sentence's words
    for sentence, sentence_candidates in by_sentence.items():
        first = bisect_left(sentence_of, sentence, 0, sentence_candidates[0].first + 1)
        end = bisect_right(sentence_of, sentence, sentence_candidates[-1].last)
        clusters += _score_sentence(tokens, first, end, sentence_candidates, scorer, reference)
    return clusters


def _score_sentence(
    tokens: list[Token],
    first: int,
    end: int,
    candidates: list[Candidate],
    scorer: Scorer,
    reference: Reference | None,
) -> list[Cluster]:
    """Score the candidates of the sentence made of tokens[first:end]."""
    # The sentence in LM words, and where each token's words start.
    token_words = [lm_words(token.norm) for token in tokens[first:end]]
    starts = list(accumulate(map(len, token_words), initial=0))
    words = list(chain.from_iterable(token_words))
    aligned = reference.align(words) if reference else None

    articles = [tokens[c.article].norm if c.article >= 0 else "" for c in candidates]
    # A slot after "a"/"an" spans the article too, so the model reads each
    # option with the article it will get ("an assembly" → "a meeting").
    spans = [
        (starts[c.first - first] - bool(a), starts[c.last + 1 - first]) for c, a in zip(candidates, articles)
    ]
    slots = [
        _make_slot(c, article, words, span, reference, aligned)
        for c, article, span in zip(candidates, articles, spans)
    ]

    clusters: list[Cluster] = []
    group = [0]
    for k in range(1, len(candidates)):
        if spans[k][0] - spans[group[-1]][1] < 2:  # trigram context overlaps
            group.append(k)
        else:
            clusters.append(_score_cluster([slots[j] for j in group], [spans[j] for j in group], words, scorer))
            group = [k]
    clusters.append(_score_cluster([slots[j] for j in group], [spans[j] for j in group], words, scorer))
    return clusters


def _make_slot(
    candidate: Candidate,
    article: str,
    words: list[str],
    span: tuple[int, int],
    reference: Reference | None,
    aligned: int | None,
) -> Slot:
    if reference is None and not article:  # the options depend on the phrase alone
        return Slot(candidate, _plain_options(candidate.spun, candidate.originals))
    before = words[span[0] - 1] if span[0] > 0 else SENTENCE_START
    after = words[span[1]] if span[1] < len(words) else SENTENCE_END
    readings = [(candidate.spun, None)] + list(candidate.originals)
    options = []
    for text, entry in readings:
        option_words = phrase_lm_words(text)
        evidence: list[str] = []
        support = 0.0
        if reference is not None:
            support, why = reference.support(list(option_words), words[span[0]] if article else before, after, aligned)
            if why:
                evidence.append(why)
        penalty = 0.0
        if article:
            fits = article_fits(article, text)
            if entry is None and not fits:
                penalty = -ARTICLE_MISMATCH
                evidence.append(f"{article!r} does not fit {text.split()[0]!r}: spinners leave the article")
            option_words = (article if fits or entry is None else _OTHER_ARTICLE[article],) + option_words
        channel = math.log10(entry.weight) if entry else 0.0
        options.append(Option(text, option_words, channel, support, penalty, entry, tuple(evidence)))
    return Slot(candidate, tuple(options))


@lru_cache(maxsize=8192)
def _plain_options(spun: str, originals: tuple[tuple[str, Entry], ...]) -> tuple[Option, ...]:
    """The options of a phrase with no article before it and no reference: the same for every use."""
    readings = ((spun, None),) + originals
    return tuple(
        Option(text, phrase_lm_words(text), math.log10(entry.weight) if entry else 0.0, 0.0, 0.0, entry, ())
        for text, entry in readings
    )


_OTHER_ARTICLE = {"a": "an", "an": "a"}


# Words whose spelling misleads about their first sound.
_VOWEL_SOUND_CONSONANT_START = ("hour", "honest", "honor", "honour", "heir")
_CONSONANT_SOUND_VOWEL_START = (
    "unic", "unif", "unio", "uniq", "unit", "univ", "unil", "unis",  # not "unimaginable"
    "use", "usu", "uti", "eu", "one", "once", "ukr", "ura", "uro", "u.",
)


def article_fits(article: str, following: str) -> bool:
    """Whether "a"/"an" agrees with the first sound of ``following``.

    >>> article_fits("a", "actual"), article_fits("an", "hour"), article_fits("a", "European")
    (False, True, True)
    """
    word = following.lower()
    vowel_sound = word[:1] in "aeiou"
    if word.startswith(_VOWEL_SOUND_CONSONANT_START):
        vowel_sound = True
    elif word.startswith(_CONSONANT_SOUND_VOWEL_START):
        vowel_sound = False
    if word[:1].isdigit():
        return True  # "an 8-hour day" vs "a 10-hour day": not worth guessing
    return (article.lower() == "an") == vowel_sound


def _score_cluster(
    slots: list[Slot], spans: list[tuple[int, int]], words: list[str], scorer: Scorer
) -> Cluster:
    """The cluster of ``slots`` at ``spans`` (LM-word offsets) in the sentence ``words``."""
    window_start = spans[0][0]
    window_end = min(spans[-1][1] + 2, len(words))
    gaps = ((),) + tuple(tuple(words[a[1] : b[0]]) for a, b in zip(spans, spans[1:]))
    tail = tuple(words[spans[-1][1] : window_end]) + ((SENTENCE_END,) if window_end == len(words) else ())
    if window_start >= 2:
        history = (words[window_start - 2], words[window_start - 1])
    elif window_start == 1:
        history = (SENTENCE_START, words[0])
    else:
        history = (None, SENTENCE_START)
    return Cluster(tuple(slots), history, gaps, tail, scorer)
