"""Restoring files in worker processes: the parallel half of ``respin batch``.

Each worker process loads the tables and the language model once (the pool
initializer), then restores chunks of files: read, :func:`respin.pipeline.fix`
exactly as ``respin fix`` does, write atomically. A chunk's files are made
durable by one barrier (:class:`respin.textio.WriteGroup`), not an fsync
each, and only then renamed over their targets. The parent keeps a few
chunks in flight per worker; on Ctrl-C it terminates the pool at once and
removes the temp files of the writes it cut short, and Linux kills the
workers if the parent itself is killed.
"""

from __future__ import annotations

import errno
import json
import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..textio import remove_temps_of
from .files import is_inside
from .state import content_hash, journal_line, read_signature
from ..config import Config
from ..signals import as_worker
from ..textio import InputError, PendingWrite, WriteGroup, read_text

if TYPE_CHECKING:
    from ..records import Result

FIXED, UNCHANGED, SKIPPED, FAILED = "fixed", "unchanged", "skipped", "failed"
TICK = 0.1  # seconds the parent waits for results before it refreshes the progress display
MAX_CHUNK = 32  # files per round trip to a worker
CHUNKS_PER_WORKER = 8  # at least, so the workers finish together
# Write errors no other file will escape: the run stops at the first (see Outcome.stop).
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True, slots=True)
class Task:
    """One file for a worker."""

    rel: str
    source: str
    target: str  # the output path; the source itself in place
    size: int
    expected: str | None = None  # in place: hash of the content respin left there last time


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: a line of the report."""

    rel: str
    status: str
    size: int = 0
    fixes: int = 0
    details: tuple[dict, ...] = ()  # Fix.to_dict() of the applied fixes, when a report wants them
    error: str | None = None
    reference: tuple[str | None, ...] = ()  # with --reference-dir: (the reference found, or None)
    stop: str | None = None  # why the whole run must stop (a full disk), not just this file

    def report_line(self) -> str:
        record = {"path": self.rel, "status": self.status, "fixes": list(self.details), "error": self.error}
        if self.reference:
            record["reference"] = self.reference[0]
        line = json.dumps(record, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not UTF-8: its bytes as \udcXX escapes,
            line = json.dumps(record)  # which json.loads and os.fsencode turn back into the name
        return line + "\n"


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker needs; pickled once per worker process."""

    config: Config
    references: tuple[str, ...]
    out_root: str | None  # resolved OUT_DIR; None in place
    backup_suffix: str | None = None
    journal: str | None = None  # the resume journal workers append to (state.Journal)
    details: bool = False
    verbose: bool = False
    reference_dir: str | None = None  # each file's reference is its source found there ('respin match')


@dataclass(slots=True)
class _Staged:
    """A restored file whose temp files wait for its chunk's barrier."""

    task: Task
    outcome: Outcome  # reported once the file is in place
    output: PendingWrite | None  # None: in place and unchanged, nothing to replace
    backup: PendingWrite | None = None
    journal: bytes | None = None  # in place: appended before the replace
    read: bytes | None = None  # OUT_DIR: the input as read, appended after the replace


def read_input(path: str) -> str:
    try:
        return read_text(path)
    except InputError:
        if not os.path.lexists(path):
            raise InputError(f"{path}: vanished since the scan") from None
        raise


