"""``respin batch``: restore every text file under a folder, in parallel and safely.

The run: check the paths, load the engine once (validating tables and
references before anything is written), walk IN_DIR (:mod:`.files`) and
decide what is already done (:mod:`.state`), then restore the rest in worker
processes that each load the tables and language model once (:mod:`.workers`,
or on a Dask cluster :mod:`.cluster`), with a progress display, a summary and
a JSON Lines report (:mod:`.report`). Every file is restored by
:func:`respin.pipeline.fix`, exactly as ``respin fix`` would, and written
atomically, so a crash, Ctrl-C or ``kill -9`` never leaves a partial output.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence

from ..errors import InputError, OutputError, UsageError
from ..options import FixOptions, available_cpus
from .files import DEFAULT_INCLUDE, output_path, remove_leftover_temps, validate_paths, walk
from .options import BatchOptions
from .report import execute, stderr_lines
from .state import Journal, exclusive, output_is_done, prepare
from .workers import FAILED, SKIPPED, Outcome, Task, WorkerSetup, run_here, run_pool

__all__ = ["BatchOptions", "DEFAULT_INCLUDE", "execute", "plan", "prepare", "run_batch", "validate_paths"]


def plan(in_dir: str, out_dir: str | None, key: str, *, includes: Sequence[str], excludes: Sequence[str],
         force: bool, in_place: bool, backup_suffix: str | None, report: str | None,
         say: Callable[[str], None]) -> tuple[list[Task], list[Outcome], str | None]:
    """What to restore: the tasks; the outcomes known already (refused, resumed); the journal workers append to."""
    ignore = frozenset({os.path.realpath(report)}) if report else frozenset()
    found, refused = walk(in_dir, tuple(includes) or DEFAULT_INCLUDE, tuple(excludes),
                          follow_symlinks=not in_place, skip_suffix=backup_suffix, ignore=ignore)
    early = [Outcome(item.rel, FAILED, error=f"{item.path}: {item.reason}") for item in refused]
    root = in_dir if in_place else out_dir
    try:
        journal = Journal.open(root, key, (f.rel for f in found), field="hash" if in_place else "read")
    except OSError as exc:  # a read-only folder: name it, not the journal inside it
        raise InputError(f"{root}: cannot write ({exc.strerror})") from None
    if in_place:
        tasks = [Task(f.rel, f.path, f.path, f.size, None if force else journal.expected(f.rel)) for f in found]
        return tasks, early, journal.path
    if journal.changed and not force:
        say("respin batch: the settings differ from the last run into this OUT_DIR: redoing every file")
    tasks = []
    for f in found:
        target = output_path(out_dir, f.rel)
        if not force and output_is_done(journal, f, target):
            early.append(Outcome(f.rel, SKIPPED, f.size))
        else:
            tasks.append(Task(f.rel, f.path, target, f.size))
    return tasks, early, journal.path


def run_batch(in_dir: str, out_dir: str | None, batch: BatchOptions = BatchOptions(),
              options: FixOptions | None = None) -> int:
    """The body of ``respin batch``; returns the exit code.

    With ``batch.scheduler`` (a Dask scheduler's address) the files are
    restored on that cluster (:mod:`respin.batch.cluster`); everything else is
    the same.
    """
    options = options or FixOptions()
    (includes, excludes, jobs, force, in_place, backup_suffix, report, quiet, verbose, reference_dir, scheduler,
     adapt) = batch
    say = stderr_lines(quiet)
    cluster = None
    if scheduler:
        from . import cluster as on_cluster  # dask only for a cluster run

        if reference_dir:
            raise UsageError("--reference-dir works on this machine only; it cannot be used with --scheduler")
        if on_cluster.is_remote(in_dir) or on_cluster.is_remote(out_dir):
            if adapt:
                raise UsageError("--adapt reads the inputs on this machine: for URLs, learn --unsupervised "
                                 "a profile first and pass it with --table")
            return on_cluster.run_remote(in_dir, out_dir, batch, options)
        in_dir, out_dir = on_cluster.local_path(in_dir), out_dir and on_cluster.local_path(out_dir)
        on_cluster.check_jobs(jobs)
    validate_paths(in_dir, out_dir, in_place, backup_suffix, jobs, report)
    if adapt:  # learn the spinner's swaps from the inputs alone, then restore with them as a table
        from ..profiles import adapted_profile

        found, _ = walk(in_dir, tuple(includes) or DEFAULT_INCLUDE, tuple(excludes), follow_symlinks=not in_place,
                        skip_suffix=backup_suffix)
        profile, entries, summary = adapted_profile([f.path for f in sorted(found, key=lambda f: f.rel)],
                                                    options.tables, not options.no_builtin_tables)
        options = options.with_tables((profile,))
        say(f"respin batch: adapted: learned {entries} entries from {summary.documents} files "
            f"({summary.words} words): {profile}")
    config, reference_texts, key = prepare(options, reference_dir)
    if reference_dir:
        reference_dir = os.path.abspath(reference_dir)
    if scheduler:
        cluster = on_cluster.connect(scheduler)  # unreachable: exit 2, nothing written
    root = in_dir if in_place else out_dir
    if not in_place:
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out_dir}: cannot create ({exc.strerror})")

    with exclusive(root), (cluster or contextlib.nullcontext()):
        removed = remove_leftover_temps(root)
        if removed:
            say(f"respin batch: removed {removed} temp file(s) left by an interrupted run")
        tasks, early, journal = plan(in_dir, out_dir, key, includes=includes, excludes=excludes, force=force,
                                     in_place=in_place, backup_suffix=backup_suffix, report=report, say=say)
        settings = WorkerSetup(config, reference_texts, None if in_place else os.path.realpath(out_dir), backup_suffix,
                               journal, details=report is not None, verbose=verbose, reference_dir=reference_dir)
        if cluster is not None:
            runner = cluster.runner(settings, root, say)
        else:
            def runner(tasks: Sequence[Task], record: Callable[..., None], tick: Callable[[], None]) -> None:
                workers = min(jobs or available_cpus(), len(tasks))
                if workers <= 1:
                    run_here(tasks, settings, lambda o: (record(o), tick()))
                else:
                    run_pool(tasks, settings, workers, record, tick)
        return execute(tasks, early, runner, root=root, report=report, quiet=quiet, say=say)
