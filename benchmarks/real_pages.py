"""Restoration quality on real spun web pages, per spinner family and split.

    python benchmarks/real_pages.py [--pairs FILE]

The pairs live outside the repository (article text is never committed):
``--pairs``, else ``$RESPIN_REAL_PAIRS``, else ``/work/data/real/pairs.jsonl``.
Each line is what ``respin eval --pairs`` reads plus ``family`` and
``split`` (see /work/data/real/README.md on the machine that has them).
Without the file the script says so and exits 0: CI has no real pages.

For every family × split (and the family as a whole) it prints one markdown
table row per mode:

* ``plain`` — respin as a user runs it, no reference;
* ``broad channel`` — the same with ``--channel broad`` (thesaurus
  candidates with learned weights for words the tables lack);
* ``dictionary`` — the baseline of ``respin eval`` (most likely original
  everywhere, no language model);
* ``reference`` — each pair's own original given as ``--reference`` (an
  upper bound on what a reference article can add);
* ``oracle table`` — a table holding every substitution of the group's
  pairs, learned by ``respin learn``: the decoder's ceiling when the channel
  knows every swap.

``coverage`` is the share of the group's real substitutions (counted as
``respin learn`` aligns them) whose original is among the built-in tables'
candidates for the spun form.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from respin.config import DEFAULT, Config
from respin.evaluate import Pair, evaluate, load_pairs
from respin.learn import Learned, learn, render_table
from respin.metrics import Counts
from respin.tables import Tables, load_tables
from respin.tokens import normalize

DEFAULT_PAIRS = "/work/data/real/pairs.jsonl"


def pairs_path(argument: str | None) -> Path:
    return Path(argument or os.environ.get("RESPIN_REAL_PAIRS") or DEFAULT_PAIRS)


def load_labelled(path: Path) -> list[tuple[str, str, Pair]]:
    """(family, split, pair) for every line of a pairs file, in file order."""
    labels = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = load_pairs(path)
    return [(r.get("family", "?"), r.get("split", "?"), p) for r, p in zip(labels, pairs)]


def groups(labelled: Sequence[tuple[str, str, Pair]]) -> list[tuple[str, str, list[Pair]]]:
    """(family, split, pairs) for each family's splits, then the family as a whole."""
    result = []
    for family in sorted({f for f, _, _ in labelled}):
        splits = sorted({s for f, s, _ in labelled if f == family})
        for split in splits:
            result.append((family, split, [p for f, s, p in labelled if f == family and s == split]))
        if len(splits) > 1:
            result.append((family, "all", [p for f, _, p in labelled if f == family]))
    return result


def substitutions(pairs: Sequence[Pair]) -> list[Learned]:
    """Every substitution of the pairs, as ``respin learn`` aligns them."""
    return learn([(p.spun, p.orig) for p in pairs])[0]


def covered(entry: Learned, tables: Tables) -> bool:
    """Is ``entry.original`` among the tables' originals for ``entry.spun``?"""
    words = tuple(normalize(w) for w in entry.spun.split())
    original = normalize(entry.original)
    for phrase, rows in tables.lookup(words[0]):
        if tuple(normalize(w) for w in phrase) == words:
            return any(not row.keeps and normalize(row.original) == original for row in rows)
    return False


def coverage(pairs: Sequence[Pair], tables: Tables) -> tuple[int, int]:
    """(covered, all) substitution occurrences of the pairs."""
    entries = substitutions(pairs)
    return sum(e.count for e in entries if covered(e, tables)), sum(e.count for e in entries)


def oracle(pairs: Sequence[Pair], config: Config) -> Counts:
    """respin with a table learned from these very pairs (the channel's ceiling)."""
    learned, stats = learn([(p.spun, p.orig) for p in pairs])
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "oracle.tsv"
        table.write_text(render_table(learned, stats), encoding="utf-8")
        return evaluate(pairs, config.with_(tables=config.tables + (str(table),)), ("respin",)).total("respin")


def measure(pairs: Sequence[Pair], config: Config) -> dict[str, Counts]:
    plain = evaluate(pairs, config)
    with_reference = [Pair(p.name, p.spun, p.orig, p.references + (p.orig,)) for p in pairs]
    return {
        "plain": plain.total("respin"),
        "dictionary": plain.total("dictionary"),
        "broad channel": evaluate(pairs, config.with_(channel="broad"), ("respin",)).total("respin"),
        "reference": evaluate(with_reference, config, ("respin",)).total("respin"),
        "oracle table": oracle(pairs, config),
    }


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown(labelled: Sequence[tuple[str, str, Pair]], config: Config = DEFAULT) -> list[str]:
    tables = load_tables(tuple(config.tables), config.builtin_tables)
    lines = [
        "| family | split | pairs | words | damaged | coverage | mode | precision | recall "
        "| error reduction | false changes /1k |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for family, split, pairs in groups(labelled):
        hit, total = coverage(pairs, tables)
        share = _rate(hit / total if total else None) + f" ({hit}/{total})"
        for mode, c in measure(pairs, config).items():
            false = "–" if c.false_per_1000 is None else f"{c.false_per_1000:.1f}"
            lines.append(
                f"| {family} | {split} | {len(pairs)} | {c.tokens} | {c.damaged} | {share} | {mode} "
                f"| {_rate(c.precision)} | {_rate(c.recall)} | {_rate(c.error_reduction)} | {false} |"
            )
    return lines


def section(argument: str | None = None) -> list[str]:
    """RESULTS.md's section: what the pages are, then the table; or why there is none."""
    path = pairs_path(argument)
    if not path.is_file():
        return [f"No real pairs on this machine ({path}): the pages are third-party text, kept outside the "
                "repository. Their word swaps (train split) are in `wordlists/src/real-pairs.tsv`."]
    labelled = load_labelled(path)
    families = sorted({family for family, _, _ in labelled})
    return [
        f"{len(labelled)} real spun web pages and the articles they were copied from, aligned by the team "
        f"(families {', '.join(families)}: A is the seeds' spinner; see wordlists/README.md, *Real spun "
        "pages*). Built-in tables and weights were fitted on the `train` split only; `test` is held out. "
        "Modes: `plain` (respin as a user runs it), `dictionary` (baseline), `broad channel` "
        "(`--channel broad`), `reference` (each page's own original as `--reference`), `oracle table` "
        "(a table of every substitution of the group: the decoder's ceiling).",
        "",
        *markdown(labelled),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", help=f"pairs file (default $RESPIN_REAL_PAIRS or {DEFAULT_PAIRS})")
    args = parser.parse_args(argv)
    path = pairs_path(args.pairs)
    if not path.is_file():
        print(f"no real pairs here ({path} does not exist; set RESPIN_REAL_PAIRS): nothing to measure")
        return 0
    print("\n".join(markdown(load_labelled(path))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
