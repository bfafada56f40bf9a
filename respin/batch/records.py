"""``respin batch IN.jsonl OUT.jsonl --field F``: a JSON Lines file restored record by record, resumably.

Records are appended to a partial file beside OUT, which is renamed over OUT
only when the last record is written; a re-run with the same settings and
input continues after the last complete line. Each record is restored as
:mod:`respin.jsonl` restores it for ``fix --jsonl``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from ..jsonl import MALFORMED, Restorer, Tally, copy_records
from ..options import FixOptions


def run_records(in_path: str, out_path: str, restorer: Restorer, key: str, *, jobs: int = 1, force: bool = False,
                say: Callable[[str], None] = lambda line: None,
                report: Callable[[str], None] = lambda line: None) -> Tally | None:
    """``respin batch IN.jsonl OUT.jsonl --field F``: restore into OUT, resuming an interrupted run.

    ``key`` names the settings; the input's identity (size, modification
    time) is added to it, so a changed input or setting starts over.
    Returns None when OUT was already complete.
    """
    stat = os.stat(in_path)
    key = f"{key}:{restorer.field}:{restorer.fixes_key}:{stat.st_size}:{stat.st_mtime_ns}"
    folder, name = os.path.split(os.path.abspath(out_path))
    partial = os.path.join(folder, f".{name}.respin-partial")
    state_path = os.path.join(folder, f".{name}.respin-state.json")  # kept: it says OUT is complete
    state = _read_state(state_path)
    if not force and state.get("key") == key and state.get("complete") and os.path.exists(out_path):
        say(f"respin batch: {out_path} is complete (use --force to redo it)")
        return None
    done = _resume_point(partial) if not force and state.get("key") == key else None
    with open(partial, "r+b" if done is not None else "wb") as sink:
        if done is not None:
            sink.truncate(done[1])
            sink.seek(done[1])
            say(f"respin batch: resuming {out_path} after record {done[0]}")
        else:
            _write_state(state_path, {"key": key, "complete": False})

        def flush() -> None:
            sink.flush()
            os.fsync(sink.fileno())

        with open(in_path, "rb") as source:
            skip = done[0] if done else 0
            tally = copy_records(source, sink, restorer, in_path, jobs, report, skip=skip, flush=flush)
        flush()
    os.replace(partial, out_path)
    _write_state(state_path, {"key": key, "complete": True})
    return tally


def _resume_point(partial: str) -> tuple[int, int] | None:
    """(complete lines, their length in bytes) of a partial output, or None if there is none."""
    try:
        with open(partial, "rb") as existing:
            lines = size = 0
            for line in existing:
                if not line.endswith(b"\n"):
                    break  # cut off by an interruption: redone
                lines += 1
                size += len(line)
            return lines, size
    except FileNotFoundError:
        return None


def _read_state(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            state = json.load(file)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_state(path: str, state: dict) -> None:
    from ..textio import atomic_write

    atomic_write(path, json.dumps(state) + "\n")


def run_record_batch(in_path: str, out_path: str | None, field: str, fixes_key: str, *, jobs: int | None,
                     force: bool, quiet: bool, refused: bool, options: FixOptions | None = None) -> int:
    """The body of ``respin batch IN.jsonl OUT.jsonl --field F``; returns the exit code."""
    from .. import exitcodes
    from .report import stderr_lines
    from .state import exclusive, respin_version, settings_key
    from ..options import available_cpus
    from ..errors import InputError, OutputError, UsageError
    from ..pipeline import load_engine

    if refused:
        raise UsageError("--field restores a JSON Lines file on this machine: --in-place, --report, --include, "
                         "--exclude, --backup-suffix, --scheduler and --adapt are for folders")
    if out_path is None:
        raise UsageError("--field needs IN.jsonl and OUT.jsonl")
    if not os.path.isfile(in_path):
        raise InputError(f"{in_path}: not a file (with --field, IN is a JSON Lines file)")
    if os.path.isdir(out_path):
        raise OutputError(f"{out_path}: is a folder (with --field, OUT is the JSON Lines file to write)")
    if os.path.exists(out_path) and os.path.samefile(in_path, out_path):
        raise OutputError(f"{out_path}: is the input file")
    options = options or FixOptions()
    config = options.config
    reference_texts = options.references
    engine = load_engine(config)  # bad tables fail here, before anything is written
    try:
        restorer = Restorer(field, fixes_key, config, reference_texts)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    key = settings_key(config.cache_key(engine.tables.digest), reference_texts, respin_version())
    say = stderr_lines(quiet)
    try:  # the command layer turns `kill` into the same KeyboardInterrupt as Ctrl-C
        with exclusive(os.path.dirname(os.path.abspath(out_path))):  # two runs would append to one partial file
            tally = run_records(in_path, out_path, restorer, key, jobs=jobs or available_cpus(), force=force,
                                say=say, report=stderr_lines())
    except KeyboardInterrupt:
        say("respin batch: interrupted; run again to resume")
        raise
    if tally is None:
        return exitcodes.OK
    say(tally.summary())
    return exitcodes.CHANGED if tally.counts[MALFORMED] else exitcodes.OK
