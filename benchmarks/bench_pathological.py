"""Cost of ``respin fix`` on pathological inputs, beside normal news in the same run.

Time and memory must stay linear whatever the content: a long run of
adjacent candidates is one cluster, one endless sentence is one unit of
analysis, a text without line breaks cannot be cut into stretches. Each
input is about the same size as the news baseline (the seeds repeated), and
each is run as ``respin fix --jobs 1`` in a subprocess, timed in CPU seconds
(user + system: a loaded, shared machine does not skew the ratios):

- ``safety`` repeated 100,000 times (one run of candidates, ~0.7 MB);
- ``mentioned`` repeated to the size of the news input, no punctuation;
- the news input as one sentence (every sentence end a comma, no line breaks);
- the news input without line breaks (sentences kept).

Target (issue 17): at most 2x the seconds per MB of news; peak memory
reported beside the news run's. An input with no line break that starts a
sentence is one stretch, so its memory grows with it (see README, "Long
texts").

    python benchmarks/bench_pathological.py [--mb 1]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import bench_fix
import bench_scale

TARGET_RATIO = 2.0


def inputs(megabytes: float) -> dict[str, str]:
    news = bench_fix.build_input(megabytes)
    size = len(news.encode("utf-8"))
    return {
        "news (the seeds repeated)": news,
        "`safety` x 100,000": "safety " * 100_000,
        "`mentioned` repeated": "mentioned " * (size // len("mentioned ")),
        "one sentence (news, no sentence ends)": re.sub(r"[.!?]+", ",", news).replace("\n", " "),
        "no line breaks (news)": news.replace("\n", " "),
    }


def run(megabytes: float = 1.0) -> list[dict]:
    respin = bench_fix.respin_command()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, text) in enumerate(inputs(megabytes).items()):
            path = Path(tmp, f"{k}.txt")
            path.write_text(text, encoding="utf-8")
            size_mb = len(text.encode("utf-8")) / 1e6
            _, seconds, rss = bench_scale.run_child([*respin, "fix", "--jobs", "1", str(path)])
            rows.append({"input": name, "mb": size_mb, "seconds_per_mb": seconds / size_mb, "peak_mib": rss / 1024})
    base = rows[0]["seconds_per_mb"]
    for row in rows:
        row["ratio"] = row["seconds_per_mb"] / base
    return rows


def report_lines(rows: list[dict]) -> list[str]:
    lines = [
        "| input (`respin fix --jobs 1`) | MB | CPU s per MB | vs news | peak memory | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        verdict = "PASS" if row["ratio"] <= TARGET_RATIO else "FAIL"
        lines.append(
            f"| {row['input']} | {row['mb']:.2f} | {row['seconds_per_mb']:.2f} | {row['ratio']:.2f}x "
            f"| {row['peak_mib']:.0f} MiB | ≤ {TARGET_RATIO:g}x: **{verdict}** |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of the news input (MB)")
    args = parser.parse_args()
    sys.stdout.write("\n".join(report_lines(run(args.mb))) + "\n")


if __name__ == "__main__":
    main()
