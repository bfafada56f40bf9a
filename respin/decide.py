"""Stage 4 — decide: pick the best reading of each cluster, jointly.

First the document speaks: how dense its confident restorations are sets
the spin prior, restorations that win on their own vouch for the same swap
elsewhere, and originals the text already uses plainly count against
restoring them. Then the objective of a reading is its language-model score
plus, for every restored span, the channel weight, that evidence, the prior
and minus the threshold. Each restoration therefore has to pay for itself:
a fix is made only when it beats leaving the words alone by the threshold's
margin, while neighbouring fixes are still judged together ("safety calls
for" → "security demands").
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import NamedTuple

from .records import (
    ARTICLE, CHANNEL, CONSISTENCY, COUNTER_EVIDENCE, LM, PRIOR, REFERENCE, REFERENCE_AGAINST, Candidate, Fix, Term,
    Token,
)
from .score import Cluster, Option, Slot, article_fits
from .tables import Tables

# A slot is "confident" evidence of spinning when restoring it wins by this
# many log10 units with a neutral prior; the share of such slots per 1,000
# words sets the document's prior.
CONFIDENT_MARGIN = 1.0
# Measured on the seeds and the team's clean prose (tests/data/clean): the
# spun seeds show 75–120 confident slots per 1,000 words, clean news 0–10,
# machine translation 1. A document at this density gets a neutral prior
# (log10 0) ...
SPUN_DENSITY = 60.0
# ... and below it the prior falls this many log10 units per decade of
# density, so clean prose (~5) starts 2 units down and a lone "mentioned"
# there is left alone.
PRIOR_SLOPE = 2.0
# Words of clean text assumed before the document's own: a short input
# needs proportionally more evidence before it is treated as spun.
SMOOTHING_WORDS = 200
# log10 bonus for each other restoration by the same table entry that
# vouches (see PEER_MARGIN), counted up to CONSISTENCY_CAP times.
CONSISTENCY_BONUS = 0.5
CONSISTENCY_CAP = 2
# A restoration vouches for its peers when it would be made on its own,
# neighbours kept, by this margin over the threshold (measured on the seeds:
# 0.0 leaves 214 word errors, 0.5 leaves 222, 1.0 leaves 236; the clean set
# stays at 0 changes for all three).
PEER_MARGIN = 0.0
# Pseudo-count of spun uses behind the counter-evidence: two plain uses of
# the original halve the odds of a restoration, eight divide them by five.
UNSPUN_PSEUDO_COUNT = 2.0
# Rejected candidates are reported when they scored within this many log10
# units of the threshold: the doubtful ones a reviewer may want to see.
NEAR_MISS = 2.0
# Never let the prior fall below this: even a clean-looking document can
# hold one glaring "Secretary-Common".
MIN_LOG_PRIOR = -3.0
# ... nor rise above this. In the spun seeds ~9 of 10 listed words really are
# spun (log10 odds ~ +0.9), so a very dense document earns a positive prior;
# measured on the seeds, a cap of 0 / 0.3 / 0.6 leaves 214 / 190 / 178 word
# errors at 94.3% / 93.3% / 92.1% precision. 0.3 keeps precision first.
MAX_LOG_PRIOR = 0.3


class Single(NamedTuple):
    """A slot's best restoration when it alone changes, with a neutral prior."""

    slot: Slot
    option: int
    gain: float  # log10 odds over keeping: LM, channel and evidence


def best_singles(clusters: list[Cluster]) -> list[Single]:
    """Each slot's strongest restoration judged on its own, for the document-level estimates."""
    singles = []
    for cluster in clusters:
        lm_gains = cluster.lm_gains((0,) * len(cluster.slots))
        for slot, lm in zip(cluster.slots, lm_gains):
            best, best_j = -math.inf, 1
            keep = slot.options[0]
            for j, option in enumerate(slot.options[1:], 1):
                # lm + _evidence(slot.options, j) + channel, inlined: the hot loop of a long run
                gain = lm[j] + ((option.reference - keep.reference) + (option.article - keep.article)) + option.channel
                if gain > best:
                    best, best_j = gain, j
            singles.append(Single(slot, best_j, best))
    return singles


