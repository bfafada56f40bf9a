"""A batch run's state: the lock on the tree it writes, and what a re-run may skip.

Resume state, so a re-run redoes exactly what is missing or stale: a
journal ``.respin-batch.jsonl``, keyed by the settings. In OUT_DIR it
records, for each output, the size and modification time its input had
when it was read; in IN_DIR (``--in-place``) the content hash of every
file as respin left it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..config import Config
from ..options import FixOptions
from ..textio import InputError, atomic_write
from .files import JOURNAL_NAME, STATE_NAME, Found


def respin_version() -> str:
    """respin's version, part of every resume key: a new version redoes every file."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("respin")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# --- locking ----------------------------------------------------------------


@contextmanager
def exclusive(directory: str, wait: float = 1.0):
    """Hold an exclusive lock on ``directory`` for the run.

    Two runs writing the same tree would delete each other's temp files. The
    short wait covers worker processes of a just-killed run that are still
    exiting (forked workers share the lock). Where the file system has no
    flock, runs go unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise InputError(f"{directory}: another respin batch is writing here") from None
                time.sleep(0.05)
            except OSError:
                break  # no flock here (e.g. some network file systems)
        yield
    finally:
        os.close(fd)  # releases the lock


# --- resume -----------------------------------------------------------------


def settings_key(config_key: str, references: Sequence[str], version: str) -> str:
    """What an output depends on besides its input: settings, tables, references, respin's version."""
    digest = hashlib.sha256(f"{config_key}\0{version}".encode())
    for text in references:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()[:16]


def content_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def read_signature(size: int, mtime_ns: int) -> str:
    """What an OUT_DIR journal remembers of an input: its size and modification time when read."""
    return f"{size}:{mtime_ns}"


def output_is_done(journal: "Journal", found: Found, output: str) -> bool:
    """Whether ``output`` was made, under the journal's settings, from ``found`` as it is now.

    The journal holds the input's size and modification time from just
    before the worker read it, so an input edited while it was being
    restored (its output is then newer than the edit) no longer matches and
    is redone.
    """
    if journal.expected(found.rel) != read_signature(found.size, found.mtime_ns):
        return False
    try:
        return stat.S_ISREG(os.lstat(output).st_mode)
    except OSError:
        return False


class Journal:
    """Resume state of a run, one JSON line per file, under a first line with the settings key.

    In place (field ``hash``): the hash of each file as respin left it. A
    file is done when its current content hashes to its entry. A worker
    appends the entry *before* it replaces the file, so a kill in between
    leaves an entry that does not match the old content: the file is redone,
    never restored twice.

    In OUT_DIR (field ``read``): the :func:`read_signature` of each input as
    it was read, appended *after* its output is in place, so a kill in
    between only means the file is redone (see :func:`output_is_done`).

    A journal of other settings is discarded (``changed``): every file is redone.
    """

    def __init__(self, path: str, key: str, entries: dict[str, str], field: str = "hash",
                 changed: bool = False) -> None:
        self.path = path
        self.key = key
        self.entries = entries
        self.field = field
        self.changed = changed

    @classmethod
    def open(cls, directory: str, key: str, keep: Iterable[str], field: str = "hash") -> "Journal":
        """Load, keep the entries of files still there, and rewrite it compacted."""
        path = os.path.join(directory, JOURNAL_NAME)
        entries: dict[str, str] = {}
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        same_settings = bool(lines) and _json_line(lines[0]).get("key") == key
        if same_settings:
            for line in lines[1:]:
                item = _json_line(line)  # a line cut short by a kill is skipped
                if isinstance(item.get("path"), str) and isinstance(item.get(field), str):
                    entries[item["path"]] = item[field]
        keep = set(keep)
        entries = {rel: value for rel, value in entries.items() if rel in keep}
        body = [json.dumps({"key": key})] + [journal_line(rel, value, field).rstrip("\n")
                                             for rel, value in sorted(entries.items())]
        atomic_write(path, "\n".join(body) + "\n")
        legacy = os.path.join(directory, STATE_NAME)
        changed = bool(lines) and not same_settings or os.path.lexists(legacy)
        if os.path.lexists(legacy):
            os.unlink(legacy)  # an older version's state: its outputs are not in the journal, so redone
        return cls(path, key, entries, field, changed)

    def expected(self, rel: str) -> str | None:
        return self.entries.get(rel)


def journal_line(rel: str, value: str, field: str = "hash") -> str:
    line = json.dumps({"path": rel, field: value}, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: kept as \udcXX escapes, which load back
        line = json.dumps({"path": rel, field: value})
    return line + "\n"


def _json_line(line: str) -> dict:
    try:
        item = json.loads(line)
    except ValueError:
        return {}
    return item if isinstance(item, dict) else {}


def prepare(options: FixOptions, reference_dir: str | None = None) -> tuple[Config, tuple[str, ...], str]:
    """The run's settings, its reference texts and its resume key; bad tables or references fail here."""
    from ..pipeline import fix, load_engine

    config = options.config
    reference_texts = options.references
    engine = load_engine(config)  # bad tables fail here, before anything is written
    fix("", reference_texts, config)  # and the references are indexed once, here (forked workers inherit it)
    key_parts = reference_texts
    if reference_dir:
        from ..match import pool_signature, prepare_pool

        reference_dir = os.path.abspath(reference_dir)
        prepare_pool(reference_dir)  # indexed once, here (forked workers inherit it)
        key_parts += (pool_signature(reference_dir),)
    key = settings_key(config.cache_key(engine.tables.digest), key_parts, respin_version())
    return config, reference_texts, key
