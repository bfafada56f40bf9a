"""``respin batch --scheduler ADDRESS``: the same batch run, restored on a Dask cluster.

Planning, resume, progress, the report and the exit code stay in the
calling process (:mod:`respin.batch`); only the restoring moves.
Files go to the cluster in chunks (``workers.chunk_size``: up to 32
files a task, fewer as the queue empties). A worker plugin loads the tables
and the language model once per worker process, also in a worker that
joins or restarts mid-run, and refuses a worker whose respin version or
tables differ from the caller's, so cluster output is local output.

Where the outputs are written:

- Local paths (or ``file://``): each worker writes exactly as local batch
  does (:class:`respin.batch.workers.Worker`: temp file, one durability
  barrier per chunk, rename), so IN_DIR and OUT_DIR must be at the same path
  on every worker (one machine, or a shared mount).
- Other fsspec URLs (``s3://``, ``gs://``, ``memory://``, ...): the listing
  and the resume state go through fsspec (a local IN_DIR is still walked by
  ``files.walk``), and each worker reads its files and writes each
  output to a temp object beside it, then moves it over the target
  (:func:`write_atomically`).

A worker that dies takes its chunk with it; the scheduler gives the chunk to
another worker. A chunk the scheduler gives up on (``KilledWorker``, after
``distributed.scheduler.allowed-failures`` deaths, counted for every task on
a dying worker, not only the one that killed it) is split, and its files are
retried one at a time once the rest is done, so only a file that kills
workers on its own fails, with that reason.
"""

from __future__ import annotations

import os
import posixpath
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence

from .files import (
    DEFAULT_INCLUDE,
    STATE_NAME,
    is_own_file,
    is_temp_name,
    matches,
    refuse_overlap,
    remove_leftover_temps,
    walk,
)
from .workers import FAILED, SKIPPED, TICK, Outcome, WorkerSetup, Task, Worker, chunk_size
from ..options import FixOptions
from .options import BatchOptions
from ..textio import TEMP_SUFFIX, InputError, decode

try:  # the dask extra: pip install "respin[dask]"
    from distributed import WorkerPlugin
except ImportError:  # only --scheduler needs it, and it says so (connect)
    WorkerPlugin = object

CHUNKS_IN_FLIGHT_PER_THREAD = 4  # enough that no worker thread waits for the next chunk
# One chunk at a time per process, whatever the worker's threads: the engine's caches and model are
# the process's, not made to be shared across threads (and the GIL leaves nothing to gain from them).
_ONE_AT_A_TIME = threading.Lock()
DIED = "the worker process died restoring this file (out of memory or a crash)"


# --- paths ----------------------------------------------------------------------


def is_remote(path: str | None) -> bool:
    """Whether ``path`` is an fsspec URL of a file system other than the local one."""
    if not path or "://" not in path:
        return False
    return path.split("://", 1)[0] not in ("file", "local")


