"""How ``respin fix`` scales with the input: MB/s per core and peak memory on 1, 5 and 20 MB.

Each size is the seeds repeated (as in bench_fix.py), run as a subprocess
with ``--jobs 1`` and with every CPU, beside a plain regex pass over the
same file (``re.finditer(r"\\w+")``) in the same run. *Per core* divides the
input by the CPU seconds of the run and its workers (user + system), so a
loaded, shared machine does not make it look slower than it is; wall
seconds are shown too.

Targets (issue 17): at least 1 MB/s per core; peak RSS at most 300 MB at
20 MB, and no growth from 5 to 20 MB.

    python benchmarks/bench_scale.py [--sizes 1 5 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import bench_fix

TARGET_MB_PER_CORE = 1.0
TARGET_PEAK_MIB = 300


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (with its children) and peak RSS (KiB) of one child."""
    import subprocess

    start = time.perf_counter()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, its waited-for workers included
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def run(sizes: tuple[float, ...] = (1.0, 5.0, 20.0)) -> list[dict]:
    respin = bench_fix.respin_command()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in sizes:
            path = Path(tmp, f"{megabytes:g}.txt")
            path.write_text(bench_fix.build_input(megabytes), encoding="utf-8")
            size_mb = path.stat().st_size / 1e6
            regex = run_child([sys.executable, "-c", bench_fix.REGEX_PASS, str(path)])
            for jobs in (1, cpus):
                wall, cpu, rss = run_child([*respin, "fix", "--jobs", str(jobs), str(path)])
                rows.append({"mb": size_mb, "jobs": jobs, "wall": wall, "cpu": cpu, "peak_mib": rss / 1024,
                             "mb_per_core": size_mb / cpu, "mb_per_s": size_mb / wall,
                             "regex_mb_per_core": size_mb / regex[1], "regex_peak_mib": regex[2] / 1024})
    return rows


def report_lines(rows: list[dict]) -> list[str]:
    lines = [
        "| input | jobs | MB/s per core | MB/s (wall) | peak memory | baseline: regex pass (same run) | target |",
        "| ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        speed = "PASS" if r["mb_per_core"] >= TARGET_MB_PER_CORE else "FAIL"
        memory = "PASS" if r["peak_mib"] <= TARGET_PEAK_MIB else "FAIL"
        lines.append(
            f"| {r['mb']:.1f} MB | {r['jobs']} | {r['mb_per_core']:.2f} | {r['mb_per_s']:.2f} | {r['peak_mib']:.0f} MiB "
            f"| {r['regex_mb_per_core']:.0f} MB/s per core, {r['regex_peak_mib']:.0f} MiB "
            f"| ≥ {TARGET_MB_PER_CORE:g} MB/s per core: **{speed}**; ≤ {TARGET_PEAK_MIB} MiB: **{memory}** |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0, 5.0, 20.0], help="input sizes (MB)")
    args = parser.parse_args()
    sys.stdout.write("\n".join(report_lines(run(tuple(args.sizes)))) + "\n")


if __name__ == "__main__":
    main()
