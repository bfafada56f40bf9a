"""``respin eval``: measure restorations against their originals."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli import run_safely
from ..errors import UsageError
from ..evaluate import SYSTEMS, Pair, evaluate, load_pairs, render_plain, render_rich
from ..options import FixOptions
from ..textio import read_text
from .options import fix_options


@click.command("eval")
@click.argument("spun", required=False, type=click.Path())
@click.argument("original", required=False, type=click.Path())
@click.option("--pairs", "pairs_file", type=click.Path(),
              help="JSON Lines of {\"spun\", \"orig\", optional \"reference\"} paths, relative to the file.")
@click.option("--baseline", type=click.Choice(["dictionary", "none"]), default="dictionary", show_default=True,
              help="Also run the dictionary replacer (most likely original everywhere, no language model).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table (rich on a terminal); json: every count and rate.")
@fix_options
def eval_command(spun, original, pairs_file, baseline, output_format, options: FixOptions, verbose):
    """Measure how well respin restores SPUN against its ORIGINAL.

    Reports, per pair and in total: damaged words (spun vs original),
    restored, newly broken, precision of respin's edits, recall, word error
    rate before/after and its reduction, and false changes per 1,000 words
    when fixing the original itself. --reference is used for every pair.
    """

    def run() -> int:
        if pairs_file and (spun or original):
            raise UsageError("give SPUN ORIGINAL or --pairs, not both")
        if not pairs_file and not (spun and original):
            raise UsageError("give SPUN and ORIGINAL files, or --pairs FILE")
        config = options.config
        extra = options.references
        if pairs_file:
            pairs = load_pairs(pairs_file)
        else:
            pairs = [Pair(Path(spun).stem, read_text(spun), read_text(original))]
        pairs = [Pair(p.name, p.spun, p.orig, p.references + extra) for p in pairs]
        systems = ("respin",) if baseline == "none" else SYSTEMS
        report = evaluate(pairs, config, systems)
        if output_format == "json":
            click.echo(json.dumps(report.to_dict(), indent=2))
        elif sys.stdout.isatty():
            render_rich(report)
        else:
            click.echo(render_plain(report), nl=False)
        return 0

    run_safely(run, verbose)