def confident_slots(singles: list[Single]) -> int:
    """How many slots a restoration wins on its own by ``CONFIDENT_MARGIN``."""
    return sum(single.gain >= CONFIDENT_MARGIN for single in singles)


def spin_density(confident: int, words: int) -> float:
    """Confident restorations per 1,000 words, smoothed toward clean for short texts."""
    return 1000.0 * confident / (words + SMOOTHING_WORDS)


def log_prior(density: float) -> float:
    """log10 prior odds that a listed word is spun, from the document's density.

    >>> log_prior(60.0), log_prior(6.0), log_prior(0.0), log_prior(500.0)
    (0.0, -2.0, -3.0, 0.3)
    """
    if density <= 0:
        return MIN_LOG_PRIOR
    return max(MIN_LOG_PRIOR, min(MAX_LOG_PRIOR, PRIOR_SLOPE * math.log10(density / SPUN_DENSITY)))


def _evidence(options: tuple[Option, ...], j: int) -> float:
    """Reference and article evidence of option j relative to keeping."""
    keep = options[0]
    return (options[j].reference - keep.reference) + (options[j].article - keep.article)


class Setting(NamedTuple):
    """What a decision weighs besides the scores: prior, threshold, and the
    restorations the document itself already made with confidence."""

    prior: float
    threshold: float
    # table entry ("file:line") -> end offsets of its confident restorations
    # (at most CONSISTENCY_CAP + 1 of them: more would change no bonus)
    peers: Mapping[str, frozenset[int]] = {}  # never mutated: a shared default is safe
    # how often each original (normalized) stands in the text unspun
    unspun: Mapping[str, int] = {}
    # where the stretch being decided starts in the document (peers hold document offsets)
    offset: int = 0

    def counter_evidence(self, slot: Slot, j: int) -> float:
        """log10 penalty when the text keeps the original elsewhere as it is:
        a spinner that swaps "said" for "mentioned" does it everywhere, so a
        text full of plain "said" makes a lone "mentioned" likely genuine."""
        return _counter_evidence(self.unspun.get(slot.options[j].text.lower(), 0))

    def consistency(self, slot: Slot, j: int) -> float:
        """log10 bonus when other spans of this document were confidently
        restored with the same entry: a spinner swaps a word the same way
        throughout a text ("one sense per discourse")."""
        entry = slot.options[j].entry
        ends = self.peers.get(entry.source) if entry else None
        if not ends:
            return 0.0
        others = len(ends) - (slot.candidate.end + self.offset in ends)
        return CONSISTENCY_BONUS * min(others, CONSISTENCY_CAP)

    def gains(self, slot: Slot) -> list[float]:
        """``[0.0] + [gain(slot, j) for each restoration j]``: the same numbers, in one call per slot."""
        options = slot.options
        keep = options[0]
        prior, peers, unspun = self.prior, self.peers, self.unspun
        end = slot.candidate.end + self.offset
        row = [0.0]
        for option in options[1:]:
            consistency = 0.0
            entry = option.entry
            ends = peers.get(entry.source) if entry and peers else None
            if ends:
                consistency = CONSISTENCY_BONUS * min(len(ends) - (end in ends), CONSISTENCY_CAP)
            kept = unspun.get(option.text.lower(), 0) if unspun else 0
            evidence = (option.reference - keep.reference) + (option.article - keep.article)
            row.append(option.channel + prior + evidence + consistency + _counter_evidence(kept))
        return row

    def gain(self, slot: Slot, j: int) -> float:
        """Everything but the language model that speaks for option j over keeping."""
        return (
            slot.options[j].channel
            + self.prior
            + _evidence(slot.options, j)
            + self.consistency(slot, j)
            + self.counter_evidence(slot, j)
        )


