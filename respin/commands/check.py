"""``respin check``: say whether each document is spun, clean or uncertain."""

from __future__ import annotations

import json
import sys

import click

from .. import exitcodes
from ..cli import run_safely
from ..detect import (
    CLEAN_VERDICT_DENSITY,
    MIN_SPUN_PHRASES,
    SPUN_VERDICT_DENSITY,
    STRONG_SCORE,
    TOP_PHRASES,
    Cutoffs,
    assess,
    render_summary,
    render_text,
)
from ..errors import UsageError
from ..options import FixOptions
from .options import fix_options


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a verdict and evidence per document; json: one object per document per line.")
@click.option("--spun-density", type=click.FloatRange(min=0), default=SPUN_VERDICT_DENSITY, show_default=True,
              help="Spin density (confident restorations per 1,000 words) at which a document is spun.")
@click.option("--clean-density", type=click.FloatRange(min=0), default=CLEAN_VERDICT_DENSITY, show_default=True,
              help="Spin density below which a document is clean; in between it is uncertain.")
@click.option("--min-phrases", type=click.IntRange(min=1), default=MIN_SPUN_PHRASES, show_default=True,
              help=f"Distinct spun phrases scoring ≥ {STRONG_SCORE:g} a spun document must show.")
@click.option("--top", type=click.IntRange(min=0), default=TOP_PHRASES, show_default=True,
              help="How many spun phrases to show as evidence.")
@click.option("--profile", "profiles", multiple=True, type=click.Path(dir_okay=False),
              help="A spinner profile (a table, e.g. from learn --unsupervised; repeatable): report which of "
                   "these and the built-in tables matches each document best.")
@fix_options
def check_command(files, output_format, spun_density, clean_density, min_phrases, top, profiles,
                  options: FixOptions, verbose):
    """Say whether each FILE (or stdin, for -) is spun, clean or uncertain.

    Per document: the spin density (confident restorations per 1,000
    words), the strongest spun phrases with their scores, and a verdict.
    Exits 1 when any document is spun, 0 otherwise, 2 on bad input — so it
    can gate CI or a pre-commit hook. --threshold is the fix margin, as in
    'respin fix'; the verdict cut-offs have their own options.

    With --profile, each document is also restored with the built-in tables
    alone and with each profile alone, and the one that finds the most spin
    (the highest density) is reported as the profile it matches best.
    """

    def run() -> int:
        from ..markup import for_file
        from ..pipeline import fix
        from ..errors import InputError
        from ..terminal import color_enabled
        from ..textio import read_text, write_stdout

        if clean_density > spun_density:
            raise UsageError(f"--clean-density ({clean_density:g}) cannot exceed --spun-density ({spun_density:g})")
        names = list(files)
        if not names:
            if sys.stdin.isatty():
                raise UsageError("no FILE given (use - to read stdin)")
            names = ["-"]
        config = options.config
        reference_texts = options.references
        if profiles:
            from ..profiles import match_profiles, profile_configs, profiles_json, render_profiles

            candidates = profile_configs(config, profiles)
        cutoffs = Cutoffs(spun_density, clean_density, min_phrases)
        color = output_format == "text" and color_enabled(None, sys.stdout)  # NO_COLOR, TERM=dumb, a terminal
        verdicts = []
        failed = 0
        for name in names:
            shown = "<stdin>" if name == "-" else name
            try:  # a bad file gets its error and the others still get their verdicts, as in batch
                text = read_text(name)
            except InputError as exc:
                failed += 1
                click.echo(f"respin: error: {exc}", err=True)
                if output_format == "json":
                    write_stdout(json.dumps({"file": shown, "verdict": None, "error": str(exc)},
                                            ensure_ascii=False) + "\n")
                continue
            verdict = assess(fix(text, reference_texts, for_file(config, name), near_misses=False), cutoffs, top)
            verdicts.append(verdict)
            matched = match_profiles(text, candidates, reference_texts) if profiles else []
            if output_format == "json":
                extra = {"profile": profiles_json(matched)} if matched else {}
                write_stdout(json.dumps({"file": shown, **verdict.to_dict(), **extra}, ensure_ascii=False) + "\n")
            else:
                write_stdout(render_text(shown, verdict, color) + (render_profiles(matched) if matched else ""))
        if output_format == "text" and len(names) > 1:
            write_stdout(render_summary(verdicts, failed))
        if failed:
            return exitcodes.USAGE  # the worst outcome decides the exit code
        return exitcodes.CHANGED if any(v.spun for v in verdicts) else exitcodes.OK

    run_safely(run, verbose)
