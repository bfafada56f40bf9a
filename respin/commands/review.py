"""``respin diff`` and ``respin review``: show a file's fixes, or review them one at a time (:mod:`respin.review`)."""

from __future__ import annotations

import datetime
import os
import sys

import click

from .. import exitcodes
from ..cli import run_safely
from ..errors import UsageError
from ..options import FixOptions
from ..review.decisions import decision_rows, save_rows
from ..review.files import prepare_review, write_reviewed
from ..review.interact import interact, say, width
from ..review.session import Session
from .options import fix_options, reference_dir_option


color_option = click.option("--color/--no-color", "color", default=None,
                            help="Colour the output. [default: on a terminal, unless NO_COLOR is set]")


@click.command("diff")
@click.argument("file", type=click.Path(), default="-")
@click.option("--context", "context", type=click.IntRange(min=0), default=0, show_default=True,
              help="Paragraphs to show around each paragraph with fixes.")
@click.option("--side-by-side", is_flag=True,
              help="Show the view with spun and restored paragraphs in two columns (also when piped).")
@click.option("--format", "output_format", type=click.Choice(["auto", "view", "unified"]), default="auto",
              show_default=True, help="view: the rendered view; unified: a diff for patch; auto: view on a terminal.")
@color_option
@reference_dir_option
@fix_options
def diff_command(file, context, side_by_side, output_format, color, options: FixOptions, verbose,
                 reference_dir=None):
    """Show what respin would change in FILE (or stdin).

    On a terminal: the spun words struck through in red, the restoration in
    green with its score, paragraph by paragraph; low-confidence fixes are
    marked "?". Piped, or with --format unified: a unified diff that patch
    applies to give exactly what 'respin fix' writes.
    """

    def run() -> int:
        from ..markup import for_file
        from ..pipeline import fix
        from ..render import render_diff
        from ..textio import read_text, write_stdout

        if side_by_side and output_format == "unified":
            raise UsageError("--side-by-side is a layout of the view; it cannot be combined with --format unified")
        config = options.config
        reference_texts = options.references
        text = read_text(file)
        if reference_dir:
            from ..match import references_for

            reference_texts = references_for(file, text, reference_texts, reference_dir)
        result = fix(text, reference_texts, for_file(config, file))
        name = "stdin" if file == "-" else file
        view = output_format == "view" or side_by_side or (output_format == "auto" and sys.stdout.isatty())
        if not view:
            write_stdout(render_diff(result, name))
            return exitcodes.OK
        from ..terminal import color_enabled, render_view

        write_stdout(render_view(result, name, threshold=config.threshold, context=context,
                                 side_by_side=side_by_side, color=color_enabled(color, sys.stdout), width=width()))
        return exitcodes.OK

    run_safely(run, verbose)


@click.command("review")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the reviewed text here (atomically) instead of over FILE.")
@click.option("--no-backup", is_flag=True, help="When writing over FILE, keep no FILE.orig copy.")
@click.option("--save-decisions", "decisions_path", type=click.Path(dir_okay=False),
              help="Append accepted/rejected pairs to this user table (for 'fix --table').")
@color_option
@reference_dir_option
@fix_options
def review_command(file, output, no_backup, decisions_path, color, options: FixOptions, verbose,
                   reference_dir=None):
    """Review FILE's fixes one at a time and write the accepted ones.

    Keys: y accept · n reject · e edit · a accept the rest of this same
    substitution · s skip · u undo · q quit (keeps the decisions so far).
    Fixes you do not accept stay as they were. The result goes over FILE
    (with a backup FILE.orig) unless -o is given. Ctrl-C asks before
    discarding your answers; confirmed, it writes nothing.
    """

    def run() -> int:
        from ..markup import for_file
        from ..pipeline import fix
        from ..render import apply_fixes

        source, backup = prepare_review(file, output, no_backup, decisions_path)
        config = options.config
        reference_texts = options.references
        if reference_dir:
            from ..match import references_for

            reference_texts = references_for(file, source, reference_texts, reference_dir)
        result = fix(source, reference_texts, for_file(config, file))
        session = Session(result.fixes)
        if session.fixes:
            interact(session, file, result, reference_texts, config.threshold, color)
        else:
            say(f"{file}: no fixes to review\n")
        summary = [", ".join(f"{n} {label}" for label, n in session.counts().items())]
        if decisions_path:
            heading = f"respin review of {os.path.basename(file)}, {datetime.date.today().isoformat()}"
            added = save_rows(decisions_path, decision_rows(source, session), heading)
            summary.append(f"saved {added} new row{'' if added == 1 else 's'} to {decisions_path}")
        summary.append(write_reviewed(file, source, apply_fixes(source, session.applied()), output, backup))
        say("respin review: " + "; ".join(summary) + "\n")
        return exitcodes.OK

    run_safely(run, verbose)
