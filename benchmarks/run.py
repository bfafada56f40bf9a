"""Run the whole benchmark suite in one go and write benchmarks/RESULTS.md.

    python benchmarks/run.py [--mb 3] [--runs 15] [--output benchmarks/RESULTS.md]

Sections, each number beside its baseline from the same run:

1. speed and memory of ``respin fix`` (bench_fix.py), how they scale with
   the input (bench_scale.py: 1, 5 and 20 MB), and pathological inputs
   beside news (bench_pathological.py);
2. batch scaling (bench_batch.py, when it exists);
3. restoration quality with ``respin eval``: the hand-restored seeds with and
   without the clean reference article, the dictionary baseline beside
   them; two small hand-written pairs that are not the seeds; false changes
   on the machine-translated seed 004 (not spun); and a
   *synthetic* set — clean paragraphs spun by respin.simulate from respin's
   own tables, which flatters respin and is labelled as such.

Takes a few minutes (the 20 MB runs of bench_scale most); it never fails
on a missed target, it reports it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import bench_fix
import bench_pathological
import bench_scale

from respin.config import DEFAULT, Config
from respin.evaluate import Pair, Report, evaluate, load_pairs
from respin.metrics import Counts
from respin.simulate import DEFAULT_RATE, invert, spin
from respin.tables import load_tables
from respin.textio import atomic_write

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT / "tests" / "data"
TRANSLATED = ROOT / "examples" / "004_ea844aa1372452d4.txt"


def seed_pairs() -> list[Pair]:
    return load_pairs(DATA / "pairs.jsonl")


def learn_pairs() -> list[Pair]:
    """The small hand-written spun/original pairs of tests/data/learn/ (other stories than the seeds)."""
    learn = DATA / "learn"
    return [
        Pair(name, (learn / f"{prefix}spun.txt").read_text(encoding="utf-8"),
             (learn / f"{prefix}original.txt").read_text(encoding="utf-8"))
        for name, prefix in (("learn", ""), ("learn new", "new_"))
    ]


def synthetic_pairs(config: Config, rate: float = DEFAULT_RATE) -> list[Pair]:
    """Every clean paragraph file, spun by the simulated spinner (seeded by its name)."""
    inverse = invert(load_tables(tuple(config.tables), config.builtin_tables))
    pairs = []
    for path in sorted((DATA / "clean").glob("*.txt")):
        clean = path.read_text(encoding="utf-8")
        pairs.append(Pair(path.stem, spin(clean, inverse, rate, seed=f"synthetic:{path.stem}"), clean))
    return pairs


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def eval_table(report: Report, per_pair: bool = True) -> list[str]:
    """Markdown rows: per pair (optional) and the total, respin beside the dictionary baseline."""
    lines = [
        "| pair | system | words | damaged | restored | broken | precision | recall "
        "| WER before | WER after | error reduction | false changes /1k |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = list(report.pairs) if per_pair else []
    rows.append(("**total**", {s: report.total(s) for s in report.systems}))
    for name, counts in rows:
        for system in report.systems:
            c: Counts = counts[system]
            label = f"**{system}**" if name == "**total**" else system
            false = "–" if c.false_per_1000 is None else f"{c.false_per_1000:.1f}"
            lines.append(
                f"| {name} | {label} | {c.tokens} | {c.damaged} | {c.restored} | {c.broken} | {_rate(c.precision)} "
                f"| {_rate(c.recall)} | {_rate(c.wer_before)} | {_rate(c.wer_after)} | {_rate(c.error_reduction)} "
                f"| {false} |"
            )
    return lines


def run_eval(config: Config = DEFAULT) -> dict[str, Report]:
    seeds = seed_pairs()
    translated = TRANSLATED.read_text(encoding="utf-8")
    return {
        "seeds, no reference": evaluate([Pair(p.name, p.spun, p.orig) for p in seeds], config),
        "seeds, with reference 002": evaluate(seeds, config),
        "seeds, own original as reference": evaluate(
            [Pair(p.name, p.spun, p.orig, (p.orig,)) for p in seeds], config),
        "seeds, broad channel": evaluate([Pair(p.name, p.spun, p.orig) for p in seeds], config.with_(channel="broad")),
        # Not spun: spun == original, so every change is a false one.
        "learn pairs (not the seeds)": evaluate(learn_pairs(), config),
        "004 (machine-translated, not spun)": evaluate([Pair("004", translated, translated)], config),
        "synthetic (simulated spinner)": evaluate(synthetic_pairs(config), config),
    }


def run_batch() -> dict | None:
    """bench_batch.run() if another engineer's bench_batch.py is there."""
    if importlib.util.find_spec("bench_batch") is None:
        return None
    import bench_batch

    return bench_batch.run()


def batch_lines(results: dict) -> list[str]:
    if isinstance(results.get("markdown"), str):
        return results["markdown"].strip().splitlines()
    lines = ["| measurement | value |", "| --- | ---: |"]
    for key, value in results.items():
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} |")
    return lines