class Tally(NamedTuple):
    """What a stretch of text tells about the whole document; tallies add up.

    A long text can be analysed in pieces (even in other processes) and its
    tallies merged: the decisions are the same as for the text in one piece.
    Per slot it keeps only two numbers, so a document's tally stays small
    while its stretches are analysed one after the other.
    """

    words: int
    candidates: int
    confident: int  # slots whose restoration wins on its own by CONFIDENT_MARGIN
    # each slot's best single restoration, grouped by (entry source, original):
    # the slots' document end offsets and gains, in text order
    singles: Mapping[tuple[str, str], tuple[array, array]]
    plain: Mapping[str, int]  # table originals used as plain words, by phrase


def _counter_evidence(kept: int) -> float:
    """log10 odds against restoring an original the text uses ``kept`` times as it is."""
    return math.log10(UNSPUN_PSEUDO_COUNT / (UNSPUN_PSEUDO_COUNT + kept)) if kept else 0.0


def tally(tokens: list[Token], clusters: list[Cluster], singles: list[Single], tables: Tables, offset: int = 0) -> Tally:
    """The document-level evidence of one stretch of text starting at ``offset``."""
    grouped: dict[tuple[str, str], tuple[array, array]] = {}
    for single in singles:
        option = single.slot.options[single.option]
        ends, gains = grouped.setdefault((option.entry.source, option.text.lower()), (array("q"), array("d")))
        ends.append(single.slot.candidate.end + offset)
        gains.append(single.gain)
    return Tally(
        words=len(tokens),
        candidates=sum(len(cluster.slots) for cluster in clusters),
        confident=confident_slots(singles),
        singles=grouped,
        plain=plain_originals(tokens, tables, _rewritable(clusters)),
    )


def _rewritable(clusters: list[Cluster]) -> list[tuple[int, int]]:
    """The character spans of the candidates: words a run may rewrite are not yet plain uses.

    Only candidates a curated row (or a reference) proposes: the broad
    channel proposes nearly every word, and its counter-evidence would go.
    """
    return [
        (slot.candidate.start, slot.candidate.end)
        for cluster in clusters
        for slot in cluster.slots
        if any(option.entry is not None and not _broad(option.entry.context) for option in slot.options[1:])
    ]


def _broad(context: tuple[str, ...]) -> bool:
    return any(item.startswith("src=") for item in context)


def merge_tallies(tallies: Iterable[Tally]) -> Tally:
    """The tally of the stretches together; ``tallies`` is read once, so it may be a generator."""
    words = candidates = confident = 0
    plain: dict[str, int] = {}
    singles: dict[tuple[str, str], tuple[array, array]] = {}
    for part in tallies:
        words += part.words
        candidates += part.candidates
        confident += part.confident
        for phrase, count in part.plain.items():
            plain[phrase] = plain.get(phrase, 0) + count
        for key, (ends, gains) in part.singles.items():
            all_ends, all_gains = singles.setdefault(key, (array("q"), array("d")))
            all_ends.extend(ends)
            all_gains.extend(gains)
    return Tally(words, candidates, confident, singles, plain)


def plain_originals(tokens: list[Token], tables: Tables, rewritable: Sequence[tuple[int, int]] = ()) -> dict[str, int]:
    """How often each table original occurs as plain words, within a sentence.

    Words inside a ``rewritable`` span (a candidate's) are not counted: this
    run may rewrite them, and the next one would then count otherwise.
    """
    lengths, originals = tables.original_phrase_lengths, tables.originals
    norms = list(map(attrgetter("norm"), tokens))
    if rewritable:
        spans = sorted(rewritable)
        starts = [start for start, _ in spans]
        inside = [_inside(spans, starts, t.start) for t in tokens]
        norms = ["" if hidden else norm for norm, hidden in zip(norms, inside)]
    # One-word originals (most of them) are counted in one C-level pass ...
    counts = {word: n for word, n in Counter(norms).items() if word in originals}
    # ... and phrases where their first word stands.
    for i in [i for i, norm in enumerate(norms) if norm in lengths]:
        sentence = tokens[i].sentence
        for n in lengths[norms[i]]:
            last = i + n - 1
            if last >= len(tokens) or tokens[last].sentence != sentence or "" in norms[i : last + 1]:
                continue
            phrase = " ".join(norms[i : last + 1])
            if phrase in originals:
                counts[phrase] = counts.get(phrase, 0) + 1
    return counts


