"""``respin tables``: look inside the channel model and validate tables.

``show PHRASE`` explains what respin would propose for a phrase and which
table rows say so; ``check FILE...`` runs :mod:`respin.tablecheck`.
"""

from __future__ import annotations

import click

from . import exitcodes
from .cli import make_config, run_safely
from .records import Entry
from .tables import Tables


@click.group("tables")
def tables_command() -> None:
    """Inspect and validate reverse-synonym tables."""


@tables_command.command("show")
@click.argument("phrase", nargs=-1, required=True)
@click.option("--table", "tables", multiple=True, type=click.Path(dir_okay=False),
              help="A user table layered over the built-in ones (repeatable).")
@click.option("--no-builtin-tables", is_flag=True, help="Use only the tables given with --table.")
@click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors.")
def show_command(phrase, tables, no_builtin_tables, verbose):
    """Show what respin would propose for PHRASE, and which table rows say so.

    Lists every entry for the phrase (original, weight, context, file:line),
    keep rows that veto them, and whether the phrase is a protected term.
    """

    def run() -> int:
        from .tables import load_tables

        config = make_config(tables, None, no_builtin_tables)
        loaded = load_tables(config.tables, config.builtin_tables)
        click.echo("\n".join(describe(" ".join(phrase), loaded)))
        return exitcodes.OK

    run_safely(run, verbose)


@tables_command.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def check_tables_command(files):
    """Validate the tables FILE... (checked together, as respin loads them).

    Errors: malformed rows, a row repeated in a file, a phrase mapped to
    itself, cycles and chains (an original that is also a spun form, so a
    second run would change the text again). Warnings: a row repeated in
    another file, rows out of sorted order. Exit 1 if there is any error.
    """

    def run() -> int:
        from .tablecheck import ERROR, check_tables
        from .textio import read_text

        sources = [(name, read_text(name)) for name in files]  # read everything first: a missing file is a usage error
        problems = check_tables(sources)
        for problem in problems:
            click.echo(str(problem))
        errors = sum(p.severity == ERROR for p in problems)
        warnings = len(problems) - errors
        click.echo(f"respin: {len(files)} table{'s' * (len(files) != 1)}: "
                   f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}", err=True)
        return exitcodes.CHANGED if errors else exitcodes.OK

    run_safely(run)


def describe(phrase: str, tables: Tables) -> list[str]:
    """Lines explaining what the tables say about ``phrase``."""
    from .candidates import apply_case
    from .tokens import normalize

    typed = " ".join(phrase.replace("’", "'").split())
    words = tuple(typed.split())
    if not words:
        return ["(empty phrase)"]
    folded = tuple(normalize(w) for w in words)
    entries = _entries_for(tables, words, folded)
    lines = []
    protected = _protection(tables, folded)
    if protected:
        lines.append(protected)
    if not entries:
        lines.append(f"no table entry for {typed!r}: respin leaves it alone")
    else:
        restoring = [e for e in entries if not e.keeps]
        keeps = [e for e in entries if e.keeps]
        lines.append(f"{typed!r}: {_count(len(restoring), 'entry', 'entries')}"
                     + (f", {_count(len(keeps), 'keep row', 'keep rows')}" if keeps else ""))
        width = max((len(apply_case(e.original, typed)) for e in restoring), default=0)
        for entry in sorted(restoring, key=lambda e: (-e.weight, e.original)):
            proposal = apply_case(entry.original, typed)
            lines.append(f"  → {proposal:<{width}}  weight {entry.weight:.3f}  {entry.source or '?'}"
                         f"{_where(entry)}")
        for entry in keeps:
            scope = f"where {' '.join(entry.context)}" if entry.context else "everywhere"
            lines.append(f"  keep ({entry.source or '?'}): vetoes every entry above {scope}")
        if protected.startswith("protected:") and restoring:
            lines.append("  (but the phrase is protected, so none of these is ever proposed)")
    longer = _longer_phrases(tables, folded)
    if longer:
        lines.append(f"longer phrases that win where they match: {', '.join(repr(p) for p in longer[:5])}"
                     + (f" and {len(longer) - 5} more" if len(longer) > 5 else ""))
    return lines


def _entries_for(tables: Tables, words: tuple[str, ...], folded: tuple[str, ...]) -> list[Entry]:
    found: list[Entry] = []
    for phrase, entries in tables.lookup(folded[0]):
        for entry in entries:
            exact = "case=exact" in entry.context
            if phrase == (words if exact else folded):
                found.append(entry)
    return found


def _protection(tables: Tables, folded: tuple[str, ...]) -> str:
    """A line saying how protected terms touch the phrase, or ''."""
    inside = []
    for start in range(len(folded)):
        for term in tables.protected.get(folded[start], ()):
            if folded[start : start + len(term)] == term:
                return f"protected: {' '.join(term)!r} is a protected term, so respin never changes this phrase"
    for terms in tables.protected.values():
        for term in terms:
            for start in range(len(term) - len(folded) + 1):
                if term[start : start + len(folded)] == folded:
                    inside.append(" ".join(term))
                    break
    if inside:
        return f"protected inside {', '.join(repr(t) for t in sorted(inside)[:5])}: left alone there"
    return ""


def _longer_phrases(tables: Tables, folded: tuple[str, ...]) -> list[str]:
    return sorted(
        " ".join(phrase)
        for phrase, entries in tables.lookup(folded[0])
        if len(phrase) > len(folded) and tuple(w.lower() for w in phrase[: len(folded)]) == folded
        and any(not e.keeps for e in entries)
    )


def _where(entry: Entry) -> str:
    return f"  only where {' '.join(entry.context)}" if entry.context else ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
