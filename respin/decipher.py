"""Learn a spinner's channel from its output alone (decipherment, no originals).

A spinner swaps the same word the same way throughout a farm's output
("said" → "mentioned" in every article), so its substitutions can be read
off spun text alone. This is hard EM over word types (Knight et al. 2006;
the sparse prior of Ravi & Knight 2011 as a one-original-per-spun-form,
few-spun-forms-per-original assignment):

1. **Corpus.** Every text is tokenized; a word can be spun when it is
   alphabetic and not a name (a capital inside a sentence). Each word type
   that the candidate source (:mod:`respin.thesaurus`) knows gets its
   candidate originals; *itself* (identity) is always a candidate, and the
   default: most words are not spun.
2. **E-step.** For every occurrence of a type and every candidate original
   ``o``, the trigram language model scores the window the word affects
   (the word and the two after it), with the neighbours *decoded* under the
   current channel (a spun neighbour would make every reading unlikely).
   An occurrence adds ``log10(ρ·10^Δ + 1 − ρ)`` to ``o``'s corpus score,
   ``Δ`` being the model's gain over leaving the word (``ρ`` = the share of
   a spun form's occurrences that are really spun, so a few genuine uses
   cost little and one odd context cannot decide).
3. **Priors.** The channel prior ``log10 P(spun | o)`` from the candidate
   source; *depletion* — a spinner that replaces a common word everywhere
   leaves it missing from its output, while an original the texts use
   plainly is evidence against it (capped, since topics vary); *inflation*
   — a spun form is used more often than its clean-English frequency says;
   and, per occurrence, the channel that the counts imply (the spun form's
   occurrences over those plus the original's plain uses).
4. **M-step (sparse).** Types are assigned, best corpus score first, to
   their best original when it beats the word itself: each spun form gets
   one original, each original at most ``max_forms`` spun forms, and no
   original may itself be an assigned spun form (no chains). This
   assignment, wrong guesses and all, decodes the neighbours of the next
   round (measured: better than decoding only the sure ones).
5. **Profile.** After the rounds, only *confident* types are kept
   (:class:`Options`): enough corpus score, mean gain, margin over the next
   original, *lift* (the gain beyond the two words' unigram frequencies, so
   that "get", "do" and "new" do not win on frequency alone) and weight.

The learned rows carry an estimate of P(spun | original): of the
original's occurrences in the decoded corpus, the share the spinner wrote
as this spun form (restored occurrences / (restored + plain uses)).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .lm import SENTENCE_END, SENTENCE_START, Scorer, lm_words
from .thesaurus import CandidateSource, unigram_logprob
from .tokens import tokenize

# The share of a spun form's occurrences that the spinner really wrote (the rest genuine).
SPUN_SHARE = 0.9
# Share of a spun original's occurrences the spinner replaces (depletion model).
SPIN_RATE = 0.8
# Clean-English frequency scaled down before counting on it: a topic makes
# some words far more (or less) common than the model's average.
FREQUENCY_SHRINK = 0.3
DEPLETION_CAP = (-3.0, 2.0)  # log10 odds
INFLATION_CAP = (-2.0, 1.0)
MAX_OCCURRENCES = 60  # per type: enough to vote, and keeps a big corpus fast
ITERATIONS = 5


# A spinner swaps dozens of different words; clean text yields a few
# confident-looking "swaps" of topic words (4 in 13,000 words of clean news:
# "deployments" → "systems" …), spun text many (7 in 4,400 words of real
# spun pages, 20–40 in 9,500 words of synthetic spinners). Fewer confident
# swaps than this (per 1,000 words, and at least MIN_SWAPS) and the texts
# do not look spun: nothing is learned.
MIN_SWAPS = 2
MIN_SWAPS_PER_1000_WORDS = 0.5


def looks_spun(swaps: int, words: int) -> bool:
    """Whether ``swaps`` confident substitutions in ``words`` words are evidence of a spinner."""
    return swaps >= max(MIN_SWAPS, MIN_SWAPS_PER_1000_WORDS * words / 1000)


@dataclass(frozen=True)
class Options:
    """Knobs of the learner; the defaults are measured (benchmarks/unsupervised.py)."""

    min_occurrences: int = 2  # a spun type must occur this often in the corpus
    min_score: float = 3.0  # corpus-level log10 odds a type's best original must reach
    min_gain: float = 1.5  # ... and gain this much per occurrence on average (log10, the model alone)
    min_margin: float = 4.0  # ... and beat the runner-up original by this much (log10)
    min_lift: float = 1.25  # ... and gain this much per occurrence beyond the words' unigram frequency gap
    min_weight: float = 0.5  # ... and P(spun | original) this high: the spinner swaps it throughout
    max_forms: int = 1  # spun forms one original may have
    iterations: int = ITERATIONS


@dataclass(frozen=True, slots=True)
class Learned:
    """One learned substitution: ``spun`` was written for ``original``."""

    spun: str
    original: str
    weight: float  # estimated P(spun | original) in the corpus, in (0, 1]
    occurrences: int  # of the spun form in the corpus
    score: float  # corpus-level log10 odds against identity, priors included
    gain: float  # mean language-model gain per occurrence (log10)
    margin: float = 0.0  # score over the runner-up original
    favoured: int = 0  # occurrences whose context prefers the original
    lift: float = 0.0  # mean gain beyond the unigram frequency gap


@dataclass
class Summary:
    """What the learner saw."""

    documents: int = 0
    words: int = 0
    types: int = 0  # spinnable word types with candidates
    considered: int = 0  # of which frequent enough to learn
    rounds: list[int] = field(default_factory=list)  # confident substitutions after each round
    not_spun: int | None = None  # set when too few swaps were found for the texts to look spun


@dataclass(frozen=True, slots=True)
class _Choice:
    spun: str
    original: str
    score: float
    gain: float
    favoured: int  # occurrences whose context prefers the original
    margin: float  # score over the runner-up original
    lift: float  # mean gain beyond the unigram frequency gap: what the context adds


class Corpus:
    """The texts as sentences of normalized words, with which words may be spun."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.sentences: list[list[str]] = []
        self.occurrences: dict[str, list[tuple[int, int]]] = {}
        self.counts: Counter[str] = Counter()
        self.documents = len(texts)
        for text in texts:
            sentence, current = [], None
            for token in tokenize(text):
                if token.sentence != current:
                    if sentence:
                        self.sentences.append(sentence)
                    sentence, current = [], token.sentence
                surface = text[token.start : token.end]
                if _spinnable(token.norm, surface, first=not sentence):
                    self.occurrences.setdefault(token.norm, []).append((len(self.sentences), len(sentence)))
                sentence.append(token.norm)
                self.counts[token.norm] += 1
            if sentence:
                self.sentences.append(sentence)
        self.words = sum(self.counts.values())
        for word, places in self.occurrences.items():
            self.occurrences[word] = self._distinct(places)

    def _distinct(self, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """One occurrence per context (two words either side): a farm posts copies of one story."""
        seen, kept = set(), []
        for index, position in places:
            sentence = self.sentences[index]
            context = (tuple(sentence[max(0, position - 2) : position]), tuple(sentence[position + 1 : position + 3]))
            if context not in seen:
                seen.add(context)
                kept.append((index, position))
        return kept


def _spinnable(norm: str, surface: str, first: bool) -> bool:
    # Names (a capital inside a sentence) and numbers are not a thesaurus's words.
    if not norm.isalpha():
        return False
    return first or not surface[:1].isupper()


def learn_channel(
    texts: Sequence[str], source: CandidateSource, scorer: Scorer, options: Options = Options()
) -> tuple[list[Learned], Summary]:
    """Learn which spun word types in ``texts`` come from which originals (in any order: same result)."""
    corpus = Corpus(sorted(texts))
    summary = Summary(documents=corpus.documents, words=corpus.words)
    candidates: dict[str, list[tuple[str, float]]] = {}
    for word in corpus.occurrences:
        found = source.candidates(word)
        if found:
            candidates[word] = found
    summary.types = len(candidates)
    learnable = {w: c for w, c in candidates.items() if len(corpus.occurrences[w]) >= options.min_occurrences}
    summary.considered = len(learnable)
    frequency = _Frequency(scorer, corpus.words)
    mapping: dict[str, str] = {}
    choices: dict[str, _Choice] = {}
    for _ in range(options.iterations):
        choices = {}
        for word, found in learnable.items():
            choice = _best_original(word, found, corpus, mapping, scorer, frequency)
            if choice is not None:
                choices[word] = choice
        new_mapping = _assign(choices.values(), options.max_forms)
        summary.rounds.append(sum(_confident(choices[s], options, corpus.counts) for s in new_mapping))
        if new_mapping == mapping:
            break
        mapping = new_mapping
    learned = []
    for spun, original in mapping.items():
        choice = choices[spun]
        if not _confident(choice, options, corpus.counts):
            continue
        weight = _weight(choice.favoured, corpus.counts.get(original, 0))
        learned.append(Learned(spun, original, round(weight, 3), len(corpus.occurrences[spun]),
                               round(choice.score, 2), round(choice.gain, 2),
                               round(choice.margin, 2), choice.favoured, round(choice.lift, 2)))
    learned.sort(key=lambda e: (e.spun, e.original))
    return learned, summary


def _weight(restored: int, plain: int) -> float:
    """Estimated P(spun | original): restored occurrences / all the original's occurrences, smoothed."""
    return max(0.05, min(1.0, (restored + 0.5) / (restored + plain + 1)))


class _Frequency:
    """Expected counts in a corpus of clean English of the same size."""

    def __init__(self, scorer: Scorer, words: int) -> None:
        self.scorer = scorer
        self.words = words
        self._cache: dict[str, float] = {}

    def logprob(self, word: str) -> float:
        value = self._cache.get(word)
        if value is None:
            value = self._cache[word] = unigram_logprob(self.scorer, word)
        return value

    def expected(self, word: str) -> float:
        return self.words * FREQUENCY_SHRINK * 10 ** self.logprob(word)


def depletion(observed: int, expected: float) -> float:
    """log10 odds that a word was spun away (rate SPIN_RATE) given its plain uses, capped."""
    odds = observed * math.log10(1 - SPIN_RATE) + SPIN_RATE * expected * math.log10(math.e)
    return min(max(odds, DEPLETION_CAP[0]), DEPLETION_CAP[1])


def inflation(observed: int, expected: float) -> float:
    """log10 odds that a word is used more than clean English uses it, signed and capped.

    The Poisson likelihood ratio of the observed rate against the expected
    one: positive when the texts use the word more, negative when less.
    """
    expected = max(expected, 1e-3)
    fit = (observed * math.log10(observed / expected) if observed else 0.0) - (observed - expected) * math.log10(math.e)
    odds = fit if observed > expected else -fit
    return min(max(odds, INFLATION_CAP[0]), INFLATION_CAP[1])


def _best_original(word: str, found: list[tuple[str, float]], corpus: Corpus, mapping: dict[str, str],
                   scorer: Scorer, frequency: _Frequency) -> _Choice | None:
    occurrences = corpus.occurrences[word][:MAX_OCCURRENCES]
    totals = dict.fromkeys((o for o, _ in found), 0.0)
    gains = dict.fromkeys(totals, 0.0)
    favoured = dict.fromkeys(totals, 0)
    keep_share = math.log10(1 - SPUN_SHARE)
    for sentence_index, position in occurrences:
        sentence = corpus.sentences[sentence_index]
        prev2, prev1 = _history(sentence, position, mapping)
        after = _following(sentence, position, mapping)
        own, _, _ = scorer.words_logprob(lm_words(word) + after, prev2, prev1)
        for original in totals:
            score, _, _ = scorer.words_logprob(lm_words(original) + after, prev2, prev1)
            gain = score - own
            gains[original] += gain
            favoured[original] += gain > 0
            # log10(ρ·10^gain + 1 − ρ), without overflow for large gains
            if gain > 0:
                totals[original] += gain + math.log10(SPUN_SHARE + (1 - SPUN_SHARE) * 10 ** -gain)
            else:
                totals[original] += math.log10(SPUN_SHARE * 10**gain + 1 - SPUN_SHARE) if gain > -30 else keep_share
    inflated = inflation(len(corpus.occurrences[word]), frequency.expected(word))
    count = len(corpus.occurrences[word])
    scored = sorted(
        ((totals[o] + math.log10(prior) + depletion(corpus.counts.get(o, 0), frequency.expected(o)) + inflated
          + count * math.log10(_weight(count, corpus.counts.get(o, 0))), o)
         for o, prior in found), reverse=True)
    score, original = scored[0]
    margin = score - scored[1][0] if len(scored) > 1 else score
    gain = gains[original] / len(occurrences)
    lift = gain - (frequency.logprob(original) - frequency.logprob(word))
    return _Choice(word, original, score, gain, favoured[original], margin, lift)


def _decoded(word: str, mapping: dict[str, str]) -> tuple[str, ...]:
    return lm_words(mapping.get(word, word))


def _history(sentence: list[str], position: int, mapping: dict[str, str]) -> tuple[str | None, str]:
    words: list[str] = []
    k = position - 1
    while k >= 0 and len(words) < 2:
        words[:0] = _decoded(sentence[k], mapping)
        k -= 1
    if len(words) >= 2:
        return words[-2], words[-1]
    if words:
        return SENTENCE_START, words[-1]
    return None, SENTENCE_START


def _following(sentence: list[str], position: int, mapping: dict[str, str]) -> tuple[str, ...]:
    words: list[str] = []
    k = position + 1
    while k < len(sentence) and len(words) < 2:
        words += _decoded(sentence[k], mapping)
        k += 1
    if len(words) < 2 and k >= len(sentence):
        words.append(SENTENCE_END)
    return tuple(words[:2])


def _assign(choices, max_forms: int) -> dict[str, str]:
    """The sparse channel that decodes the next round's neighbours.

    Best scores first, every type whose best original beats the word itself:
    one original per spun form, ``max_forms`` spun forms per original, no
    chains. Wrong guesses among them cost less than leaving spun neighbours
    in every window (measured: more right substitutions among the confident).
    """
    mapping: dict[str, str] = {}
    forms: Counter[str] = Counter()
    for choice in sorted(choices, key=lambda c: (-c.score, c.spun)):
        if choice.score <= 0 or forms[choice.original] >= max_forms:
            continue
        if choice.original in mapping or choice.spun in forms:  # would chain
            continue
        mapping[choice.spun] = choice.original
        forms[choice.original] += 1
    return mapping


def _confident(choice: _Choice, options: Options, counts: Counter[str]) -> bool:
    """Whether a substitution of the channel is sure enough for the profile."""
    if choice.score < options.min_score or choice.gain < options.min_gain or choice.margin < options.min_margin \
            or choice.lift < options.min_lift:
        return False
    # The texts use the original plainly about as often: a genuine word.
    return _weight(choice.favoured, counts.get(choice.original, 0)) >= options.min_weight
