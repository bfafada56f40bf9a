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
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_fix

TARGET_MB_PER_CORE = 1.0
TARGET_PEAK_MIB = 300


# The kernel starts a forked child's peak RSS (ru_maxrss) at the memory of the
# process that forked it, and run.py's own process grows as the suite goes
# on; so each child is forked by a small launcher, which reports the child's own.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)
    os.dup2(quiet, 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                  os.waitstatus_to_exitcode(status)]))
"""


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (with its children) and peak RSS (KiB) of one child."""
    report = subprocess.run([sys.executable, "-c", _LAUNCHER, *args], capture_output=True, text=True, check=True)
    wall, cpu, rss, code = json.loads(report.stdout)
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} failed")
    return wall, cpu, rss


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
