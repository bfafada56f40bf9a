"""respin batch --scheduler: a real local Dask cluster (scheduler and two worker processes on
127.0.0.1) writes exactly what local batch writes, also when a worker is killed mid-run or a file
keeps killing workers; fsspec URLs (an in-memory file system) work the same way."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, SPUN_SEEDS, read_seed
from test_batch import MINI, MINI_CONFIG, add_bad_files, expected_outputs, make_tree, read_report, run, temp_files, tree

from respin.cli import main

try:
    from distributed import WorkerPlugin
except ImportError:  # the tests that need it are skipped
    WorkerPlugin = object

# No dashboard; the scheduler's HTTP routes on a free loopback port, not 8787 (clusters here coexist).
LOOPBACK_HTTP = {"dashboard_address": "127.0.0.1:0"}
NEEDS_DASK = 'the dask extra is not installed (pip install ".[dask]")'


@contextlib.contextmanager
def local_cluster(allowed_failures: int = 3):
    """A scheduler in this process and two worker processes (with nannies that restart them)."""
    pytest.importorskip("distributed", reason=NEEDS_DASK)
    pytest.importorskip("fsspec", reason=NEEDS_DASK)
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP) as cluster, Client(cluster) as client:
            yield cluster.scheduler_address, client


@pytest.fixture(scope="module")
def cluster():
    """Shared by the tests that kill no worker; those that do start their own."""
    with local_cluster() as address_and_client:
        yield address_and_client


def cluster_process(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "respin", "batch", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                            start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = 180) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err.decode("utf-8", "replace")


def statuses(report: dict[str, dict]) -> dict[str, tuple]:
    return {rel: (r["status"], r["fixes"]) for rel, r in report.items()}


def local_run(in_dir: Path, out: Path, *args) -> tuple[int, dict[str, dict]]:
    report = out.parent / f"{out.name}.jsonl"
    result = run(in_dir, out, "--jobs", "1", "--quiet", "--report", report, *MINI, *args)
    return result.exit_code, read_report(report)


# --- the acceptance cases -------------------------------------------------------------


def test_cluster_output_equals_local_output_file_for_file(cluster, tmp_path):
    address, _ = cluster
    in_dir = tmp_path / "in"
    make_tree(in_dir, 60)
    bad = add_bad_files(in_dir, tmp_path / "elsewhere")
    local_code, local_report = local_run(in_dir, tmp_path / "local")

    code, err = finish(cluster_process(in_dir, tmp_path / "out", "--scheduler", address, "--report",
                                       tmp_path / "r.jsonl", *MINI))
    assert code == local_code == 1, err  # the bad files
    assert tree(tmp_path / "out") == tree(tmp_path / "local")
    report = read_report(tmp_path / "r.jsonl")
    assert statuses(report) == statuses(local_report)
    for rel, reason in bad.items():
        assert reason in report[rel]["error"] and f"respin: failed: {in_dir / rel}" in err

    # Resume as locally: nothing to redo; one input touched, only it is redone.
    (in_dir / "empty.txt").write_bytes(b"The officers mentioned the talks.\n")
    code, err = finish(cluster_process(in_dir, f"file://{tmp_path / 'out'}", "--scheduler", address, *MINI))
    assert code == 1 and "1 fixed, 0 unchanged, 61 skipped (resumed), 3 failed" in err, err
    assert tree(tmp_path / "out")["empty.txt"] == expected_outputs(
        {"empty.txt": (in_dir / "empty.txt").read_bytes()}, MINI_CONFIG)["empty.txt"]


def test_a_worker_killed_mid_run_still_ends_with_the_complete_identical_tree(tmp_path):
    in_dir = tmp_path / "in"
    make_tree(in_dir, 400, seed=3)
    local_code, _ = local_run(in_dir, tmp_path / "local")
    assert local_code == 0

    out = tmp_path / "out"
    with local_cluster() as (address, client):  # its own: a killed worker's nanny may not come back
        process = cluster_process(in_dir, out, "--quiet", *MINI, env={"DASK_SCHEDULER_ADDRESS": address})
        deadline = time.monotonic() + 120
        while sum(1 for p in out.rglob("*.txt")) < 20 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "the run ended before a worker could be killed"
        victim = next(iter(client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)  # its nanny starts a new worker; its chunks go to the other one
        code, err = finish(process)
    assert code == 0, err
    assert 20 <= sum(1 for _ in out.rglob("*.txt")) and tree(out) == tree(tmp_path / "local")
    assert temp_files(out) == [], "the dead worker's temp files are removed"


class Poison(WorkerPlugin):
    """Worker plugin (set up in every worker, also restarted ones): reading one file kills the worker."""

    name = "respin-test-poison"

    def __init__(self, culprit: str) -> None:
        self.culprit = culprit

    def setup(self, worker) -> None:
        from respin.batch import workers as batchworkers

        read, culprit = batchworkers.read_input, self.culprit

        def crash_on_culprit(path):
            if path == culprit:
                os._exit(9)  # as the OOM killer or a segfault would end it
            return read(path)

        batchworkers.read_input = crash_on_culprit


def test_a_file_that_kills_workers_fails_alone_with_its_reason(tmp_path):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 50)
    culprit = "section3/day0/story0003.txt"
    # The scheduler gives a task up at its first worker death: the quickest way through both retries.
    with local_cluster(allowed_failures=0) as (address, client):
        client.register_plugin(Poison(str(in_dir / culprit)), name=Poison.name)
        code, err = finish(cluster_process(in_dir, tmp_path / "out", "--scheduler", address, "--report",
                                           tmp_path / "r.jsonl", *MINI))
    assert code == 1, err
    failed = {rel: r["error"] for rel, r in read_report(tmp_path / "r.jsonl").items() if r["status"] == "failed"}
    assert list(failed) == [culprit] and "worker process died" in failed[culprit], err
    assert tree(tmp_path / "out") == expected_outputs({r: d for r, d in files.items() if r != culprit}, MINI_CONFIG)
    assert temp_files(tmp_path / "out") == []


def test_in_place_on_the_cluster_equals_in_place_locally(cluster, tmp_path):
    address, _ = cluster
    make_tree(tmp_path / "a", 30)
    make_tree(tmp_path / "b", 30)
    assert run(tmp_path / "a", "--in-place", "--backup-suffix", ".orig", "--jobs", "1", *MINI).exit_code == 0
    code, err = finish(cluster_process(tmp_path / "b", "--in-place", "--backup-suffix", ".orig", "--scheduler",
                                       address, *MINI))
    assert code == 0, err
    assert tree(tmp_path / "b") == tree(tmp_path / "a")
    code, err = finish(cluster_process(tmp_path / "b", "--in-place", "--scheduler", address, *MINI))
    assert code == 0 and "0 fixed, 0 unchanged, 32 skipped" in err, err


# --- fsspec URLs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def threads_cluster():
    """Workers as threads of this process: an in-memory file system is only shared within a process."""
    pytest.importorskip("distributed", reason=NEEDS_DASK)
    pytest.importorskip("fsspec", reason=NEEDS_DASK)
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP) as local_cluster:
        yield local_cluster.scheduler_address


def test_fsspec_urls_in_memory_equal_local_output_and_resume(threads_cluster, tmp_path):
    import fsspec

    memory = fsspec.filesystem("memory")
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 40)
    (in_dir / "bad").mkdir()
    (in_dir / "bad" / "binary.txt").write_bytes(b"PK\x03\x04\x00binary\x00")
    (in_dir / "drafts").mkdir()
    (in_dir / "drafts" / "skip.txt").write_text("The officers mentioned it.\n")
    for path in in_dir.rglob("*"):
        if path.is_file():
            memory.pipe_file(f"/respin-test/in/{path.relative_to(in_dir).as_posix()}", path.read_bytes())
    local_code, local_report = local_run(in_dir, tmp_path / "local", "--exclude", "drafts")
    memory.pipe_file("/respin-test/out/section0/.story0000.txt.abcd1234.respin-tmp", b"left by a kill")

    def cluster_run(*args):
        return CliRunner().invoke(main, ["batch", "memory://respin-test/in", "memory://respin-test/out",
                                         "--scheduler", threads_cluster, "--exclude", "drafts", *MINI, *args])

    try:
        result = cluster_run("--report", str(tmp_path / "r.jsonl"))
        assert result.exit_code == local_code == 1, result.output
        assert "removed 1 temp file(s)" in result.stderr
        outputs = {path.removeprefix("/respin-test/out/"): memory.cat_file(path)
                   for path in memory.find("/respin-test/out")}
        assert outputs.pop(".respin-batch.json")
        assert outputs == tree(tmp_path / "local") == expected_outputs(
            {r: d for r, d in files.items()}, MINI_CONFIG)
        assert statuses(read_report(tmp_path / "r.jsonl")) == statuses(local_report)
        assert "binary" in read_report(tmp_path / "r.jsonl")["bad/binary.txt"]["error"]

        result = cluster_run()
        assert "0 fixed, 0 unchanged, 42 skipped (resumed), 1 failed" in result.stderr, result.output
        memory.pipe_file("/respin-test/in/empty.txt", b"The officers mentioned the talks.\n")
        result = cluster_run()
        assert "1 fixed, 0 unchanged, 41 skipped (resumed), 1 failed" in result.stderr, result.output
        assert memory.cat_file("/respin-test/out/empty.txt") == b"The officers said the talks.\n"

        # A local IN_DIR is walked as locally: a symlink out of it is refused, never read.
        (in_dir / "out-link.txt").symlink_to(tmp_path / "secret.txt")
        (tmp_path / "secret.txt").write_text("The officers mentioned the secret.\n")
        result = CliRunner().invoke(main, ["batch", str(in_dir), "memory://respin-test/from-local", "--scheduler",
                                           threads_cluster, "--exclude", "drafts", *MINI])
        assert result.exit_code == 1 and "out-link.txt: symlink leaves IN_DIR" in result.stderr, result.output
        outputs = {path.removeprefix("/respin-test/from-local/"): memory.cat_file(path)
                   for path in memory.find("/respin-test/from-local")}
        assert outputs.pop(".respin-batch.json") and outputs == tree(tmp_path / "local")
    finally:
        memory.rm("/respin-test", recursive=True)


# --- refusals ---------------------------------------------------------------------------


def test_without_the_extra_scheduler_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    make_tree(tmp_path / "in", 2)
    result = run(tmp_path / "in", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert result.stderr.strip() == 'respin: error: --scheduler needs Dask: pip install "respin[dask]"'
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler_and_jobs_are_usage_errors_before_anything_is_written(tmp_path):
    pytest.importorskip("distributed", reason=NEEDS_DASK)
    make_tree(tmp_path / "in", 2)
    process = cluster_process(tmp_path / "in", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9",
                              env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    code, err = finish(process, 60)
    assert code == 2 and "cannot reach the Dask scheduler" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()
    result = run(tmp_path / "in", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", "--jobs", "2")
    assert result.exit_code == 2 and "--jobs" in result.stderr


def test_a_worker_with_other_tables_is_refused(tmp_path):
    pytest.importorskip("distributed", reason=NEEDS_DASK)
    from respin.batch.cluster import Restorer
    from respin.batch.state import respin_version as _respin_version
    from respin.batch.workers import WorkerSetup

    plugin = Restorer(WorkerSetup(MINI_CONFIG, (), str(tmp_path)), "not-the-digest", _respin_version())
    with pytest.raises(RuntimeError, match="tables this worker reads differ"):
        plugin.setup()
    plugin = Restorer(WorkerSetup(MINI_CONFIG, (), str(tmp_path)), "x", "0.0.0-other")
    with pytest.raises(RuntimeError, match="respin 0.0.0-other"):
        plugin.setup()


# --- the library function Spark and Ray jobs map over records ---------------------------


def test_fix_loads_tables_and_model_once_per_process_and_its_result_is_plain_data():
    import pickle

    import respin
    from respin.lm import load_scorer
    from respin.pipeline import load_engine

    first = respin.fix(read_seed(SPUN_SEEDS[0]))
    tables, scorer = load_engine().tables, load_scorer.cache_info()
    second = respin.fix(read_seed(SPUN_SEEDS[1]))
    assert load_engine().tables is tables, "the tables are not loaded again"
    assert load_scorer.cache_info().misses == scorer.misses, "nor is the model"
    assert first.fixes and second.fixes
    record = pickle.loads(pickle.dumps(second.to_dict()))  # what an executor sends back
    assert record == {"text": second.text, "fixes": [f.to_dict() for f in second.fixes]}