def describe_machine() -> str:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · commit {commit} · Python {platform.python_version()} "
            f"· {platform.machine()} · {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f} at the start")


def build_report(fix_results: dict, scale_results: list[dict], pathological_results: list[dict],
                 batch_results: dict | None, reports: dict[str, Report],
                 table_size: int, seconds: float, machine: str,
                 sections: Sequence[tuple[str, list[str]]] = ()) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py` in {seconds:.0f} s: {machine}.",
        "Every number stands beside a baseline measured in the same run. Built-in tables: "
        f"{table_size} rows.",
        "",
        "## Speed and memory of `respin fix`",
        "",
        *bench_fix.report_lines(fix_results),
        "",
        "### Scaling with the input",
        "",
        *bench_scale.report_lines(scale_results),
        "",
        "### Pathological inputs",
        "",
        *bench_pathological.report_lines(pathological_results),
        "",
        "## Batch scaling",
        "",
    ]
    if batch_results is None:
        lines.append("Not measured: `benchmarks/bench_batch.py` is not there yet.")
    else:
        lines += batch_lines(batch_results)
    lines += [
        "",
        "## Restoration quality (`respin eval`)",
        "",
        "Words are compared with the original exactly (case included). *damaged*: word errors of the spun",
        "text; *restored* / *broken*: damaged words made right / right words made wrong; *precision*: share",
        "of the system's edited words that match the original; *recall*: restored / damaged; WER: word-level",
        "edit distance / words of the original; *false changes /1k*: words changed when fixing the",
        "original itself. *dictionary* is the baseline: every candidate gets its highest-weight original,",
        "no language model, no threshold — the difference is what context scoring adds.",
        "",
    ]
    notes = {
        "seeds, no reference": "Hand-restored seeds 000, 001, 003 (`tests/data/pairs.jsonl`), no reference. "
        "**In-sample:** the built-in tables were curated from these seeds' substitutions, which flatters "
        "recall (and the dictionary most); the false changes on 004 and on the clean paragraphs are the "
        "out-of-sample check.",
        "seeds, with reference 002": "The same pairs with the clean article 002 as `--reference`.",
        "seeds, own original as reference": "The same pairs, each with its own hand restoration as "
        "`--reference`: the source is at hand (found by `respin match`, say), and the words where a "
        "sentence differs from it are proposed as restorations (reference alignment).",
        "seeds, broad channel": "The same pairs, no reference, with `--channel broad`: the thesaurus "
        "candidates with learned weights (`wordlists/broad/`) for words the curated tables lack. Opt-in: "
        "see the real pages below for why it is not the default.",
        "learn pairs (not the seeds)": "The two small hand-written spun/original pairs of `tests/data/learn/` "
        "(hospital and city news, written for `respin learn`): other stories than the seeds.",
        "004 (machine-translated, not spun)": "Seed 004 is clumsy machine translation, not spun: "
        "every change is a false one.",
        "synthetic (simulated spinner)": "**Synthetic — flatters respin.** The clean paragraphs of "
        f"`tests/data/clean/` spun by `respin/simulate.py` at rate {DEFAULT_RATE:g} from respin's own "
        "tables, so every substitution is one the tables know. Read it as an upper bound, not as "
        "performance on real spinners.",
    }
    for title, report in reports.items():
        lines += [f"### {title}", "", notes[title], "", *eval_table(report, per_pair=not title.startswith("004")), ""]
    for title, section in sections:
        lines += [f"## {title}", "", *section, ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark and write RESULTS.md.")
    parser.add_argument("--mb", type=float, default=3.0, help="size of the throughput input (MB)")
    parser.add_argument("--runs", type=int, default=15, help="runs for the start-up medians")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    machine = describe_machine()  # before the suite loads the machine itself
    print("speed and memory of respin fix ...", file=sys.stderr)
    fix_results = bench_fix.run(args.mb, args.runs)
    print("scaling and pathological inputs ...", file=sys.stderr)
    scale_results = bench_scale.run()
    pathological_results = bench_pathological.run()
    print("batch scaling ...", file=sys.stderr)
    batch_results = run_batch()
    print("restoration quality ...", file=sys.stderr)
    reports = run_eval()
    table_size = load_tables((), True).size
    print("real spun pages (where this machine has them) ...", file=sys.stderr)
    import real_pages
    import unsupervised

    sections = [("Real spun pages", real_pages.section())]
    print("learning a spinner from its output alone ...", file=sys.stderr)
    sections.append(("Learning a spinner from its output alone (`learn --unsupervised`)", unsupervised.run()))
    text = build_report(fix_results, scale_results, pathological_results, batch_results, reports, table_size,
                        time.perf_counter() - started, machine, sections)
    atomic_write(args.output, text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
