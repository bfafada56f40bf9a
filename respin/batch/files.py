"""A batch run's files: which to restore, where their outputs go, and the paths a run refuses.

- walking IN_DIR: include/exclude globs, symlinks followed only while they
  stay inside IN_DIR (and never in circles);
- leftover temp files of killed runs (``textio.atomic_write`` names them
  ``.NAME.XXXXXXXX.respin-tmp``), removed before a run starts;
- the paths' checks before anything is written (:func:`validate_paths`).

What is already done is :mod:`respin.batch.state`'s.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..errors import UsageError
from ..textio import temp_name_re

DEFAULT_INCLUDE = ("*.txt",)
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
    refuse_overlap(os.path.realpath(in_dir), os.path.realpath(out_dir), UsageError,
                   "OUT_DIR is IN_DIR: use --in-place to rewrite the inputs")


def refuse_overlap(in_root: str, out_root: str, error: type[Exception], same: str) -> None:
    """Raise ``error`` for an OUT_DIR that is IN_DIR (saying ``same``), inside it, or around it."""
    if in_root == out_root:
        raise error(same)
    if is_inside(out_root, in_root):
        raise error("OUT_DIR is inside IN_DIR: the outputs would become inputs of the next run")
    if is_inside(in_root, out_root):
        raise error("IN_DIR is inside OUT_DIR: outputs could overwrite inputs")
