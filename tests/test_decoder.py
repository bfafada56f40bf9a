"""The cluster decoder: exact on small clusters, linear on long runs of candidates.

Two references check ``Cluster``: a brute force that scores every reading
of the whole window, and the prefix-rebuilding decoder respin used before
(quadratic in a run, but simple), which the linear one must match bit for
bit — same readings, same margins — so no decision moves.
"""

from __future__ import annotations

import itertools
import random
import struct
import zlib

import pytest

import respin
from respin.lm import BaseScorer
from respin.records import Candidate
from respin.score import Cluster, Option, Slot

VOCABULARY = ("a", "b", "c", "d")  # few words, so readings often meet in the same trigram state


class HashScorer(BaseScorer):
    """A made-up trigram model: a fixed pseudo-random log10 probability per trigram; counts queries."""

    def __init__(self, salt: int = 0) -> None:
        self.salt = salt
        self.queries = 0

    def logprob(self, word: str, prev2: str | None, prev1: str) -> float:
        self.queries += 1
        digest = zlib.crc32(f"{self.salt}|{prev2}|{prev1}|{word}".encode())
        return -0.1 - 5.0 * struct.unpack("<I", struct.pack("<I", digest))[0] / 2**32


def _words(rng: random.Random, most: int) -> tuple[str, ...]:
    return tuple(rng.choice(VOCABULARY) for _ in range(rng.randint(0, most)))


def random_cluster(rng: random.Random, scorer) -> Cluster:
    slots = []
    for _ in range(rng.randint(1, 6)):
        options = [Option(f"o{j}", _words(rng, 2) or ("a",), 0.0, 0.0, 0.0, None) for j in range(rng.randint(2, 4))]
        if rng.random() < 0.2:  # a reading that is no word to the model (punctuation)
            options[-1] = options[-1]._replace(words=())
        slots.append(Slot(Candidate(0, 0, 0, 0, "x", ()), tuple(options)))
    history = (None, "<s>") if rng.random() < 0.3 else (rng.choice(VOCABULARY), rng.choice(VOCABULARY))
    gaps = ((),) + tuple(_words(rng, 1) for _ in slots[1:])
    tail = _words(rng, 2) + (("</s>",) if rng.random() < 0.5 else ())
    return Cluster(tuple(slots), history, gaps, tail, scorer)


def random_gains(rng: random.Random, cluster: Cluster) -> list[list[float]]:
    return [[0.0] + [rng.uniform(-3, 3) for _ in slot.options[1:]] for slot in cluster.slots]


def reading_words(cluster: Cluster, reading: tuple[int, ...]) -> list[str]:
    words: list[str] = []
    for slot, gap, j in zip(cluster.slots, cluster._gaps, reading):
        words += gap + slot.options[j].words
    return words + list(cluster._tail)


def lm_score(cluster: Cluster, reading: tuple[int, ...]) -> float:
    return cluster._scorer.words_logprob(tuple(reading_words(cluster, reading)), *cluster._history)[0]


def all_readings(cluster: Cluster):
    return itertools.product(*(range(len(slot.options)) for slot in cluster.slots))


def prefix_gain(cluster: Cluster, reading: tuple[int, ...], k: int, j: int) -> float:
    """respin's former ``Cluster._gain``: rebuild everything before slot k, then score two words after it."""
    before: list = list(cluster._history)
    for slot, gap, choice in zip(cluster.slots[:k], cluster._gaps[:k], reading[:k]):
        before += gap
        before += slot.options[choice].words
    before += cluster._gaps[k]
    after: list[str] = []
    for slot, gap, choice in zip(cluster.slots[k + 1 :], cluster._gaps[k + 1 :], reading[k + 1 :]):
        if len(after) >= 2:
            break
        after += gap
        after += slot.options[choice].words
    if len(after) < 2:
        after += cluster._tail
    after = after[:2]
    words_logprob = cluster._scorer.words_logprob
    options = cluster.slots[k].options
    changed = words_logprob(options[j].words + tuple(after), before[-2], before[-1])[0]
    kept = words_logprob(options[0].words + tuple(after), before[-2], before[-1])[0]
    return changed - kept


def reading_copying_viterbi(cluster: Cluster, gains: list[list[float]]) -> tuple[int, ...]:
    """respin's former ``Cluster.best``: a Viterbi that copies each state's whole reading."""
    words_logprob = cluster._scorer.words_logprob
    if len(cluster.slots) == 1:
        row = gains[0]
        return (max((prefix_gain(cluster, (0,), 0, j) + row[j] if j else row[0], j) for j in range(len(row)))[1],)
    states = {cluster._history: (0.0, ())}
    for slot, gap, row in zip(cluster.slots, cluster._gaps, gains):
        following = {}
        for (prev2, prev1), (score, combo) in states.items():
            gap_total, gap2, gap1 = words_logprob(gap, prev2, prev1)
            for j, option in enumerate(slot.options):
                option_total, next2, next1 = words_logprob(option.words, gap2, gap1)
                total = score + gap_total + option_total + row[j]
                if (next2, next1) not in following or total > following[next2, next1][0]:
                    following[next2, next1] = (total, combo + (j,))
        states = following
    return max((score + words_logprob(cluster._tail, p2, p1)[0], combo) for (p2, p1), (score, combo) in states.items())[1]


