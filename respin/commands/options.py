"""The options several commands share, declared once."""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from ..options import FixOptions

# The shared options' parameter names, gathered into one FixOptions.
_SHARED = ("references", "tables", "threshold", "no_builtin_tables", "assume_spun", "markup", "channel")


def warn(line: str) -> None:
    click.echo(line, err=True)


def fix_options(function: Callable) -> Callable:
    """Options shared by every command that restores text; the command gets them as one ``options`` parameter
    (a :class:`~respin.options.FixOptions`, whose Config and reference texts are built once, when first used),
    and ``verbose``."""

    @functools.wraps(function)
    def command(**params):
        shared = {name: params.pop(name) for name in _SHARED}
        options = FixOptions(shared["references"], shared["tables"], shared["threshold"],
                             shared["no_builtin_tables"], shared["assume_spun"], shared["markup"],
                             shared["channel"], warn=warn)
        return function(options=options, **params)

    declarations = [
        # Plain paths: a folder or an unreadable file is respin's one-line input error, not click's usage text.
        click.option("--reference", "references", multiple=True, type=click.Path(),
                     envvar="RESPIN_REFERENCE", show_envvar=True,
                     help="A clean article on the same story (repeatable)."),
        click.option("--table", "tables", multiple=True, type=click.Path(),
                     envvar="RESPIN_TABLE", show_envvar=True,
                     help="A user table in the wordlists format, layered over the built-in ones (repeatable)."),
        click.option("--threshold", type=float, default=None, envvar="RESPIN_THRESHOLD", show_envvar=True,
                     help="Margin (log10 odds) a fix must win by; higher is more cautious. [default: 1.0]"),
        click.option("--no-builtin-tables", is_flag=True, envvar="RESPIN_NO_BUILTIN_TABLES", show_envvar=True,
                     help="Use only the tables given with --table."),
        click.option("--assume-spun", is_flag=True, envvar="RESPIN_ASSUME_SPUN", show_envvar=True,
                     help="Treat the text as spun instead of estimating it per document "
                          "(for short snippets known to be spun; longer texts estimate it well)."),
        click.option("--markup", type=click.Choice(["auto", "text", "html", "markdown"]), default="auto",
                     help="What the input is; only its prose is restored (auto: by extension, "
                          ".html/.htm and .md/.markdown; stdin is text).  [default: auto]"),
        click.option("--channel", type=click.Choice(["curated", "broad"]), default=None,
                     help="Which candidates: the curated tables only, or also the broad channel's learned "
                          "thesaurus candidates for words the tables lack. [default: curated]"),
        click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors."),
    ]
    for declaration in reversed(declarations):
        command = declaration(command)
    return command


def reference_dir_option(function: Callable) -> Callable:
    """``--reference-dir DIR`` (fix, batch, diff, review): each input's reference found by 'respin match'."""
    return click.option(
        "--reference-dir", "reference_dir", type=click.Path(exists=True),
        help="A folder of clean articles (or an index of one, from 'respin index build'): each input's "
             "reference is the article it was copied from, found there by 'respin match' (none if absent).",
    )(function)
