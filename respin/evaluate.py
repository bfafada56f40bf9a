"""``respin eval``: measure a restoration against the original text.

For each (spun, original) pair it runs respin on the spun text and on the
original itself (false changes), and, beside it in the same run, the
*dictionary* baseline: every candidate the tables find gets its
highest-weight original, with no language model and no threshold. The
difference between the two rows is what context scoring adds.

A pairs file is JSON Lines, one object per line::

    {"spun": "spun/a.txt", "orig": "clean/a.txt", "reference": "ref.txt", "name": "a"}

``reference`` (a path or a list of paths) and ``name`` are optional; paths
are relative to the pairs file.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .metrics import Counts, compare
from .textio import InputError, read_text

SYSTEMS = ("respin", "dictionary")


@dataclass(frozen=True)
class Pair:
    """One evaluation case: texts, not paths."""

    name: str
    spun: str
    orig: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """Counts per pair and system, in pair order; totals are their sums."""

    systems: tuple[str, ...]
    pairs: tuple[tuple[str, dict[str, Counts]], ...]

    def total(self, system: str) -> Counts:
        return sum((counts[system] for _, counts in self.pairs), Counts())

    def to_dict(self) -> dict:
        return {
            "systems": list(self.systems),
            "pairs": [{"name": name, **{s: counts[s].to_dict() for s in self.systems}} for name, counts in self.pairs],
            "total": {s: self.total(s).to_dict() for s in self.systems},
        }


def load_pairs(path: str | os.PathLike) -> list[Pair]:
    """Read a pairs file; errors name the file and line."""
    name = os.fspath(path)
    base = Path(name).parent
    pairs = []
    for number, line in enumerate(read_text(name).splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object with 'spun' and 'orig'")
        for key in ("spun", "orig"):
            if not isinstance(record.get(key), str):
                raise InputError(f"{where}: missing or non-string field {key!r}")
        references = record.get("reference", [])
        if isinstance(references, str):
            references = [references]
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            raise InputError(f"{where}: 'reference' must be a path or a list of paths")
        pairs.append(
            Pair(
                name=str(record.get("name") or Path(record["spun"]).stem),
                spun=read_text(base / record["spun"]),
                orig=read_text(base / record["orig"]),
                references=tuple(read_text(base / r) for r in references),
            )
        )
    if not pairs:
        raise InputError(f"{name}: no pairs (expected JSON lines with 'spun' and 'orig')")
    return pairs


def dictionary_restore(text: str, config: Config) -> str:
    """The baseline: the highest-weight original for every candidate, nothing else."""
    from .candidates import find_candidates
    from .records import Fix
    from .pipeline import load_engine
    from .render import apply_fixes
    from .tokens import tokenize

    engine = load_engine(config)
    fixes = []
    for candidate in find_candidates(text, tokenize(text), engine.tables, engine.channel):
        after, entry = max(candidate.originals, key=lambda option: option[1].weight)
        fixes.append(
            Fix(start=candidate.start, end=candidate.end, before=candidate.spun, after=after,
                score=0.0, channel=math.log10(entry.weight), lm=0.0, entry=entry.source)
        )
    return apply_fixes(text, fixes)


def restore(system: str, text: str, references: Sequence[str], config: Config) -> str:
    """The output of ``system`` ("respin" or "dictionary") for ``text``."""
    if system == "dictionary":
        return dictionary_restore(text, config)
    from .pipeline import fix

    return fix(text, references, config).text


def evaluate(pairs: Sequence[Pair], config: Config, systems: Sequence[str] = SYSTEMS) -> Report:
    """Run every system on every pair (and on its original) and count."""
    rows = []
    for pair in pairs:
        counts = {}
        for system in systems:
            output = restore(system, pair.spun, pair.references, config)
            fixed_original = restore(system, pair.orig, pair.references, config)
            counts[system] = compare(pair.orig, pair.spun, output, fixed_original)
        rows.append((pair.name, counts))
    return Report(tuple(systems), tuple(rows))


# --- rendering -------------------------------------------------------------

COLUMNS = ("pair", "system", "words", "damaged", "restored", "broken", "precision", "recall",
           "WER before", "WER after", "err. red.", "false/1k")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table_rows(report: Report) -> list[tuple[str, ...]]:
    """The report as rows of strings: each pair, then the totals."""
    rows = []
    named = [*report.pairs, ("TOTAL", {s: report.total(s) for s in report.systems})]
    for name, counts in named:
        for system in report.systems:
            c = counts[system]
            rows.append((
                name, system, str(c.tokens), str(c.damaged), str(c.restored), str(c.broken),
                _percent(c.precision), _percent(c.recall), _percent(c.wer_before), _percent(c.wer_after),
                _percent(c.error_reduction), "-" if c.false_per_1000 is None else f"{c.false_per_1000:.1f}",
            ))
    return rows


def render_plain(report: Report) -> str:
    """Aligned plain text, for pipes and files."""
    rows = [COLUMNS, *table_rows(report)]
    widths = [max(len(row[k]) for row in rows) for k in range(len(COLUMNS))]
    lines = []
    for row in rows:
        cells = [cell.ljust(w) if k < 2 else cell.rjust(w) for k, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def render_rich(report: Report) -> None:
    """A rich table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="respin eval (rates vs the original; false/1k: changes when fixing the original)")
    for k, column in enumerate(COLUMNS):
        table.add_column(column, justify="left" if k < 2 else "right", style="bold" if k == 0 else None)
    rows = table_rows(report)
    for k, row in enumerate(rows):
        last_of_pair = (k + 1) % len(report.systems) == 0
        table.add_row(*row, end_section=last_of_pair and k + 1 < len(rows))
    Console().print(table)
