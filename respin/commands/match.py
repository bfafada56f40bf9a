"""``respin match`` and ``respin index``: find the clean source of spun pages (:mod:`respin.match`)."""

from __future__ import annotations

import json
import os

import click

from .. import exitcodes
from ..cli import run_safely
from ..errors import OutputError, UsageError


@click.command("match", epilog=exitcodes.HELP)
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--against", "against", multiple=True, type=click.Path(),
              help="A clean document, or a folder of *.txt documents, to search (repeatable).")
@click.option("--index", "index", type=click.Path(),
              help="An index written by 'respin index build' (or a folder, indexed on the fly).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help='json: one {"file", "match", "score", "shared_sentences", ...} per line.')
@click.option("--cut", type=click.FloatRange(0, 1), default=None,
              help="Share of a text's fingerprints its source must hold.  [default: 0.25]")
@click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors.")
def match_command(files, against, index, output_format, cut, verbose):
    """For each spun FILE (or stdin, for -), the clean document it was copied from.

    The pool is searched through the spin: names, numbers and the function
    words around the swapped ones. A FILE whose best candidate holds less
    than --cut of its fingerprints gets no match (null), so a page whose
    source is not in the pool is not paired with another article on the
    same story. Exits 0 when every FILE found its source, 1 when one did
    not, 2 on bad input.
    """

    def run() -> int:
        from ..match import MATCH_CUT, find_source, memory_pool, open_pool
        from ..textio import read_text, write_stdout

        if bool(against) == bool(index):
            raise UsageError("give the pool with --against PATH... or with --index INDEX (one of them)")
        names = list(files) or ["-"]
        texts = [(name, read_text(name)) for name in names]  # every input error before any output
        pool = open_pool(index) if index else memory_pool(against)
        found_all = True
        for name, text in texts:
            found = find_source(text, pool, MATCH_CUT if cut is None else cut)
            found_all &= found.path is not None
            shown = "<stdin>" if name == "-" else name
            if output_format == "json":
                write_stdout(json.dumps(found.to_dict(shown), ensure_ascii=False) + "\n")
            elif found.path is not None:
                write_stdout(f"{shown}: {found.path} (score {found.score:.2f}, "
                             f"{found.shared_sentences} shared sentences)\n")
            else:
                best = f"; best {found.best} at {found.score:.2f}" if found.best else ""
                write_stdout(f"{shown}: no match{best}\n")
        return exitcodes.OK if found_all else exitcodes.CHANGED

    run_safely(run, verbose)


@click.group("index")
def index_command() -> None:
    """Index a pool of clean documents once, for fast 'respin match --index'."""


@index_command.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The index file to write.")
@click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors.")
def index_build_command(paths, output, verbose):
    """Index every *.txt file under each PATH (folders or files) into OUTPUT.

    The index keeps the documents' paths (absolute) and ~8 bytes per
    fingerprint (~150 per article); 'respin match --index OUTPUT' then reads
    the documents it matches from those paths.
    """

    def run() -> int:
        from ..match import build_index

        if not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            raise OutputError(f"{output}: no such folder to write into")
        count = build_index(list(paths), output)
        click.echo(f"respin: indexed {count} documents into {output}", err=True)
        return exitcodes.OK

    run_safely(run, verbose)