def local_path(path: str) -> str:
    """``file:///a/b`` → ``/a/b``; a plain path as it is."""
    for prefix in ("file://", "local://"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def check_jobs(jobs: int | None) -> None:
    if jobs is not None:
        raise InputError("--jobs sets local worker processes; a --scheduler run uses the cluster's workers")


# --- the cluster ------------------------------------------------------------------


def connect(address: str) -> Cluster:
    """A client of the scheduler at ``address``; an unreachable one is an InputError (exit 2)."""
    try:
        import distributed
    except ImportError:
        raise InputError('--scheduler needs Dask: pip install "respin[dask]"') from None
    try:
        client = distributed.Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler {address}: cannot reach the Dask scheduler ({exc})") from None
    return Cluster(client, address)


class Cluster:
    """A connection to a Dask cluster, closed when the ``with`` block ends."""

    def __init__(self, client, address: str) -> None:
        self.client = client
        self.address = address

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.close()

    def runner(self, settings: WorkerSetup, local_root: str | None = None,
               say: Callable[[str], None] = lambda line: None) -> Callable:
        """A ``batch.execute`` runner restoring on the cluster; ``local_root``: the local tree written."""

        def run(tasks: Sequence[Task], record: Callable[[Outcome], None], tick: Callable[[], None]) -> None:
            if not tasks:
                return
            name = self._start_workers(settings, say)
            try:
                restore_on_cluster(self.client, name, tasks, record, tick)
            finally:
                try:
                    self.client.unregister_worker_plugin(name)
                except Exception:  # noqa: BLE001 - the run's result does not depend on it
                    pass
            if local_root is not None:  # temp files of chunks whose worker died
                remove_leftover_temps(local_root)

        return run

    def _start_workers(self, settings: WorkerSetup, say: Callable[[str], None]) -> str:
        """Load the engine on every worker (and every worker that joins later); the plugin's name."""
        from .state import respin_version
        from ..pipeline import load_engine

        name = f"respin-batch-{uuid.uuid4().hex[:12]}"
        plugin = Restorer(settings, load_engine(settings.config).tables.digest, respin_version())
        try:
            self.client.register_plugin(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - whatever a worker raised while starting
            raise InputError(f"--scheduler {self.address}: the workers cannot run respin: {exc}") from None
        if not self.client.nthreads():
            say(f"respin batch: waiting for a worker to join {self.address}")
            self.client.wait_for_workers(1)
        return name


class Restorer(WorkerPlugin):
    """Worker plugin: the engine loaded once per worker process, checked against the caller's."""

    def __init__(self, settings: WorkerSetup, tables_digest: str, version: str) -> None:
        self.settings = settings
        self.tables_digest = tables_digest
        self.version = version
        self.worker = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "worker": None}

    def setup(self, worker=None) -> None:
        from .state import respin_version
        from ..pipeline import fix, load_engine

        if respin_version() != self.version:
            raise RuntimeError(f"this worker runs respin {respin_version()}, the caller respin {self.version}")
        if load_engine(self.settings.config).tables.digest != self.tables_digest:
            raise RuntimeError("the tables this worker reads differ from the caller's (give --table paths "
                               "every worker sees alike)")
        fix("", self.settings.references, self.settings.config)  # index the references once
        remote = is_remote(self.settings.out_root)
        self.worker = RemoteWorker(self.settings) if remote else Worker(self.settings)

    def teardown(self, worker=None) -> None:
        if self.worker is not None:
            self.worker.close()


def _restore_chunk(plugin_name: str, chunk: list[Task]) -> list[Outcome]:
    """The task: restore a chunk with this worker's engine."""
    from distributed import get_worker

    worker = get_worker()
    restorer = worker.plugins[plugin_name].worker
    if restorer is None:  # its setup failed (a worker that joined late with other tables or respin)
        raise RuntimeError(f"respin could not start on the worker {worker.address}: see its log")
    with _ONE_AT_A_TIME:
        return restorer.restore_chunk(chunk)


def restore_on_cluster(client, plugin_name: str, tasks: Sequence[Task], record: Callable[[Outcome], None],
                       tick: Callable[[], None]) -> None:
    """Restore ``tasks`` on the cluster, a window of chunks in flight; every outcome goes to ``record``."""
    from concurrent.futures import CancelledError

    from distributed import wait

    try:
        from distributed import KilledWorker
    except ImportError:  # pragma: no cover - older distributed
        from distributed.scheduler import KilledWorker

    threads = max(1, sum(client.nthreads().values()))
    window = CHUNKS_IN_FLIGHT_PER_THREAD * threads
    queue = deque(tasks)
    alone: deque[Task] = deque()  # files of chunks the scheduler gave up on, retried one per task
    inflight: dict = {}
    restored_any = False
    deaths = 0  # chunks the scheduler gave up on
    run_id = uuid.uuid4().hex[:8]
    submitted = 0
    try:
        while queue or alone or inflight:
            while queue and len(inflight) < window or alone and not queue and not inflight:
                on_its_own = not queue  # at the end, one at a time: a file that kills workers alone is the culprit
                if queue:
                    chunk = [queue.popleft() for _ in range(min(chunk_size(len(queue), threads), len(queue)))]
                else:
                    chunk = [alone.popleft()]
                submitted += 1
                future = client.submit(_restore_chunk, plugin_name, chunk, key=f"respin-{run_id}-{submitted}",
                                       pure=False)
                inflight[future] = (chunk, on_its_own)
            try:
                with client.as_current():  # wait() finds the client there, not as a process-wide default
                    wait(list(inflight), timeout=TICK, return_when="FIRST_COMPLETED")
            except TimeoutError:
                pass
            for future in [f for f in inflight if f.done()]:
                chunk, on_its_own = inflight.pop(future)
                try:
                    outcomes = future.result()
                except KilledWorker:  # its workers died: it may have killed them, or been beside the one that did
                    deaths += 1
                    if deaths >= 3 and not restored_any:
                        raise RuntimeError("the cluster's workers die before restoring any file") from None
                    if on_its_own:
                        record(Outcome(chunk[0].rel, FAILED, chunk[0].size, error=f"{chunk[0].source}: {DIED}"))
                    else:
                        alone.extend(chunk)
                    continue
                except CancelledError:
                    raise RuntimeError("the scheduler cancelled the run's tasks (was it restarted?)") from None
                restored_any = True
                for outcome in outcomes:
                    record(outcome)
            tick()
    except BaseException:
        # Stop queued chunks; a chunk a worker has started still finishes, each file atomically.
        if inflight:
            try:
                client.cancel(list(inflight), force=True)
            except Exception:  # noqa: BLE001 - the client may be gone already
                pass
        raise


# --- fsspec trees -----------------------------------------------------------------


class RemoteWorker(Worker):
    """Restores files of an fsspec file system: :class:`Worker`'s restoring, fsspec's reading and writing."""

    def restore_chunk(self, tasks: Sequence[Task]) -> list[Outcome]:
        return [self.restore(task) for task in tasks]

    def restore(self, task: Task) -> Outcome:
        from fsspec.core import url_to_fs

        try:
            fs, path = url_to_fs(task.source)
            try:
                data = fs.cat_file(path)
            except FileNotFoundError:
                raise InputError(f"{task.source}: vanished since the scan") from None
            except OSError as exc:
                raise InputError(f"{task.source}: cannot read ({exc})") from None
            result, outcome = self.restore_text(task, decode(data, task.source))
            write_atomically(task.target, result.text.encode("utf-8") if result.changed else data)
            return outcome
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            return self._failed(task, exc)


def write_atomically(url: str, data: bytes) -> None:
    """Write ``data`` to ``url`` through fsspec: a temp object beside it, then moved over it.

    The temp name is the one local atomic writes use (``.NAME.XXXXXXXX.respin-tmp``),
    so a run's clean-up finds what a killed worker left.
    """
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    directory, name = posixpath.split(path)
    temp = posixpath.join(directory, f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fs.makedirs(directory, exist_ok=True)
    try:
        fs.pipe_file(temp, data)
        fs.mv(temp, path)
    except BaseException:
        try:
            fs.rm_file(temp)
        except Exception:  # noqa: BLE001 - already gone, or the store is unreachable
            pass
        raise


def _modified(info: dict) -> float | None:
    """A listing entry's modification time in seconds, whatever the file system calls it."""
    from datetime import datetime

    for field in ("mtime", "LastModified", "last_modified", "updated", "mtime_ns", "created"):
        value = info.get(field)
        if value is None:
            continue
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
        return float(value) / (1e9 if field == "mtime_ns" else 1)
    return None


def _listing(fs, root: str) -> dict[str, dict]:
    """Every file under ``root``, by path relative to it."""
    if not fs.exists(root):
        return {}
    prefix = root.rstrip("/") + "/"
    return {path[len(prefix):]: info for path, info in fs.find(root, detail=True).items()
            if path.startswith(prefix) and info.get("type", "file") == "file"}


def open_remote_state(fs, out_root: str, key: str) -> tuple[float | None, bool]:
    """OUT_DIR's resume state through fsspec: since when outputs count, and whether the settings changed."""
    import json

    path = posixpath.join(out_root, STATE_NAME)
    previous = None
    try:
        previous = json.loads(fs.cat_file(path).decode("utf-8"))
        if previous.get("key") == key and isinstance(previous.get("since"), (int, float)):
            return previous["since"], False
    except (OSError, ValueError, AttributeError):
        pass
    url = fs.unstrip_protocol(path)
    write_atomically(url, b"{}\n")  # first, to read the store's clock from it
    since = _modified(fs.info(path))
    write_atomically(url, (json.dumps({"key": key, "since": since}) + "\n").encode("utf-8"))
    return since, previous is not None


def run_remote(in_url: str, out_url: str | None, batch: BatchOptions, options: FixOptions | None = None) -> int:
    """``respin batch`` for fsspec URLs, on the cluster of ``batch.scheduler``; the exit code."""
    from .report import execute, stderr_lines
    from .state import prepare

    includes, excludes, jobs, force, in_place, backup_suffix, report, quiet, verbose = (
        batch.includes, batch.excludes, batch.jobs, batch.force, batch.in_place, batch.backup_suffix, batch.report,
        batch.quiet, batch.verbose)
    scheduler = batch.scheduler

    try:
        from fsspec.core import url_to_fs
    except ImportError:
        url = in_url if is_remote(in_url) else out_url
        raise InputError(f'{url}: URLs need fsspec: pip install "respin[dask]"') from None
    check_jobs(jobs)
    if in_place or backup_suffix is not None:
        raise InputError("--in-place needs IN_DIR on a local or mounted file system, not a URL")
    if out_url is None:
        raise InputError("missing OUT_DIR")
    if report is not None and not os.path.isdir(os.path.dirname(report) or "."):
        raise InputError(f"{report}: its folder does not exist")
    fs_in, in_root = url_to_fs(in_url)
    fs_out, out_root = url_to_fs(out_url)
    in_root, out_root = in_root.rstrip("/") or "/", out_root.rstrip("/") or "/"
    if not fs_in.isdir(in_root):
        raise InputError(f"{in_url}: {'not a directory' if fs_in.exists(in_root) else 'no such directory'}")
    if fs_in.protocol == fs_out.protocol:
        refuse_overlap(in_root, out_root, InputError, "OUT_DIR is IN_DIR: in-place runs need a local IN_DIR")
    config, reference_texts, key = prepare(options or FixOptions())
    say = stderr_lines(quiet)
    with connect(scheduler) as cluster:
        fs_out.makedirs(out_root, exist_ok=True)
        outputs = _listing(fs_out, out_root)
        leftovers = [rel for rel in outputs if is_temp_name(rel.rsplit("/", 1)[-1])]
        for rel in leftovers:
            fs_out.rm_file(posixpath.join(out_root, rel))
        if leftovers:
            say(f"respin batch: removed {len(leftovers)} temp file(s) left by an interrupted run")
        since, changed = open_remote_state(fs_out, out_root, key)
        if changed and not force:
            say("respin batch: the settings differ from the last run into this OUT_DIR: redoing every file")
        tasks, early = [], []
        for rel, source, size, modified in _inputs(in_url, fs_in, in_root, tuple(includes) or DEFAULT_INCLUDE,
                                                   tuple(excludes), report, early):
            done = outputs.get(rel)
            if not force and done is not None and _is_done(modified, _modified(done), since):
                early.append(Outcome(rel, SKIPPED, size))
            else:
                tasks.append(Task(rel, source, fs_out.unstrip_protocol(posixpath.join(out_root, rel)), size))
        settings = WorkerSetup(config, reference_texts, fs_out.unstrip_protocol(out_root),
                            details=report is not None, verbose=verbose)
        return execute(tasks, early, cluster.runner(settings, say=say), root=out_url, report=report, quiet=quiet,
                       say=say)


def _inputs(in_url: str, fs, root: str, includes: Sequence[str], excludes: Sequence[str], report: str | None,
            early: list[Outcome]) -> list[tuple[str, str, int, float | None]]:
    """The files to restore: relative path, URL, size, modification time; what is refused goes to ``early``.

    A local IN_DIR is walked as local batch walks it (symlinks out of it refused, loops not entered).
    """
    if not is_remote(in_url):
        ignore = frozenset({os.path.realpath(report)}) if report else frozenset()
        found, refused = walk(local_path(in_url), includes, excludes, ignore=ignore)
        early += [Outcome(item.rel, FAILED, error=f"{item.path}: {item.reason}") for item in refused]
        return [(f.rel, fs.unstrip_protocol(os.path.abspath(f.path)), f.size, f.mtime_ns / 1e9) for f in found]
    inputs = []
    for rel, info in sorted(_listing(fs, root).items()):
        parts = rel.split("/")  # an excluded folder excludes everything under it, as the local walk prunes it
        if is_own_file(parts[-1]) or any(matches("/".join(parts[:i]), excludes) for i in range(1, len(parts) + 1)):
            continue
        if matches(rel, includes):
            inputs.append((rel, fs.unstrip_protocol(posixpath.join(root, rel)), int(info.get("size") or 0),
                           _modified(info)))
    return inputs


def _is_done(input_time: float | None, output_time: float | None, since: float | None) -> bool:
    """An output newer than its input and made under the current settings (unknown times: redo)."""
    if input_time is None or output_time is None or since is None:
        return False
    return output_time > input_time and output_time >= since

