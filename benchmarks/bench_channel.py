#!/usr/bin/env python3
"""The broad channel beside the curated tables, in the same run.

    python benchmarks/bench_channel.py [--real /work/data/real/pairs.jsonl] [--sets seeds,clean,synthetic,real]

Sets:
* seeds — the hand-restored seed pairs (tests/data/pairs.jsonl, with their reference);
* clean — false changes per 1,000 words on the team's clean prose
  (tests/data/clean), the machine translation 004 and the clean news 002;
* synthetic — tests/data/clean spun by an *honest* synthetic spinner: one
  fixed synonym per word from the LibreOffice thesaurus (``mythes-en-us``),
  which respin does not ship (tools/build_channel.py's spinner; needs
  lemminflect and the Debian package);
* real — the TEST split of a real pairs file, per spinner family.

Each line reports respin's precision, recall, error reduction and false
changes for ``--channel curated`` and ``--channel broad``, and the time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from respin.config import DEFAULT  # noqa: E402
from respin.evaluate import Pair, evaluate, load_pairs  # noqa: E402
from respin.metrics import word_errors, words  # noqa: E402
from respin.pipeline import fix  # noqa: E402

CHANNELS = ("curated", "broad")
CLEAN = sorted((ROOT / "tests" / "data" / "clean").glob("*.txt"))
CLEAN_EXTRA = [ROOT / "examples" / "004_ea844aa1372452d4.txt", ROOT / "examples" / "002_7d6c65d472a597a6.txt"]


def line(name: str, channel: str, counts, seconds: float) -> str:
    def pct(value):
        return "  -  " if value is None else f"{100 * value:5.1f}"

    return (f"{name:<22} {channel:<8} precision {pct(counts.precision)}%  recall {pct(counts.recall)}%  "
            f"error reduction {pct(counts.error_reduction)}%  damaged {counts.damaged:4d}  restored "
            f"{counts.restored:4d}  broken {counts.broken:3d}  false/1k {counts.false_per_1000 or 0:4.1f}  "
            f"{seconds:5.1f}s")


def run_pairs(name: str, pairs: list[Pair], out: list[str]) -> None:
    for channel in CHANNELS:
        started = time.perf_counter()
        report = evaluate(pairs, DEFAULT.with_(channel=channel), systems=("respin",))
        out.append(line(name, channel, report.total("respin"), time.perf_counter() - started))
        print(out[-1], flush=True)


def run_clean(out: list[str]) -> None:
    for channel in CHANNELS:
        config = DEFAULT.with_(channel=channel)
        started = time.perf_counter()
        total_words = changed = 0
        details = []
        for path in CLEAN + CLEAN_EXTRA:
            text = path.read_text(encoding="utf-8")
            result = fix(text, config=config)
            n = len(words(text))
            errors = word_errors(words(text), words(result.text))
            total_words += n
            changed += errors
            details += [f"{path.name}: {f.before!r}->{f.after!r}" for f in result.fixes]
        out.append(f"{'clean':<22} {channel:<8} {changed} words changed in {total_words} "
                   f"({1000 * changed / total_words:.2f} per 1,000)  {time.perf_counter() - started:5.1f}s")
        print(out[-1], flush=True)
        for detail in details:
            print("    " + detail)


def synthetic_pairs() -> list[Pair]:
    import build_channel

    vocab = build_channel.read_unigrams()
    inverse = build_channel.mythes_inverse(build_channel.read_mythes(build_channel.MYTHES, vocab), vocab, seed=1)
    texts = [path.read_text(encoding="utf-8") for path in CLEAN if path.name != "typos.txt"]
    return [Pair(f"synthetic-{n}", spun, orig) for n, (spun, orig) in
            enumerate(build_channel.synthetic_pairs(texts, inverse, rate=0.5))]


def real_pairs(path: Path, split: str = "test") -> dict[str, list[Pair]]:
    families: dict[str, list[Pair]] = {}
    for record in (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()):
        if record.get("split") != split:
            continue
        pair = Pair(record["name"], (path.parent / record["spun"]).read_text(encoding="utf-8"),
                    (path.parent / record["orig"]).read_text(encoding="utf-8"))
        families.setdefault(record.get("family", "?"), []).append(pair)
    return families


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", type=Path, default=Path("/work/data/real/pairs.jsonl"))
    parser.add_argument("--sets", default="seeds,clean,synthetic,real")
    parser.add_argument("--split", default="test", help="which split of the real pairs (tune on train)")
    args = parser.parse_args()
    sets = args.sets.split(",")
    out: list[str] = []
    if "seeds" in sets:
        run_pairs("seeds (+reference)", load_pairs(ROOT / "tests" / "data" / "pairs.jsonl"), out)
    if "clean" in sets:
        run_clean(out)
    if "synthetic" in sets:
        run_pairs("synthetic LibreOffice", synthetic_pairs(), out)
    if "real" in sets and args.real.is_file():
        for family, pairs in sorted(real_pairs(args.real, args.split).items()):
            run_pairs(f"real {args.split} family {family} ({len(pairs)})", pairs, out)
    print("\n".join(["", *out]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
