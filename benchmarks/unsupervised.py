#!/usr/bin/env python3
"""Does ``respin learn --unsupervised`` learn an unseen spinner from its output alone?

Builds a synthetic spinner from a resource respin does NOT ship — the
LibreOffice en-US thesaurus (Debian ``mythes-en-us``) — that, like real
spinners, writes one fixed random synonym for each of most common words,
everywhere ("said" → "stated" in every article). It spins every clean text
it finds (``/work/data/clean/*.txt`` or ``$RESPIN_CLEAN_DIR``, then
``tests/data/clean/*.txt`` and ``examples/002_*.txt``), learns a profile from
the spun side only, and prints ``respin eval`` with the built-in tables
alone and with the learned profile added.

    python benchmarks/unsupervised.py [--keep DIR] [--seed N ...]   # default seeds 1 2 3

Skips (exit 0, one line) when the thesaurus or the clean texts are missing.
lemminflect (optional) lets the spinner inflect its synonyms (said → stated).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MYTHES = Path("/usr/share/mythes/th_en_US_v2.dat")
CLEAN_DIRS = (Path(os.environ.get("RESPIN_CLEAN_DIR", "/work/data/clean")), ROOT / "tests" / "data" / "clean")
# Share of the eligible common word types the spinner swaps (each one everywhere).
SPIN_SHARE = 0.7
# Only words at least this common (unigram log10 P) are spun: spinners swap everyday words.
MIN_LOGPROB = -4.5
# Function words a thesaurus spinner leaves (mythes has odd senses for some: "will" → "testament").
FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just may me might more most must my myself no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves one two three four five six seven eight nine ten
""".split())


def clean_texts() -> list[Path]:
    found = []
    for folder in CLEAN_DIRS:
        found += sorted(folder.glob("*.txt"))
    found += sorted((ROOT / "examples").glob("002_*.txt"))
    return found


def read_mythes(path: Path) -> dict[tuple[str, str], list[str]]:
    """(lemma, coarse POS) → single-word synonyms, in the thesaurus's order."""
    pos_names = {"(noun)": "NOUN", "(verb)": "VERB", "(adj)": "ADJ", "(adv)": "ADV"}
    result: dict[tuple[str, str], list[str]] = {}
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    k = 0
    while k < len(lines):
        head, _, count = lines[k].partition("|")
        k += 1
        for line in lines[k : k + int(count or 0)]:
            pos, *synonyms = line.split("|")
            pos = pos_names.get(pos)
            if not pos:
                continue
            bucket = result.setdefault((head, pos), [])
            for synonym in synonyms:
                synonym = re.sub(r" \(.*\)$", "", synonym)
                if synonym.isalpha() and synonym.islower() and synonym != head and synonym not in bucket:
                    bucket.append(synonym)
        k += int(count or 0)
    return result


class Spinner:
    """One fixed synonym per spun word form, drawn once with a seeded generator."""

    def __init__(self, thesaurus: dict[tuple[str, str], list[str]], seed: int) -> None:
        from respin.lm import load_scorer
        from respin.thesaurus import unigram_logprob

        self.thesaurus = thesaurus
        self.seed = seed
        self.scorer = load_scorer()
        self.logprob = lambda w: unigram_logprob(self.scorer, w)
        self.choices: dict[str, str | None] = {}
        try:
            import lemminflect
        except ImportError:
            lemminflect = None
        self.lemminflect = lemminflect

    def synonym(self, word: str) -> str | None:
        if word not in self.choices:
            self.choices[word] = self._choose(word)
        return self.choices[word]

    def _choose(self, word: str) -> str | None:
        rng = random.Random(f"{self.seed}:{word}")
        if word in FUNCTION_WORDS or not word.isalpha() or self.logprob(word) < MIN_LOGPROB:
            return None
        if rng.random() >= SPIN_SHARE:
            return None
        options = []
        if self.lemminflect is None:
            for pos in ("NOUN", "VERB", "ADJ", "ADV"):
                options += self.thesaurus.get((word, pos), [])
        else:
            for pos, lemmas in self.lemminflect.getAllLemmas(word).items():
                for lemma in lemmas:
                    inflections = self.lemminflect.getAllInflections(lemma, pos)
                    # "way" is listed as a plural too (mass nouns): prefer the tag whose first form it is.
                    tags = sorted((t for t, forms in inflections.items() if word in forms),
                                  key=lambda t: inflections[t][0] != word)
                    for synonym in self.thesaurus.get((lemma, pos), []):
                        if not tags:
                            options.append(synonym)
                            continue
                        inflected = self.lemminflect.getInflection(synonym, tags[0])
                        if inflected:
                            options.append(inflected[0])
        options = sorted({o for o in options if o != word and o.isalpha()})
        return rng.choice(options) if options else None

    def spin(self, text: str) -> str:
        from respin.candidates import apply_case
        from respin.tokens import tokenize

        pieces, position = [], 0
        for token in tokenize(text):
            surface = text[token.start : token.end]
            if surface[:1].isupper() and surface.lower() != surface and not _sentence_initial(text, token.start):
                continue  # names stay
            synonym = self.synonym(token.norm)
            if synonym:
                pieces += [text[position : token.start], apply_case(synonym, surface)]
                position = token.end
        pieces.append(text[position:])
        return "".join(pieces)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\"'\n"


