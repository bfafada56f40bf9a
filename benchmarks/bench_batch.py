"""Scaling of ``respin batch``: files/s and MB/s with ``--jobs 1`` and ``--jobs 2``.

Both are measured in the same run on the same generated tree (small news
articles made of the seeds' sentences, in nested folders), as subprocesses,
end to end: start-up, walk, restore, atomic writes. The runs alternate
(1, 2, 1, 2, ...) and the best of each is kept, so a neighbour's burst of
load on a shared machine does not decide the ratio. The start-up of a run
on an empty tree is measured too, and the throughput net of it shown beside.

Target (issue 6): ``--jobs 2`` at least 1.7x the files/s of ``--jobs 1`` on
a 2-core machine. Reported as pass/fail; the run never fails on it.

    python benchmarks/bench_batch.py [--files 1500] [--repeats 3] [--dir /tmp]

``run()`` returns the numbers (and a ``markdown`` table) for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TARGET_SPEEDUP = 1.7


def build_tree(root: Path, files: int, seed: int = 6) -> int:
    """``files`` articles of 4-12 seed sentences in 2-4 paragraphs, 20 per folder; total bytes."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?”])\s+", text) if len(s.split()) >= 4]
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        paragraphs = [" ".join(rng.sample(sentences, rng.randint(2, 3))) for _ in range(rng.randint(2, 4))]
        data = ("\n\n".join(paragraphs) + "\n").encode("utf-8")
        path = root / f"site{i % 5}" / f"batch{i // 100:03d}" / f"article{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
    return total


def time_batch(in_dir: Path, out_dir: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of one ``respin batch`` into a fresh OUT_DIR."""
    shutil.rmtree(out_dir, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "respin", "batch", str(in_dir), str(out_dir), "--jobs", str(jobs),
                    "--quiet"], check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(files: int = 1500, repeats: int = 3, directory: str | None = None) -> dict:
    """Measure; return the numbers and a Markdown table."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="respin-bench-batch-", dir=directory) as tmp:
        tmp_path = Path(tmp)
        size = build_tree(tmp_path / "in", files)
        (tmp_path / "empty").mkdir()
        startup = min(time_batch(tmp_path / "empty", tmp_path / "out-empty", 1)[0] for _ in range(repeats))
        best = {1: (float("inf"), 0.0), 2: (float("inf"), 0.0)}
        for _ in range(repeats):
            for jobs in (1, 2):
                best[jobs] = min(best[jobs], time_batch(tmp_path / "in", tmp_path / f"out{jobs}", jobs))
        same = all((tmp_path / "out1" / p.relative_to(tmp_path / "in")).read_bytes()
                   == (tmp_path / "out2" / p.relative_to(tmp_path / "in")).read_bytes()
                   for p in (tmp_path / "in").rglob("*.txt"))
    results: dict = {"files": files, "megabytes": round(size / 1e6, 3), "cpus": os.cpu_count(),
                     "startup_s": round(startup, 3), "outputs_identical": same,
                     "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    for jobs, (seconds, cpu) in best.items():
        results[f"jobs{jobs}_s"] = round(seconds, 3)
        results[f"jobs{jobs}_cpu_s"] = round(cpu, 3)
        results[f"jobs{jobs}_files_per_s"] = round(files / seconds, 1)
        results[f"jobs{jobs}_mb_per_s"] = round(size / 1e6 / seconds, 3)
        results[f"jobs{jobs}_net_files_per_s"] = round(files / max(seconds - startup, 1e-9), 1)
    results["speedup"] = round(best[1][0] / best[2][0], 2)
    results["net_speedup"] = round((best[1][0] - startup) / max(best[2][0] - startup, 1e-9), 2)
    results["target_speedup"] = TARGET_SPEEDUP
    results["target_met"] = results["speedup"] >= TARGET_SPEEDUP
    results["markdown"] = markdown(results, repeats)
    return results


def markdown(r: dict, repeats: int) -> str:
    verdict = "met" if r["target_met"] else "**missed**"
    return "\n".join([
        f"{r['files']} articles, {r['megabytes']} MB, {r['cpus']} CPUs (load average {r['load_average'][0]} before, "
        f"{r['load_average'][1]} after); best of {repeats} alternating runs each. "
        f"Start-up (a run on an empty tree): {r['startup_s']:.2f} s.",
        "",
        "| run | wall s | CPU s | files/s | MB/s | files/s net of start-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(f"| `--jobs {j}` | {r[f'jobs{j}_s']:.2f} | {r[f'jobs{j}_cpu_s']:.2f} | {r[f'jobs{j}_files_per_s']:.1f} "
          f"| {r[f'jobs{j}_mb_per_s']:.3f} | {r[f'jobs{j}_net_files_per_s']:.1f} |" for j in (1, 2)),
        "",
        f"Speed-up `--jobs 2` over `--jobs 1`: **{r['speedup']:.2f}x** end to end, {r['net_speedup']:.2f}x net of "
        f"start-up; target ≥ {r['target_speedup']}x: {verdict}. Outputs identical: {r['outputs_identical']}.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to build the tree [default: the system temp dir]")
    args = parser.parse_args()
    print(run(args.files, args.repeats, args.dir)["markdown"])


if __name__ == "__main__":
    main()
