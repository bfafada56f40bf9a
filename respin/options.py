"""The options every restoring command shares, and the run they make: its Config and reference texts.

The command layer (:mod:`respin.commands.options`) builds one :class:`FixOptions`
from ``--reference``, ``--table``, ``--threshold``, ``--no-builtin-tables``,
``--assume-spun``, ``--markup`` and ``--channel``; the library reads its
``config`` and ``references``, each built once, on first use — so a usage
error found before them still comes first, as it did.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from functools import cached_property

from .config import DEFAULT, Config
from .errors import UsageError

# How many of a user table's problems to report before summing up the rest.
TABLE_PROBLEMS_SHOWN = 5


class FixOptions:
    """What the shared options say; :attr:`config` and :attr:`references` are built from them once."""

    def __init__(self, reference_paths: Sequence[str] = (), tables: Sequence[str] = (), threshold: float | None = None,
                 no_builtin_tables: bool = False, assume_spun: bool = False, markup: str | None = "auto",
                 channel: str | None = None, warn: Callable[[str], None] | None = None) -> None:
        self.reference_paths = tuple(reference_paths)
        self.tables = tuple(tables)
        self.threshold = threshold
        self.no_builtin_tables = no_builtin_tables
        self.assume_spun = assume_spun
        self.markup = markup
        self.channel = channel
        self.warn = warn  # told what `respin tables check` would find wrong with the user's tables

    def with_tables(self, extra: Sequence[str]) -> FixOptions:
        """These options with more user tables (e.g. a profile learned by ``batch --adapt``)."""
        return FixOptions(self.reference_paths, (*self.tables, *extra), self.threshold, self.no_builtin_tables,
                          self.assume_spun, self.markup, self.channel, self.warn)

    @cached_property
    def config(self) -> Config:
        """The Config of these options; a non-finite threshold is a :class:`UsageError`."""
        config = DEFAULT.with_(tables=tuple(os.path.abspath(t) for t in self.tables),
                               builtin_tables=not self.no_builtin_tables)
        if self.threshold is not None:
            if not math.isfinite(self.threshold):
                raise UsageError(f"--threshold must be a finite number, not {self.threshold}")
            config = config.with_(threshold=self.threshold)
        if self.assume_spun:
            config = config.with_(spin_prior=0.0)
        if self.channel:
            config = config.with_(channel=self.channel)
        if config.tables and self.warn is not None:
            for line in table_warnings(config.tables):
                self.warn(line)
        # Each file's markup is resolved from its name by markup.for_file.
        return config.with_(markup=self.markup or "auto")

    @cached_property
    def references(self) -> tuple[str, ...]:
        """The reference articles' prose."""
        return read_references(self.reference_paths)


def read_references(paths: Sequence[str]) -> tuple[str, ...]:
    """The reference articles' prose: an .html or .md reference is read in its own format."""
    from .markup import markup_for, prose_view
    from .textio import read_text

    return tuple(prose_view(read_text(p), markup_for(p)) for p in paths)


def table_warnings(paths: Sequence[str]) -> list[str]:
    """What ``respin tables check`` would find wrong with the user's tables: they still load,
    but a chain or a cycle makes a second run change the text again."""
    from .tablecheck import check_table_files

    try:
        problems = [p for p in check_table_files(paths) if p.severity == "error" and not p.message.startswith("malformed")]
    except (OSError, UnicodeDecodeError):
        return []  # the table loader reports an unreadable table as the error it is
    lines = [f"respin: warning: {problem}" for problem in problems[:TABLE_PROBLEMS_SHOWN]]
    if len(problems) > TABLE_PROBLEMS_SHOWN:
        lines.append(f"respin: warning: … and {len(problems) - TABLE_PROBLEMS_SHOWN} more; "
                     f"see respin tables check {' '.join(paths)}")
    return lines


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
