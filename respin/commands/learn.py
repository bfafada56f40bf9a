"""``respin learn``: write a table learned from spun texts (and their originals)."""

from __future__ import annotations

import click

from .. import exitcodes
from ..cli import run_safely
from ..errors import InputError, OutputError, UsageError
from ..learn import learn, render_table, without_chains


@click.command("learn")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the table here (atomically); default stdout.")
@click.option("--min-count", type=click.IntRange(min=1), default=None,
              help="Only keep substitutions seen at least this many times (with --unsupervised: spun words "
                   "occurring at least this often).  [default: 1; 2 with --unsupervised]")
@click.option("--unsupervised", is_flag=True,
              help="Learn from spun texts alone (FILES and folders of *.txt); no originals needed.")
@click.option("--min-score", type=float, default=None,
              help="With --unsupervised: corpus-level log10 odds a substitution needs.  [default: 3]")
@click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors.")
def learn_command(files, output, min_count, unsupervised, min_score, verbose):
    """Learn a table from SPUN ORIGINAL [SPUN ORIGINAL ...] file pairs,
    or with --unsupervised from spun texts alone.

    Aligns each spun text with its original and writes the substitutions
    found inside otherwise matching sentences as a table that `respin fix
    --table` accepts. Reworded sentences, changed numbers and dates, and
    case changes are not learned.

    With --unsupervised, FILES are spun texts or folders of them (*.txt,
    recursively) from one spinner: the substitutions it makes throughout
    are learned without originals (decipherment with the language model),
    and --min-count is the fewest occurrences of a spun word.
    """

    def run() -> int:
        from ..textio import overwrites_an_input, read_text

        if unsupervised:
            return run_unsupervised()
        if min_score is not None:
            raise UsageError("--min-score needs --unsupervised")
        counted = min_count or 1
        if not files or len(files) % 2:
            raise UsageError(f"learn takes SPUN ORIGINAL file pairs; got {len(files)} file{'s' * (len(files) != 1)}")
        if overwrites_an_input(output, files):
            raise OutputError(f"{output}: is one of the inputs; choose another output file")
        texts = [read_text(name) for name in files]  # fail on bad input before writing anything
        names = list(zip(files[::2], files[1::2]))
        learned, stats = learn(list(zip(texts[::2], texts[1::2])), names)
        learned, dropped = without_chains(learned, counted)
        for reason in dropped:
            click.echo(f"respin: dropped a row: {reason}", err=True)
        write(render_table(learned, stats, counted))
        entries = len(learned)
        click.echo(f"respin: learned {entries} entr{'y' if entries == 1 else 'ies'} from "
                   f"{stats.substitutions} substitutions in {stats.matched} of {stats.sentences} sentences"
                   + (f"; dropped {len(dropped)} that would chain" if dropped else ""), err=True)
        return exitcodes.OK

    def run_unsupervised() -> int:
        from ..decipher import Options
        from ..profiles import learn_unsupervised, render_profile, spun_files
        from ..textio import overwrites_an_input, read_text

        if not files:
            raise UsageError("learn --unsupervised takes spun FILES or folders")
        names = spun_files(files)
        if not names:
            raise InputError("no *.txt files in " + ", ".join(files))
        if overwrites_an_input(output, names):
            raise OutputError(f"{output}: is one of the inputs; choose another output file")
        texts = [read_text(name) for name in names]
        options = Options(**({} if min_count is None else {"min_occurrences": min_count}),
                          **({} if min_score is None else {"min_score": min_score}))
        learned, summary = learn_unsupervised(texts, options)
        write(render_profile(learned, summary, options))
        click.echo(f"respin: learned {len(learned)} entr{'y' if len(learned) == 1 else 'ies'} from "
                   f"{summary.documents} spun text(s), {summary.words} words", err=True)
        return exitcodes.OK

    def write(table: str) -> None:
        from ..textio import atomic_write, write_stdout

        if output:
            try:
                atomic_write(output, table)
            except OSError as exc:
                raise OutputError(f"{output}: cannot write ({exc.strerror or exc})") from None
        else:
            write_stdout(table)

    run_safely(run, verbose)
