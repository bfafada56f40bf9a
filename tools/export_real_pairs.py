"""Export the word substitutions of real spun/original page pairs (no article text).

    python tools/export_real_pairs.py PAIRS.jsonl [--all substitutions.tsv] [--train wordlists/src/real-pairs.tsv]

PAIRS.jsonl is the ``respin eval --pairs`` format with the extra keys
``family``, ``split`` and ``spun_url`` (the pairs themselves stay outside the
repository: they are third-party text). Each pair is aligned on its own with
``respin learn`` (sentences by rapidfuzz, words by difflib; reworded
sentences, numbers and runs across punctuation are skipped), so every row
keeps the page it was seen on.

``--all`` writes spun, original, count, family, split, url for every pair
(for local analysis); ``--train`` writes spun, original, count, family, url
for the train split only: the file the repository may carry.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from respin.evaluate import load_pairs
from respin.learn import learn
from respin.textio import atomic_write

TRAIN_HEADER = """\
# Word substitutions of REAL spun web pages, aligned with the clean article each was copied from.
# Derived data only: no article text. TRAIN split of the team's real pairs (the test split is kept
# out so it can measure what these rows teach). Provenance and families: wordlists/README.md
# ("Real spun pages").
# Derived by tools/export_real_pairs.py: each page pair aligned by `respin learn` (respin/learn.py:
# sentences by rapidfuzz, words by difflib; reworded sentences, numbers and runs across
# punctuation skipped); n-to-n runs split into single words.
# Families: A = the seeds' spinner (said -> mentioned or stated, House -> Home, bill -> invoice ...);
# B = the word-salad spinner (in -> successful, at -> astatine, on -> connected, as -> arsenic ...);
# C = the "closing date / whilst / ahead of" spinner; D = the "offer / expense / celebrations" spinner.
# Not a table respin loads: columns are spun, original, count (times seen on that page), family, url.
"""


def rows(pairs_file: Path) -> list[tuple[str, str, int, str, str, str]]:
    """(spun, original, count, family, split, url) for every substitution of every pair."""
    records = [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = []
    for record, pair in zip(records, load_pairs(pairs_file)):
        learned, _ = learn([(pair.spun, pair.orig)])
        for entry in learned:
            result.append((entry.spun, entry.original, entry.count, record.get("family", "?"),
                           record.get("split", "?"), record.get("spun_url", "")))
    return result


def render_all(found) -> str:
    lines = ["spun\toriginal\tcount\tfamily\tsplit\turl"]
    lines += ["\t".join(str(field) for field in row) for row in found]
    return "\n".join(lines) + "\n"


def render_train(found) -> str:
    lines = [f"{spun}\t{original}\t{count}\t{family}\t{url}"
             for spun, original, count, family, split, url in found if split == "train"]
    return TRAIN_HEADER + "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--all", type=Path, help="write every pair's substitutions here")
    parser.add_argument("--train", type=Path, help="write the train split's substitutions here")
    args = parser.parse_args(argv)
    if not args.pairs.is_file():
        print(f"{args.pairs}: no such pairs file", file=sys.stderr)
        return 2
    found = rows(args.pairs)
    if args.all:
        atomic_write(str(args.all), render_all(found))
    if args.train:
        atomic_write(str(args.train), render_train(found))
    if not (args.all or args.train):
        sys.stdout.write(render_all(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
