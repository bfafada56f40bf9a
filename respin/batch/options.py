"""How ``respin batch`` runs: one record of its own options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class BatchOptions(NamedTuple):
    """How ``respin batch`` runs, besides the restoring options every command shares (:class:`FixOptions`)."""

    includes: Sequence[str] = ()
    excludes: Sequence[str] = ()
    jobs: int | None = None
    force: bool = False
    in_place: bool = False
    backup_suffix: str | None = None
    report: str | None = None
    quiet: bool = False
    verbose: bool = False
    reference_dir: str | None = None
    scheduler: str | None = None
    adapt: bool = False