def _inside(spans: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    k = bisect_right(starts, position) - 1
    return k >= 0 and position < spans[k][1]


def document_setting(evidence: Tally, prior: float, threshold: float) -> Setting:
    """The Setting every stretch of the document is decided under.

    Restorations that would be made on their own vouch for the same swap
    elsewhere in the text; the text's plain uses of an original speak
    against it.
    """
    setting = Setting(prior, threshold, unspun=evidence.plain)
    peers: dict[str, set[int]] = {}
    for (source, original), (ends, gains) in evidence.singles.items():
        counter = _counter_evidence(evidence.plain.get(original, 0))
        vouching = peers.setdefault(source, set())
        for end, gain in zip(ends, gains):
            # Past CONSISTENCY_CAP + 1 peers every span of the entry gets the
            # full bonus (see Setting.consistency): keep no more, so the
            # setting stays small however long the document is.
            if len(vouching) > CONSISTENCY_CAP:
                break
            if gain + prior + counter >= threshold + PEER_MARGIN:
                vouching.add(end)
    return setting._replace(peers={source: frozenset(ends) for source, ends in peers.items() if ends})


class Choice(NamedTuple):
    """The decision about one slot: its best restoration and how it fared."""

    slot: Slot
    option: int  # index of the best restoration in slot.options (never 0, "keep")
    score: float  # log10 odds of that restoration over keeping, every term counted
    lm_gain: float
    applied: bool
    alternatives: tuple[tuple[str, float], ...]  # the other restorations with their scores


def decide(
    text: str,
    tokens: Sequence[Token] | Mapping[int, Token],
    clusters: list[Cluster],
    setting: Setting,
    near_misses: bool = True,
    explain: bool = True,
) -> tuple[list[Fix], list[Fix]]:
    """Applied and rejected fixes of one stretch of text, each in text order.

    Of ``tokens`` only the "a"/"an" before a candidate is read (see
    :func:`article_tokens`), so a mapping of just those will do. Without
    ``explain`` the fixes carry no evidence and no alternatives (for a caller
    that only writes the restored text: a heavily spun text has a fix every
    few words, and their wording costs a tenth of the run).

    Offsets are the stretch's own; ``setting.offset`` places it in the
    document. Rejected fixes are the near misses: candidates kept whose best
    restoration came within ``NEAR_MISS`` of the threshold (none unless
    ``near_misses``).
    """
    floor = setting.threshold - NEAR_MISS if near_misses else math.inf
    choices = [choice for cluster in clusters for choice in choose(cluster, setting)]
    fixes = [
        _make_fix(text, tokens, choice, setting, explain) for choice in choices if choice.applied or choice.score >= floor
    ]
    applied = sorted((f for f in fixes if f.applied), key=lambda f: f.start)
    rejected = sorted((f for f in fixes if not f.applied), key=lambda f: f.start)
    return applied, rejected


def choose(cluster: Cluster, setting: Setting) -> list[Choice]:
    """The best reading of a cluster, and each slot's margin against keeping."""
    gains = [setting.gains(slot) for slot in cluster.slots]
    # What choosing option j of slot k adds to a reading; keeping adds nothing.
    rows = [[0.0] + [g - setting.threshold for g in row[1:]] for row in gains]
    best = cluster.best(rows)
    lm_gains = cluster.lm_gains(best)
    choices = []
    for k, slot in enumerate(cluster.slots):
        chosen = best[k]
        if len(slot.options) == 2:  # one restoration (most slots): nothing to rank
            lm_gain = lm_gains[k][1]
            choices.append(Choice(slot, 1, lm_gain + gains[k][1], lm_gain, bool(chosen), ()))
            continue
        margins = []
        for j in range(1, len(slot.options)):
            lm_gain = lm_gains[k][j]
            margins.append((lm_gain + gains[k][j], j, lm_gain))
        margins.sort(reverse=True)
        score, j, lm_gain = next(m for m in margins if m[1] == chosen) if chosen else margins[0]
        alternatives = tuple((slot.options[other].text, s) for s, other, _ in margins if other != j)
        choices.append(Choice(slot, j, score, lm_gain, bool(chosen), alternatives))
    return choices


def article_tokens(tokens: list[Token], clusters: list[Cluster]) -> dict[int, Token]:
    """The tokens :func:`decide` reads: each "a"/"an" before a candidate, by index."""
    return {
        slot.candidate.article: tokens[slot.candidate.article]
        for cluster in clusters
        for slot in cluster.slots
        if slot.candidate.article >= 0
    }


def _make_fix(
    text: str, tokens: Sequence[Token] | Mapping[int, Token], choice: Choice, setting: Setting, explain: bool = True
) -> Fix:
    slot, j = choice.slot, choice.option
    candidate = slot.candidate
    option = slot.options[j]
    keep = slot.options[0]
    # Only outputs that show them need the terms (and the prose made from them).
    terms = score_terms(slot, j, choice.lm_gain, setting) if explain else ()
    start, before, after = candidate.start, candidate.spun, option.text
    if choice.applied and candidate.article >= 0:
        start, before, after = _repair_article(text, tokens[candidate.article], candidate, after)
    return Fix(
        start=start,
        end=candidate.end,
        before=before,
        after=after,
        score=choice.score,
        channel=option.channel,
        lm=choice.lm_gain,
        reference=option.reference - keep.reference,
        entry=option.entry.source,
        terms=terms,
        applied=choice.applied,
        alternatives=choice.alternatives if explain else (),
    )


def score_terms(slot: Slot, j: int, lm_gain: float, setting: Setting) -> tuple[Term, ...]:
    """The parts of option j's score over keeping (see ``Setting.gain``); they add up to ``Choice.score``."""
    option, keep = slot.options[j], slot.options[0]
    # The scoring stage notes a reference finding first, then an article
    # mismatch, each only when it scores.
    keep_reference = keep.evidence[: bool(keep.reference)]
    return (
        Term(CHANNEL, option.channel, entry=option.entry),
        Term(LM, lm_gain),
        Term(PRIOR, setting.prior),
        Term(CONSISTENCY, setting.consistency(slot, j)),
        Term(COUNTER_EVIDENCE, setting.counter_evidence(slot, j), phrase=option.text),
        Term(REFERENCE_AGAINST, -keep.reference, notes=keep_reference),
        Term(ARTICLE, option.article - keep.article, notes=keep.evidence[len(keep_reference) :]),
        Term(REFERENCE, option.reference, notes=option.evidence),
    )


def _repair_article(text: str, article: Token, candidate: Candidate, after: str) -> tuple[int, str, str]:
    """Widen a fix over the "a"/"an" before it when the restored word needs the other one."""
    written = text[article.start : article.end]
    if article_fits(written, after):
        return candidate.start, candidate.spun, after
    swapped = "an" if written.lower() == "a" else "a"
    if written.isupper() and len(written) > 1:
        swapped = swapped.upper()
    elif written[0].isupper():
        swapped = swapped.capitalize()
    gap = text[article.end : candidate.start]
    return article.start, text[article.start : candidate.end], swapped + gap + after
