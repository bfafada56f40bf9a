"""A batch run's account: counts, progress on stderr, the summary and the ``--report`` file."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

import click

from .. import exitcodes
from ..textio import TEMP_SUFFIX, InputError, _new_file_mode, remove_temps_of
from .workers import FAILED, FIXED, SKIPPED, TICK, UNCHANGED, Outcome, Task

PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when stderr is not a terminal


def stderr_lines(quiet: bool = False) -> Callable[[str], None]:
    """Where a run says what it does: a line on stderr each, or nowhere when ``quiet``."""
    return (lambda line: None) if quiet else (lambda line: click.echo(line, err=True))


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
