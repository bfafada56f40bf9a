"""Planning a batch run: which files to restore, and which are already done.

Three concerns of ``respin batch`` that touch the file system but restore
nothing:

- walking IN_DIR: include/exclude globs, symlinks followed only while they
  stay inside IN_DIR (and never in circles);
- leftover temp files of killed runs (``textio.atomic_write`` names them
  ``.NAME.XXXXXXXX.respin-tmp``), removed before a run starts;
- resume state, so a re-run redoes exactly what is missing or stale: a
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
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from .textio import TEMP_SUFFIX, InputError, atomic_write, remove_temps_of, temp_name_re

STATE_NAME = ".respin-batch.json"  # the settings file of older versions: removed, never an input
JOURNAL_NAME = ".respin-batch.jsonl"
_TEMP_RE = temp_name_re()


@dataclass(frozen=True, slots=True)
class Found:
    """A file to restore."""

    rel: str  # path relative to IN_DIR, "/"-separated: what reports and messages show
    path: str  # where to read it (IN_DIR as given, joined with rel)
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Refused:
    """Something the walk met and will not process, with the reason."""

    rel: str
    path: str
    reason: str


def is_inside(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it (both already resolved)."""
    return os.path.commonpath([path, root]) == root


def matches(rel: str, patterns: Iterable[str]) -> bool:
    """A glob without "/" matches the file name; with "/", the relative path."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatchcase(rel if "/" in pattern else name, pattern) for pattern in patterns)


def is_temp_name(name: str) -> bool:
    return _TEMP_RE.fullmatch(name) is not None


def is_own_file(name: str) -> bool:
    """Files batch itself keeps in a tree; never inputs."""
    return name in (STATE_NAME, JOURNAL_NAME) or is_temp_name(name)


def walk(
    root: str,
    include: Sequence[str],
    exclude: Sequence[str] = (),
    *,
    follow_symlinks: bool = True,
    skip_suffix: str | None = None,
    ignore: frozenset[str] = frozenset(),
) -> tuple[list[Found], list[Refused]]:
    """Every regular file under ``root`` matching ``include`` and not ``exclude``.

    Symlinks are followed only when ``follow_symlinks`` and their target is
    inside ``root``; one that leaves ``root`` is refused (reported), never
    read. A directory whose real path is one of its own ancestors is a loop
    and is not entered again. ``exclude`` also prunes directories. Files
    whose real path is in ``ignore`` (e.g. the report) and names ending in
    ``skip_suffix`` (backups) are passed over. Results are sorted by path.
    """
    real_root = os.path.realpath(root)
    found: list[Found] = []
    refused: list[Refused] = []
    stack: list[tuple[str, str, tuple[str, ...]]] = [(root, "", (real_root,))]
    while stack:
        directory, prefix, ancestors = stack.pop()
        try:
            with os.scandir(directory) as iterator:
                entries = list(iterator)
        except OSError as exc:
            refused.append(Refused(prefix.rstrip("/") or ".", directory, f"cannot list directory ({exc.strerror})"))
            continue
        for entry in entries:
            rel = prefix + entry.name
            if is_own_file(entry.name) or matches(rel, exclude):
                continue
            if skip_suffix and entry.name.endswith(skip_suffix):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows a symlink
            except OSError as exc:
                refused.append(Refused(rel, entry.path, f"cannot stat ({exc.strerror})"))
                continue
            if not is_dir and not matches(rel, include):
                continue
            real = os.path.realpath(entry.path) if (is_link or is_dir) else ""
            if is_link:
                if not is_inside(real, real_root):
                    refused.append(Refused(rel, entry.path, f"symlink leaves IN_DIR (to {real}); not followed"))
                    continue
                if not follow_symlinks:
                    continue  # in place, a link's target is restored where it lives
            if is_dir:
                if real not in ancestors:  # else a symlink loop
                    stack.append((entry.path, rel + "/", (*ancestors, real)))
                continue
            try:
                info = entry.stat()
            except OSError as exc:
                reason = "dangling symlink" if is_link else f"cannot stat ({exc.strerror})"
                refused.append(Refused(rel, entry.path, reason))
                continue
            if not stat.S_ISREG(info.st_mode):
                refused.append(Refused(rel, entry.path, "not a regular file"))
            elif not ignore or (real or os.path.realpath(entry.path)) not in ignore:
                found.append(Found(rel, entry.path, info.st_size, info.st_mtime_ns))
    found.sort(key=lambda f: f.rel)
    refused.sort(key=lambda r: r.rel)
    return found, refused


def output_path(out_dir: str, rel: str) -> str:
    return os.path.join(out_dir, *rel.split("/"))


# --- temp files -------------------------------------------------------------


def remove_leftover_temps(root: str) -> int:
    """Delete temp files that killed runs left anywhere under ``root``; how many."""
    removed = 0
    for directory, _dirs, files in os.walk(root):  # symlinks not followed
        for name in files:
            if is_temp_name(name):
                try:
                    os.unlink(os.path.join(directory, name))
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed


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
