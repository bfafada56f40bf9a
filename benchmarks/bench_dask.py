"""``respin batch --scheduler`` on a local Dask cluster against local ``--jobs``, in the same run.

One generated tree (``bench_batch.build_tree``); four ways to restore it, as
subprocesses, end to end: ``--jobs 1``, ``--jobs 2``, and ``--scheduler`` on
a cluster of 1 and of 2 worker processes (one thread each; scheduler and
workers on 127.0.0.1, started here, not timed). The runs alternate and the
best of each is kept. Every output tree must be identical.

The per-task overhead of the cluster is measured on its own: the throughput
of tasks that do nothing (one round trip through the scheduler each), and
the latency of one task waited for alone. A chunk carries up to 32 files
(``respin.batch.workers.MAX_CHUNK``), so the overhead per file is that per task
divided by the chunk size. Also shown: the start-up of a cluster run of one
file (connect, plan, the engine loaded on every worker).

Needs the dask extra (``pip install ".[dask]"``); the machine's other load
decides much of the numbers on a shared host, so they are indicative.

    python benchmarks/bench_dask.py [--files 600] [--repeats 2] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import operator
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import ROOT, build_tree  # noqa: E402

# No dashboard; the scheduler's HTTP routes on a free loopback port (two clusters run at once here).
LOOPBACK_HTTP = {"dashboard_address": "127.0.0.1:0"}


def time_run(in_dir: Path, out_dir: Path, *options: str) -> float:
    """Wall seconds of one ``respin batch`` into a fresh OUT_DIR."""
    shutil.rmtree(out_dir, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "respin", "batch", str(in_dir), str(out_dir), "--quiet", *options],
                   check=True, cwd=ROOT)
    return time.perf_counter() - started


def task_overhead(client, tasks: int = 300) -> tuple[float, float]:
    """Seconds per no-op task: in a stream of ``tasks``, and one alone (a round trip)."""
    client.gather(client.map(operator.neg, range(20), pure=False))  # warm up
    started = time.perf_counter()
    client.gather(client.map(operator.neg, range(tasks), pure=False))
    stream = (time.perf_counter() - started) / tasks
    started = time.perf_counter()
    for i in range(20):
        client.submit(operator.neg, i, pure=False).result()
    return stream, (time.perf_counter() - started) / 20


def identical(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*.txt"))
    return files_a == sorted(p.relative_to(b) for p in b.rglob("*.txt")) and all(
        (a / rel).read_bytes() == (b / rel).read_bytes() for rel in files_a)


def run(files: int = 600, repeats: int = 2, directory: str | None = None) -> dict:
    from distributed import Client, LocalCluster

    from respin.batch.workers import MAX_CHUNK, chunk_size

    load_before = os.getloadavg()[0]
    best: dict[str, float] = {}
    results: dict = {"files": files, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="respin-bench-dask-", dir=directory) as tmp:
        tmp_path = Path(tmp)
        size = build_tree(tmp_path / "in", files)
        build_tree(tmp_path / "one", 1)
        clusters = {n: LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP) for n in (1, 2)}
        try:
            ways = {"--jobs 1": ("--jobs", "1"), "--jobs 2": ("--jobs", "2")}
            ways.update({f"cluster, {n} worker{'s' * (n > 1)}": ("--scheduler", c.scheduler_address)
                         for n, c in clusters.items()})
            for _ in range(repeats):
                for i, (name, options) in enumerate(ways.items()):
                    best[name] = min(best.get(name, float("inf")), time_run(tmp_path / "in", tmp_path / f"out{i}",
                                                                            *options))
            same = all(identical(tmp_path / "out0", tmp_path / f"out{i}") for i in range(1, len(ways)))
            results["cluster_startup_s"] = round(min(
                time_run(tmp_path / "one", tmp_path / "out-one", "--scheduler", clusters[2].scheduler_address)
                for _ in range(repeats)), 3)
            results["local_startup_s"] = round(min(
                time_run(tmp_path / "one", tmp_path / "out-one", "--jobs", "1") for _ in range(repeats)), 3)
            with Client(clusters[2]) as client:
                stream, alone = task_overhead(client)
        finally:
            for cluster in clusters.values():
                cluster.close()
    first_chunk = chunk_size(files, 2)
    results.update({
        "megabytes": round(size / 1e6, 3), "outputs_identical": same, "repeats": repeats,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "runs": {name: {"s": round(s, 3), "files_per_s": round(files / s, 1)} for name, s in best.items()},
        "task_overhead_ms": round(stream * 1e3, 2), "task_round_trip_ms": round(alone * 1e3, 2),
        "files_per_task_at_start": first_chunk, "max_files_per_task": MAX_CHUNK,
    })
    results["markdown"] = markdown(results)
    return results


def markdown(r: dict) -> str:
    base = r["runs"]["--jobs 1"]["s"]
    return "\n".join([
        f"{r['files']} articles, {r['megabytes']} MB, {r['cpus']} CPUs (load average {r['load_average'][0]} "
        f"before, {r['load_average'][1]} after); best of {r['repeats']} alternating runs each; scheduler and "
        f"workers on 127.0.0.1.",
        "",
        "| run | wall s | files/s | vs `--jobs 1` |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {name} | {v['s']:.2f} | {v['files_per_s']:.1f} | {base / v['s']:.2f}x |"
          for name, v in r["runs"].items()),
        "",
        f"Outputs identical: {r['outputs_identical']}. Start-up of a one-file run: {r['local_startup_s']:.2f} s "
        f"local, {r['cluster_startup_s']:.2f} s on the cluster (connect, plan, the engine loaded on every worker).",
        f"Per-task overhead: {r['task_overhead_ms']:.1f} ms a task in a stream of no-op tasks, "
        f"{r['task_round_trip_ms']:.1f} ms for one task alone; at {r['files_per_task_at_start']} files a task "
        f"(up to {r['max_files_per_task']}) that is {r['task_overhead_ms'] / r['files_per_task_at_start']:.2f} ms "
        f"a file.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--dir", default=None, help="where to build the tree [default: the system temp dir]")
    args = parser.parse_args()
    print(run(args.files, args.repeats, args.dir)["markdown"])


if __name__ == "__main__":
    main()
