"""JSON Lines records — crawl dumps: one field of each record restored.

``respin fix --jsonl --field text`` and ``respin batch IN.jsonl OUT.jsonl
--field text`` read one JSON object per line, restore its ``field`` as a
document (in the run's markup: ``--markup html`` for scraped pages), copy
every other field, add the applied fixes under ``fixes_key`` (offsets into
that field's string) and write the record on the same line number of the
output: order is kept and every input line gives one output line. A line
that is not a JSON object, or not UTF-8, is reported with its line number
and copied through byte for byte; a record without a string ``field`` is
copied through as it is.

The batch form (:mod:`respin.batch.records`) is resumable. Memory does not
grow with the input: records are read, restored and written a window at a
time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

from .config import Config
from .records import Result

FIXED, UNCHANGED, SKIPPED, MALFORMED = "fixed", "unchanged", "skipped", "malformed"

# Records restored per window (times the worker count): enough to keep the
# workers busy, few enough that memory stays flat.
WINDOW = 32


class RecordOutcome(NamedTuple):
    line: bytes  # the output line, with the input's line ending
    status: str
    fixes: int = 0
    problem: str | None = None  # why a line was copied through


def restore_record(line: bytes, field: str, fixes_key: str, restore: Callable[[str], Result]) -> RecordOutcome:
    """One input line (with its line ending) restored: the output line and what happened."""
    body = line.rstrip(b"\r\n")
    ending = line[len(body) :]
    if not body.strip():
        return RecordOutcome(line, SKIPPED)
    try:
        record = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return RecordOutcome(line, MALFORMED, problem="not UTF-8")
    except ValueError as exc:
        return RecordOutcome(line, MALFORMED, problem=f"not valid JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(record, dict):
        return RecordOutcome(line, MALFORMED, problem="not a JSON object")
    value = record.get(field)
    if not isinstance(value, str):
        return RecordOutcome(line, SKIPPED)
    result = restore(value)
    record[field] = result.text
    record[fixes_key] = [fix.to_dict() for fix in result.fixes]
    out = json.dumps(record, ensure_ascii=False).encode("utf-8") + ending
    return RecordOutcome(out, FIXED if result.fixes else UNCHANGED, len(result.fixes))


class Restorer:
    """Restores records with one configuration; picklable, so a worker process can hold it."""

    def __init__(self, field: str, fixes_key: str, config: Config, references: tuple[str, ...]) -> None:
        if field == fixes_key:
            raise ValueError(f"--fixes-key cannot be the restored field {field!r}")
        self.field, self.fixes_key, self.config, self.references = field, fixes_key, config, references

    def __call__(self, line: bytes) -> RecordOutcome:
        from .pipeline import fix

        return restore_record(line, self.field, self.fixes_key,
                              lambda text: fix(text, self.references, self.config, near_misses=False))


def restore_lines(lines: Iterable[bytes], restorer: Restorer, jobs: int = 1) -> Iterator[RecordOutcome]:
    """Every line's outcome, in input order; with ``jobs`` > 1 in that many worker processes."""
    if jobs <= 1:
        for line in lines:
            yield restorer(line)
        return
    import itertools
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(jobs, _init_worker, (restorer,)) as pool:
        iterator = iter(lines)
        while window := list(itertools.islice(iterator, WINDOW * jobs)):
            yield from pool.map(_restore_in_worker, window, chunksize=max(1, len(window) // (4 * jobs)))


_worker_restorer: Restorer | None = None


def _init_worker(restorer: Restorer) -> None:
    from .signals import as_worker

    global _worker_restorer
    _worker_restorer = restorer
    as_worker()  # the parent handles Ctrl-C and `kill` and then ends the pool: a worker just ends


def _restore_in_worker(line: bytes) -> RecordOutcome:
    assert _worker_restorer is not None
    return _worker_restorer(line)


class Tally:
    """Counts of a run, and its one-line summary."""

    def __init__(self) -> None:
        self.counts = {FIXED: 0, UNCHANGED: 0, SKIPPED: 0, MALFORMED: 0}
        self.fixes = 0
        self.resumed = 0

    def add(self, outcome: RecordOutcome) -> None:
        self.counts[outcome.status] += 1
        self.fixes += outcome.fixes

    def summary(self) -> str:
        c = self.counts
        total = sum(c.values()) + self.resumed
        resumed = f", {self.resumed} done before (resumed)" if self.resumed else ""
        return (f"{total} records: {c[FIXED]} fixed, {c[UNCHANGED]} unchanged, {c[SKIPPED]} without the field"
                f"{resumed}, {c[MALFORMED]} malformed; {self.fixes} fixes applied")


def copy_records(source: BinaryIO, sink: BinaryIO, restorer: Restorer, name: str, jobs: int = 1,
                 report: Callable[[str], None] = lambda line: None, skip: int = 0,
                 flush: Callable[[], None] | None = None) -> Tally:
    """Restore the records of ``source`` into ``sink``, after its first ``skip`` lines; report bad lines."""
    tally = Tally()
    lines = iter(source)
    number = 0
    for number, _ in zip(range(1, skip + 1), lines):
        pass
    tally.resumed = number
    for number, outcome in enumerate(restore_lines(lines, restorer, jobs), start=skip + 1):
        sink.write(outcome.line)
        tally.add(outcome)
        if outcome.problem:
            report(f"respin: {name}:{number}: {outcome.problem}; copied unchanged")
        if flush is not None and number % 256 == 0:
            flush()
    return tally


# --- fix --jsonl ------------------------------------------------------------------------------------


def fix_records(names: list[str], output: str | None, field: str, fixes_key: str, config: Config,
                references: tuple[str, ...], jobs: int, report: Callable[[str], None]) -> int:
    """``fix --jsonl``: restore a field of each record of every input, in order, to stdout or -o.

    ``report`` is told of each line that is not a record (copied through as it is).
    """
    import contextlib
    import sys

    from . import exitcodes
    from .errors import InputError, UsageError

    try:
        restorer = Restorer(field, fixes_key, config, references)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    sink = _TempBeside(output) if output else None
    try:
        for name in names:
            if name != "-" and not os.path.isfile(name):
                raise InputError(f"{name}: no such file")
            with open(name, "rb") if name != "-" else contextlib.nullcontext(sys.stdin.buffer) as source:
                copy_records(source, sink.file if sink else sys.stdout.buffer, restorer,
                             "stdin" if name == "-" else name, jobs, report=report)
        if sink:
            sink.commit()
        else:
            sys.stdout.buffer.flush()
    finally:
        if sink:
            sink.discard()
    return exitcodes.OK


class _TempBeside:
    """A temp file beside ``path`` that replaces it on commit, and vanishes otherwise."""

    def __init__(self, path: str) -> None:
        import tempfile

        folder, name = os.path.split(os.path.abspath(path))
        self.path = path
        self.file = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=".respin-tmp", delete=False)

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.file.name, self.path)

    def discard(self) -> None:
        self.file.close()
        if os.path.exists(self.file.name):
            os.unlink(self.file.name)