def respin_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "respin", *args], capture_output=True, text=True, cwd=ROOT)


def evaluate(pairs: Path, *extra: str) -> dict:
    done = respin_cli("eval", "--pairs", str(pairs), "--format", "json", *extra)
    if done.returncode:
        raise SystemExit(f"respin eval failed: {done.stderr.strip()}")
    return json.loads(done.stdout)["total"]


def run(seeds: list[int] = (1, 2, 3), keep: str | None = None) -> list[str]:
    """The before/after table as markdown lines (one line saying why, when skipped)."""
    if not MYTHES.is_file():
        return [f"Skipped: {MYTHES} is missing (`apt-get install mythes-en-us`)."]
    sources = clean_texts()
    if not sources:
        return ["Skipped: no clean texts found."]
    sys.path.insert(0, str(ROOT))
    thesaurus = read_mythes(MYTHES)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in sources)
    lines = [
        f"Synthetic spinners built from the LibreOffice en-US thesaurus (Debian `mythes-en-us`, which respin "
        f"does not ship), each writing one fixed synonym for {SPIN_SHARE:.0%} of the common word forms, "
        f"everywhere; {len(sources)} clean texts ({words} words: local `/work/data/clean`, "
        "`tests/data/clean`, `examples/002`). `learn --unsupervised` reads the spun side only; "
        "`respin eval` compares the built-in tables alone with the learned profile added.",
        "",
        "| seed | swaps | profile rows (right) | learn s | tables | precision | recall | error reduction "
        "| false changes /1k |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    gains = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(keep) / f"seed{seed}" if keep else Path(scratch)
            rows, gain = run_seed(Spinner(thesaurus, seed), sources, folder)
            lines += rows
            gains.append(gain)
    mean = sum(g[0] for g in gains) / len(gains)
    lines += ["", f"Error reduction gained: {', '.join(f'{g[0]:+.3f}' for g in gains)} (mean {mean:+.3f}) at "
              f"precision {', '.join(_pct(g[1]) for g in gains)} (target: +0.10 at precision ≥ 95%)."]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="Build the folders here and keep them (default: a temporary folder).")
    parser.add_argument("--seed", type=int, nargs="+", default=[1, 2, 3],
                        help="Spinner seeds: each is another spinner (other words swapped, other synonyms).")
    args = parser.parse_args()
    print("\n".join(run(args.seed, args.keep)))
    return 0


def run_seed(spinner: Spinner, sources: list[Path], folder: Path) -> tuple[list[str], tuple[float, float]]:
    """Spin, learn from the spun side, evaluate: two table rows, (error reduction gained, precision after)."""
    (folder / "spun").mkdir(parents=True, exist_ok=True)
    (folder / "orig").mkdir(exist_ok=True)
    lines = []
    for k, source in enumerate(sources):
        text = source.read_text(encoding="utf-8")
        name = f"{k:03d}_{source.stem}"
        (folder / "orig" / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / "spun" / f"{name}.txt").write_text(spinner.spin(text), encoding="utf-8")
        lines.append(json.dumps({"name": name, "spun": f"spun/{name}.txt", "orig": f"orig/{name}.txt"}))
    pairs = folder / "pairs.jsonl"
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    profile = folder / "profile.tsv"
    started = time.monotonic()
    learned = respin_cli("learn", "--unsupervised", str(folder / "spun"), "-o", str(profile))
    seconds = time.monotonic() - started
    if learned.returncode:
        raise SystemExit(f"respin learn failed: {learned.stderr.strip()}")
    entries = [r.split("\t") for r in profile.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")]
    right = sum(spinner.choices.get(o) == s for s, o, *_ in entries)
    swaps = sum(1 for s in spinner.choices.values() if s)
    before = evaluate(pairs)["respin"]
    after = evaluate(pairs, "--table", str(profile))["respin"]
    rows = []
    for label, r in (("built-in", before), ("+ learned", after)):
        head = f"| {spinner.seed} | {swaps} | {len(entries)} ({right}) | {seconds:.1f} |" if label == "built-in" \
            else "| | | | |"
        rows.append(f"{head} {label} | {_pct(r['precision'])} | {_pct(r['recall'])} | {_pct(r['error_reduction'])} "
                    f"| {r['false_per_1000']:.1f} |")
    return rows, (after["error_reduction"] - before["error_reduction"], after["precision"])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    sys.exit(main())
