"""``respin batch``: restore every text file under a folder, in parallel and safely.

The run: check the paths, load the engine once (validating tables and
references before anything is written), walk IN_DIR and decide what is
already done (``batchplan``), then restore the rest in worker processes that
each load the tables and language model once (``batchworkers``), with a
progress display, a summary and a JSON Lines report. Every file is restored by
:func:`respin.pipeline.fix`, exactly as ``respin fix`` would, and written
atomically, so a crash, Ctrl-C or ``kill -9`` never leaves a partial output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

import click

from . import exitcodes
from .batchplan import (
    TEMP_SUFFIX,
    Journal,
    exclusive,
    is_inside,
    output_is_done,
    output_path,
    remove_leftover_temps,
    remove_temps_of,
    settings_key,
    walk,
)
from .batchworkers import FAILED, FIXED, SKIPPED, TICK, UNCHANGED, Outcome, WorkerSetup, Task, run_here, run_pool
from .options import FixOptions, available_cpus
from .config import Config
from .errors import OutputError, UsageError
from .errors import InputError
from .textio import _new_file_mode

DEFAULT_INCLUDE = ("*.txt",)
PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when stderr is not a terminal


# --- counting, progress, report ------------------------------------------------


class Meter:
    """Counts of a run, for the progress display and the summary."""

    def __init__(self, total_files: int, total_bytes: int) -> None:
        self.total_files = total_files  # files to restore (resumed ones are not)
        self.total_bytes = total_bytes
        self.done_files = 0
        self.done_bytes = 0
        self.restored_bytes = 0  # bytes of files fixed or unchanged
        self.fixes = 0
        self.counts = {FIXED: 0, UNCHANGED: 0, SKIPPED: 0, FAILED: 0}
        self.started = time.monotonic()

    def add(self, outcome: Outcome, planned: bool = True) -> None:
        self.counts[outcome.status] += 1
        self.fixes += outcome.fixes
        if outcome.status in (FIXED, UNCHANGED):
            self.restored_bytes += outcome.size
        if planned:
            self.done_files += 1
            self.done_bytes += outcome.size

    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    def eta(self) -> str:
        if not self.done_bytes:
            return "--:--"
        seconds = (self.total_bytes - self.done_bytes) * self.elapsed() / self.done_bytes
        minutes, seconds = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def files_text(self) -> str:
        return f"{self.done_files}/{self.total_files} files"

    def mb_text(self) -> str:
        return f"{self.done_bytes / 1e6:.1f}/{self.total_bytes / 1e6:.1f} MB"

    def rate_text(self) -> str:
        seconds = self.elapsed()
        return f"{self.done_files / seconds:.1f} files/s, {self.done_bytes / 1e6 / seconds:.2f} MB/s"

    def progress_line(self) -> str:
        return f"respin batch: {self.files_text()}, {self.mb_text()}, {self.rate_text()}, ETA {self.eta()}"

    def summary(self) -> str:
        c = self.counts
        total = sum(c.values())
        seconds = self.elapsed()
        return (
            f"respin batch: {total} files: {c[FIXED]} fixed, {c[UNCHANGED]} unchanged, "
            f"{c[SKIPPED]} skipped (resumed), {c[FAILED]} failed; {self.fixes} fixes applied; "
            f"{self.restored_bytes / 1e6:.2f} MB in {seconds:.1f} s ({self.restored_bytes / 1e6 / seconds:.2f} MB/s)"
        )


class PlainProgress:
    """Not a terminal (a log, a pipe): a progress line every few seconds; ``quiet``: none."""

    def __init__(self, meter: Meter, quiet: bool = False, every: float | None = None) -> None:
        self.meter = meter
        self.quiet = quiet
        self.every = PLAIN_PROGRESS_EVERY if every is None else every
        self._last = time.monotonic()

    def message(self, line: str) -> None:
        click.echo(line, err=True)

    def update(self) -> None:
        now = time.monotonic()
        if not self.quiet and now - self._last >= self.every:
            self._last = now
            click.echo(self.meter.progress_line(), err=True)

    def close(self) -> None:
        pass


class BarProgress:
    """A terminal: a rich progress bar on stderr, with problems printed above it."""

    def __init__(self, meter: Meter) -> None:
        from rich.console import Console  # rich costs start-up time: only here
        from rich.progress import BarColumn, Progress, TextColumn

        self.meter = meter
        self.console = Console(stderr=True)
        fields = ("files", "mb", "rate", "eta")
        # No refresh thread (auto_refresh off): worker processes are forked from a single-threaded parent.
        self.bar = Progress(TextColumn("respin batch"), BarColumn(),
                            *(TextColumn(f"{{task.fields[{name}]}}") for name in fields),
                            console=self.console, auto_refresh=False, transient=True,
                            redirect_stdout=False, redirect_stderr=False)
        self.task = self.bar.add_task("", total=max(meter.total_bytes, 1), **dict.fromkeys(fields, ""))
        self._last = 0.0
        self.bar.start()
        self.update(force=True)

    def message(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def update(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= TICK:
            self._last = now
            m = self.meter
            self.bar.update(self.task, completed=m.done_bytes, files=m.files_text(), mb=m.mb_text(),
                            rate=m.rate_text(), eta=f"ETA {m.eta()}")
            self.bar.refresh()

    def close(self) -> None:
        self.update(force=True)
        self.bar.stop()


class ReportFile:
    """``--report``: JSON Lines written to a temp file, put in place only when the run completes."""

    def __init__(self, path: str) -> None:
        self.path = path
        remove_temps_of(path)  # of a killed run
        directory, name = os.path.split(path)
        try:
            fd, self.temp = tempfile.mkstemp(dir=directory or ".", prefix=f".{name}.", suffix=TEMP_SUFFIX)
        except OSError as exc:
            raise InputError(f"{path}: cannot write the report ({exc.strerror})") from None
        self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, outcome: Outcome) -> None:
        try:
            self.handle.write(outcome.report_line())
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the report ({exc.strerror})") from None

    def commit(self) -> None:
        try:
            self.handle.close()
            os.chmod(self.temp, _new_file_mode())  # mkstemp made it private
            os.replace(self.temp, self.path)
        except OSError as exc:
            self.discard()
            raise InputError(f"{self.path}: cannot write the report ({exc.strerror})") from None

    def discard(self) -> None:
        try:
            self.handle.close()
        except OSError:  # the data it could not flush is thrown away with the file
            pass
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass


# --- the command --------------------------------------------------------------


def validate_paths(in_dir: str, out_dir: str | None, in_place: bool, backup_suffix: str | None, jobs: int | None,
                report: str | None = None) -> None:
    """Refuse a run that cannot work or could overwrite its inputs (raises :class:`UsageError`)."""
    if not os.path.isdir(in_dir):
        raise UsageError(f"{in_dir}: {'not a directory' if os.path.exists(in_dir) else 'no such directory'}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if backup_suffix is not None and not in_place:
        raise UsageError("--backup-suffix only goes with --in-place")
    if backup_suffix is not None and (not backup_suffix or "/" in backup_suffix or os.sep in backup_suffix):
        raise UsageError(f"--backup-suffix {backup_suffix!r}: give a file name ending such as .orig")
    if report is not None and not os.path.isdir(os.path.dirname(report) or "."):
        raise UsageError(f"{report}: its folder does not exist")
    if in_place:
        if out_dir is not None:
            raise UsageError("--in-place rewrites IN_DIR: give no OUT_DIR")
        return
    if out_dir is None:
        raise UsageError("missing OUT_DIR (or use --in-place to rewrite IN_DIR)")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"{out_dir}: not a directory")
    real_in, real_out = os.path.realpath(in_dir), os.path.realpath(out_dir)
    if real_in == real_out:
        raise UsageError("OUT_DIR is IN_DIR: use --in-place to rewrite the inputs")
    if is_inside(real_out, real_in):
        raise UsageError("OUT_DIR is inside IN_DIR: the outputs would become inputs of the next run")
    if is_inside(real_in, real_out):
        raise UsageError("IN_DIR is inside OUT_DIR: outputs could overwrite inputs")


def _respin_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("respin")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


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


def run_batch(in_dir: str, out_dir: str | None, *, includes: Sequence[str] = (), excludes: Sequence[str] = (),
              jobs: int | None = None, force: bool = False, in_place: bool = False,
              backup_suffix: str | None = None, report: str | None = None, quiet: bool = False,
              options: FixOptions | None = None, verbose: bool = False, reference_dir: str | None = None,
              scheduler: str | None = None, adapt: bool = False) -> int:
    """The body of ``respin batch``; returns the exit code.

    With ``scheduler`` (a Dask scheduler's address) the files are restored on
    that cluster (:mod:`respin.batchdask`); everything else is the same.
    """
    options = options or FixOptions()
    cluster = None
    if scheduler:
        from . import batchdask  # dask only for a cluster run

        if reference_dir:
            raise UsageError("--reference-dir works on this machine only; it cannot be used with --scheduler")
        if batchdask.is_remote(in_dir) or batchdask.is_remote(out_dir):
            if adapt:
                raise UsageError("--adapt reads the inputs on this machine: for URLs, learn --unsupervised "
                                 "a profile first and pass it with --table")
            return batchdask.run_remote(
                in_dir, out_dir, scheduler, includes=includes, excludes=excludes, jobs=jobs, force=force,
                in_place=in_place, backup_suffix=backup_suffix, report=report, quiet=quiet, options=options,
                verbose=verbose)
        in_dir, out_dir = batchdask.local_path(in_dir), out_dir and batchdask.local_path(out_dir)
        batchdask.check_jobs(jobs)
    validate_paths(in_dir, out_dir, in_place, backup_suffix, jobs, report)
    if adapt:  # learn the spinner's swaps from the inputs alone, then restore with them as a table
        from .profiles import adapted_profile

        found, _ = walk(in_dir, tuple(includes) or DEFAULT_INCLUDE, tuple(excludes), follow_symlinks=not in_place,
                        skip_suffix=backup_suffix)
        profile, entries, summary = adapted_profile([f.path for f in sorted(found, key=lambda f: f.rel)],
                                                    options.tables, not options.no_builtin_tables)
        options = options.with_tables((profile,))
        if not quiet:
            click.echo(f"respin batch: adapted: learned {entries} entries from {summary.documents} files "
                       f"({summary.words} words): {profile}", err=True)
    config, reference_texts, key = prepare(options, reference_dir)
    if reference_dir:
        reference_dir = os.path.abspath(reference_dir)
    if scheduler:
        cluster = batchdask.connect(scheduler)  # unreachable: exit 2, nothing written
    root = in_dir if in_place else out_dir
    if not in_place:
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out_dir}: cannot create ({exc.strerror})")
    say = (lambda line: None) if quiet else (lambda line: click.echo(line, err=True))

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


def prepare(options: FixOptions, reference_dir: str | None = None) -> tuple[Config, tuple[str, ...], str]:
    """The run's settings, its reference texts and its resume key; bad tables or references fail here."""
    from .pipeline import fix, load_engine

    config = options.config
    reference_texts = options.references
    engine = load_engine(config)  # bad tables fail here, before anything is written
    fix("", reference_texts, config)  # and the references are indexed once, here (forked workers inherit it)
    key_parts = reference_texts
    if reference_dir:
        from .match import pool_signature, prepare_pool

        reference_dir = os.path.abspath(reference_dir)
        prepare_pool(reference_dir)  # indexed once, here (forked workers inherit it)
        key_parts += (pool_signature(reference_dir),)
    key = settings_key(config.cache_key(engine.tables.digest), key_parts, _respin_version())
    return config, reference_texts, key


Runner = Callable[[Sequence[Task], Callable[..., None], Callable[[], None]], None]


def execute(tasks: Sequence[Task], early: Sequence[Outcome], runner: Runner, *, root: str, report: str | None,
            quiet: bool, say: Callable[[str], None]) -> int:
    """Restore ``tasks`` with ``runner(tasks, record, tick)``: progress, report file and summary; the exit code.

    ``early`` are the outcomes known before any restoring (refused, resumed);
    ``root`` is the folder written to, named when a full disk stops the run.
    """
    report_file = ReportFile(report) if report else None
    meter = Meter(len(tasks), sum(t.size for t in tasks))
    progress = BarProgress(meter) if not quiet and sys.stderr.isatty() else PlainProgress(meter, quiet)

    def record(outcome: Outcome, planned: bool = True) -> None:
        if outcome.stop:  # a full disk: every other file would fail the same way
            raise InputError(f"{root}: {outcome.stop}; batch stopped (make room, then run again to resume)")
        meter.add(outcome, planned)
        if report_file:
            report_file.write(outcome)
        if outcome.status == FAILED:
            progress.message(f"respin: failed: {outcome.error}")

    try:
        for outcome in early:
            record(outcome, planned=False)
        runner(tasks, record, progress.update)
    except BaseException as exc:
        progress.close()
        if report_file:
            report_file.discard()
        if isinstance(exc, KeyboardInterrupt):
            say(meter.summary() + " (interrupted; run again to resume)")
        raise
    progress.close()
    if report_file:
        report_file.commit()
    say(meter.summary())
    return exitcodes.CHANGED if meter.counts[FAILED] else exitcodes.OK