@pytest.mark.parametrize("seed", range(300))
def test_best_reading_is_the_brute_force_optimum(seed):
    rng = random.Random(seed)
    cluster = random_cluster(rng, HashScorer(seed))
    gains = random_gains(rng, cluster)
    total = {r: lm_score(cluster, r) + sum(gains[k][j] for k, j in enumerate(r)) for r in all_readings(cluster)}
    best = cluster.best(gains)
    assert total[best] == pytest.approx(max(total.values()), abs=1e-9)
    assert best == reading_copying_viterbi(cluster, gains)  # the same tie-breaks, bit for bit


@pytest.mark.parametrize("seed", range(300))
def test_lm_gains_are_exact_switches_of_one_slot(seed):
    rng = random.Random(seed)
    cluster = random_cluster(rng, HashScorer(seed))
    for reading in itertools.islice(all_readings(cluster), 12):
        gains = cluster.lm_gains(reading)
        for k, slot in enumerate(cluster.slots):
            assert gains[k][0] == 0.0
            kept = lm_score(cluster, reading[:k] + (0,) + reading[k + 1 :])
            for j in range(1, len(slot.options)):
                switched = lm_score(cluster, reading[:k] + (j,) + reading[k + 1 :])
                assert gains[k][j] == pytest.approx(switched - kept, abs=1e-9)
                assert gains[k][j] == prefix_gain(cluster, reading, k, j)  # bit for bit as before


def _run(length: int, scorer: HashScorer) -> Cluster:
    """A run of ``length`` adjacent one-word candidates, as in "mentioned mentioned …"."""
    slot = Slot(Candidate(0, 0, 0, 0, "x", ()), tuple(Option(w, (w,), 0.0, 0.0, 0.0, None) for w in VOCABULARY))
    return Cluster((slot,) * length, (None, "<s>"), ((),) * length, ("</s>",), scorer)


def test_cost_of_a_run_of_candidates_is_linear():
    queries = []
    for length in (500, 1000, 2000):
        scorer = HashScorer()
        cluster = _run(length, scorer)
        rows = [[0.0, -0.5, -1.0, 0.25]] * length
        reading = cluster.best(rows)
        assert len(reading) == length
        cluster.lm_gains(reading)
        cluster.lm_gains((0,) * length)
        queries.append(scorer.queries)
    assert queries[1] <= 2.05 * queries[0] and queries[2] <= 2.05 * queries[1]


def test_fix_decides_runs_of_spun_words_as_the_prefix_decoder_did(monkeypatch):
    spun = "mentioned safety officers assembly however had been calls for".split()
    rng = random.Random(7)
    text = " ".join(["They"] + [rng.choice(spun) for _ in range(150)]) + ". Officers mentioned the safety talks.\n"
    spun_prior = respin.Config(spin_prior=0.0)  # as --assume-spun: every candidate is weighed
    linear = respin.fix(text, config=spun_prior)

    def prefix_lm_gains(cluster, reading):
        return [
            [0.0] + [prefix_gain(cluster, reading, k, j) for j in range(1, len(slot.options))]
            for k, slot in enumerate(cluster.slots)
        ]

    monkeypatch.setattr(Cluster, "lm_gains", prefix_lm_gains)
    monkeypatch.setattr(Cluster, "best", reading_copying_viterbi)
    before = respin.fix(text, config=spun_prior)
    assert len(linear.fixes) > 20
    assert linear == before


def test_setting_gains_are_the_per_option_gains_bit_for_bit():
    from helpers import SPUN_SEEDS, read_seed

    from respin.decide import Setting
    from respin.pipeline import analyse, load_engine

    engine = load_engine(respin.Config())
    analysis = analyse(read_seed(SPUN_SEEDS[0]), 0, engine, None)
    slots = [slot for cluster in analysis.clusters for slot in cluster.slots]
    sources = [slot.options[1].entry.source for slot in slots[::3]]
    ends = [slot.candidate.end for slot in slots[::2]]
    setting = Setting(-0.7, 1.0, peers={s: frozenset(ends[i % 5 :: 7][:3]) for i, s in enumerate(sources)},
                      unspun={slot.options[-1].text.lower(): 2 for slot in slots[::4]}, offset=3)
    assert any(setting.consistency(s, 1) for s in slots) and any(setting.counter_evidence(s, 1) for s in slots)
    for slot in slots:
        assert setting.gains(slot) == [0.0] + [setting.gain(slot, j) for j in range(1, len(slot.options))]


def test_plain_uses_inside_a_candidate_are_not_counted():
    # The run may rewrite "in a position to" (→ "able to"): its "position" is not yet a plain use.
    from respin.decide import plain_originals
    from respin.pipeline import load_engine
    from respin.tokens import tokenize

    tables = load_engine().tables
    text = "They were in a position to talk about their position."
    tokens = tokenize(text)
    assert plain_originals(tokens, tables)["position"] == 2
    span = (text.index("in a"), text.index(" talk"))
    assert plain_originals(tokens, tables, [span])["position"] == 1
    assert plain_originals(tokens, tables, [span])["about"] == 1  # words outside the span still count