class Worker:
    """Restores files, a chunk at a time, with an engine loaded once per process."""

    def __init__(self, settings: WorkerSetup) -> None:
        from ..pipeline import load_engine

        # Tables and language model now, once per process (a forked worker inherits the parent's tables).
        self.scorer = load_engine(settings.config).scorer
        self.settings = settings
        self._journal = None
        if settings.journal:
            self._journal = os.open(settings.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None

    def __call__(self, task: Task) -> Outcome:
        """Restore one file on its own."""
        return self.restore_chunk([task])[0]

    def restore_chunk(self, tasks: Sequence[Task]) -> list[Outcome]:
        """Restore ``tasks`` and write them with one durability barrier; each file still fails alone.

        Temp files are written as each file is restored; after the barrier,
        file by file: the backup is put in place, then the journal line
        appended, then the file replaced. An exception (Ctrl-C) leaves no
        temp file and replaces no file not already done.
        """
        with WriteGroup() as group:
            staged = [self._stage(task, group) for task in tasks]
            group.sync()
            outcomes = [self._finish(item, group) if isinstance(item, _Staged) else item for item in staged]
            group.sync_folders()
            return outcomes

    def _stage(self, task: Task, group: WriteGroup) -> _Staged | Outcome:
        """Read, restore and write the temp files of one file: what to finish after the barrier, or its outcome."""
        try:
            recording = self.settings.out_root is not None and self._journal is not None
            signature = self._signature(task) if recording else None
            text = read_input(task.source)
            if task.expected is not None and content_hash(text) == task.expected:
                return Outcome(task.rel, SKIPPED, task.size)
            result, outcome = self.restore_text(task, text)
            if self.settings.out_root is None:
                return self._stage_in_place(task, text, result, outcome, group)
            read = journal_line(task.rel, signature, "read").encode("utf-8") if signature else None
            return _Staged(task, outcome, self._stage_output(task, result.text, group), read=read)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop a million-file run
            return self._failed(task, exc)

    def restore_text(self, task: Task, text: str) -> tuple[Result, Outcome]:
        """Restore one file's text as ``respin fix`` would: the result, and the file's outcome."""
        from ..markup import for_file
        from ..pipeline import fix

        references, found = self.settings.references, ()
        if self.settings.reference_dir:
            from ..match import find_reference

            found = (find_reference(text, self.settings.reference_dir),)
            references += (read_text(found[0]),) if found[0] else ()
        config = for_file(self.settings.config, task.source)  # an .html file is restored as HTML
        result = fix(text, references, config, near_misses=False)  # no output shows them
        details = tuple(f.to_dict() for f in result.fixes) if self.settings.details else ()
        outcome = Outcome(task.rel, FIXED if result.changed else UNCHANGED, task.size, len(result.fixes), details,
                          reference=found)
        return result, outcome

    def _finish(self, item: _Staged, group: WriteGroup) -> Outcome:
        """After the barrier: put the file's backup, journal line and output in place, in that order."""
        try:
            if item.backup is not None:
                group.replace(item.backup)
            # Journal first: a kill before the replace leaves an entry the old content won't match.
            if item.journal is not None:
                os.write(self._journal, item.journal)
            if item.output is not None:
                group.replace(item.output)
            # Then what was read: a kill before this line only means the file is redone.
            if item.read is not None:
                os.write(self._journal, item.read)
        except OSError as exc:
            return self._failed(item.task, exc)  # an output not replaced is discarded with the group
        return item.outcome

    @staticmethod
    def _signature(task: Task) -> str | None:
        """The input's size and mtime *before* it is read: an edit after this point makes a mismatch."""
        try:
            info = os.stat(task.source)
        except OSError:
            return None  # reading fails too, and says why
        return read_signature(info.st_size, info.st_mtime_ns)

    def _failed(self, task: Task, exc: Exception) -> Outcome:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return Outcome(task.rel, FAILED, task.size, error=f"{task.target}: cannot write ({exc.strerror})",
                           stop=exc.strerror or "No space left on device")
        if isinstance(exc, InputError):
            error = str(exc)
        elif isinstance(exc, OSError):
            error = f"{task.target}: cannot write ({exc.strerror or exc})"
        else:
            error = f"{task.source}: internal error: {type(exc).__name__}: {exc}"
            if self.settings.verbose:
                import traceback

                error += "\n" + traceback.format_exc().rstrip()
        return Outcome(task.rel, FAILED, task.size, error=error)

    def _stage_output(self, task: Task, text: str, group: WriteGroup) -> PendingWrite:
        directory = os.path.dirname(task.target)
        # A symlink inside OUT_DIR could lead anywhere, even back into IN_DIR.
        if not is_inside(os.path.realpath(directory), self.settings.out_root):
            raise InputError(f"{task.target}: its folder leads out of OUT_DIR through a symlink; not written")
        os.makedirs(directory, exist_ok=True)
        return group.add(task.target, text.encode("utf-8"), keep_mode_of=task.source)  # unchanged: a byte copy

    def _stage_in_place(self, task: Task, text: str, result, outcome: Outcome, group: WriteGroup) -> _Staged:
        journal = journal_line(task.rel, content_hash(result.text)).encode("utf-8")
        if not result.changed:
            return _Staged(task, outcome, None, journal=journal)
        backup = None
        if self.settings.backup_suffix:
            path = task.source + self.settings.backup_suffix
            if not os.path.lexists(path):  # an existing backup holds an older original: keep it
                backup = group.add(path, text.encode("utf-8"), keep_mode_of=task.source)
        try:
            output = group.add(task.source, result.text.encode("utf-8"))
        except BaseException:
            if backup is not None:
                group.discard(backup)  # the file fails whole: no backup of an original left in place
            raise
        return _Staged(task, outcome, output, backup, journal)


_worker: Worker | None = None


def _start_pool_worker(settings: WorkerSetup) -> None:
    """Pool initializer: signals, parent-death watch, and the engine, once per process."""
    global _worker
    as_worker()  # Ctrl-C and `kill` are the parent's to handle: it stops the pool
    _worker = Worker(settings)


def _restore_in_pool(chunk: list[Task]) -> list[Outcome]:
    return _worker.restore_chunk(chunk)


def _remove_temps(task: Task, settings: WorkerSetup) -> None:
    remove_temps_of(task.target)
    if settings.out_root is None and settings.backup_suffix:
        remove_temps_of(task.source + settings.backup_suffix)


def run_here(tasks: Sequence[Task], settings: WorkerSetup, on_outcome: Callable[[Outcome], None]) -> None:
    """``--jobs 1``: restore in this process, in chunks as the pool does (one durability barrier each)."""
    worker = Worker(settings)
    try:
        for start in range(0, len(tasks), MAX_CHUNK):
            chunk = tasks[start:start + MAX_CHUNK]
            try:
                outcomes = worker.restore_chunk(chunk)
            except BaseException:
                for task in chunk:  # the write group cleans up too; this is the belt to its braces
                    _remove_temps(task, settings)
                raise
            for outcome in outcomes:
                on_outcome(outcome)
    finally:
        worker.close()


def chunk_size(remaining: int, jobs: int, largest: int = MAX_CHUNK) -> int:
    """How many files to send a worker in one round trip.

    Small files take a few milliseconds each, not much more than a round
    trip, so one file per task would leave workers waiting. Chunks shrink as
    the queue empties, so the workers also finish together.
    """
    return max(1, min(largest, remaining // (jobs * CHUNKS_PER_WORKER)))


def run_pool(tasks: Sequence[Task], settings: WorkerSetup, jobs: int, on_outcome: Callable[[Outcome], None],
             tick: Callable[[], None]) -> None:
    """Restore ``tasks`` in ``jobs`` worker processes.

    On Ctrl-C the pool is terminated at once and the temp files of the
    writes it cut short are removed. If a worker dies (OOM killer, a crash),
    the files it may have been restoring are retried at the end, each one
    alone in a fresh pool, so only the file that kills a worker fails.
    """
    queue = deque(tasks)
    suspects: list[Task] = []
    fruitless = 0
    while queue:
        lost, finished = _pool_pass(queue, settings, jobs, 2 * jobs, MAX_CHUNK, on_outcome, tick)
        suspects += lost
        fruitless = 0 if finished else fruitless + 1
        if fruitless >= 3:
            raise RuntimeError("worker processes die before restoring any file")
    queue = deque(suspects)
    while queue:
        lost, _ = _pool_pass(queue, settings, jobs, 1, 1, on_outcome, tick)
        for task in lost:
            on_outcome(Outcome(task.rel, FAILED, task.size, error=(
                f"{task.source}: the worker process died restoring this file (out of memory or a crash)")))


def _pool_pass(queue: deque, settings: WorkerSetup, jobs: int, window: int, largest: int,
               on_outcome: Callable[[Outcome], None], tick: Callable[[], None]) -> tuple[list[Task], int]:
    """Restore tasks from ``queue``, ``window`` chunks in flight, until it is empty or the pool breaks.

    Returns the tasks that were in flight when the pool broke, and how many
    chunks finished.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(jobs, initializer=_start_pool_worker, initargs=(settings,))
    inflight: dict = {}
    lost: list[Task] = []
    finished = 0
    try:
        while queue or inflight:
            while queue and not lost and len(inflight) < window:
                chunk = [queue.popleft() for _ in range(min(len(queue), chunk_size(len(queue), jobs, largest)))]
                try:
                    inflight[pool.submit(_restore_in_pool, chunk)] = chunk
                except BrokenProcessPool:
                    queue.extendleft(reversed(chunk))
                    break
            if not inflight:
                break
            done, _ = wait(inflight, timeout=TICK, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = inflight.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    lost += chunk
                    continue
                finished += 1
                for outcome in outcomes:
                    on_outcome(outcome)
            tick()
    except BaseException:
        _stop_pool(pool)
        for chunk in inflight.values():
            for task in chunk:
                _remove_temps(task, settings)
        raise
    pool.shutdown(wait=True)
    for task in lost:  # a dead worker leaves the temp files of its unfinished chunk
        _remove_temps(task, settings)
    return lost, finished


def _stop_pool(pool) -> None:
    """Terminate the workers now: cancelling alone would wait for the files in progress."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
