"""``respin tables``: look inside the channel model and validate tables.

``show PHRASE`` explains what respin would propose for a phrase and which
table rows say so (:func:`respin.tablecli.describe`); ``check FILE...`` runs
:mod:`respin.tablecheck`.
"""

from __future__ import annotations

import click

from .. import exitcodes
from ..cli import run_safely
from ..options import FixOptions
from ..tablecli import describe
from .options import warn


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
        from ..tables import load_tables

        config = FixOptions(tables=tables, no_builtin_tables=no_builtin_tables, warn=warn).config
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
        from ..tablecheck import ERROR, check_tables
        from ..textio import read_text

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
