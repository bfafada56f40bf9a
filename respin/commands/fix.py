"""``respin fix``: restore files or stdin to stdout, a file, or in place."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from .. import exitcodes
from ..cli import run_safely
from ..errors import OutputError, UsageError
from ..options import FixOptions, available_cpus
from .options import fix_options, reference_dir_option, warn


@click.command("fix", epilog=exitcodes.HELP)
@click.argument("files", nargs=-1, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to this file (atomically).")
@click.option("--in-place", is_flag=True, help="Overwrite each FILE with its restoration (atomic).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "diff"]), default="text",
              show_default=True, help="text: the restored text; json: text and fixes; diff: a unified diff.")
@click.option("--check", is_flag=True,
              help="Write no file; say which would change and exit 1 if any would (with --format diff or json, "
                   "also print them).")
@click.option("-q", "--quiet", is_flag=True, help="With --check, print no 'would restore' lines.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a long text (256 kB and more; same result).  [default: CPUs]")
@click.option("--jsonl", is_flag=True, help="The input is JSON Lines records: restore --field of each.")
@click.option("--field", default="text", show_default=True, help="With --jsonl: the field to restore.")
@click.option("--fixes-key", default="fixes", show_default=True, help="With --jsonl: the key the fixes go under.")
@reference_dir_option
@fix_options
def fix_command(files, output, in_place, output_format, check, quiet, jobs, jsonl, field, fixes_key,
                options: FixOptions, verbose, reference_dir=None):
    """Restore FILE (or stdin, for no FILE or -) and write it to stdout.

    With --format json, prints {"text": ..., "fixes": [{"start", "end",
    "before", "after", "score", ...}]}, offsets being Python str indices
    into the input; one such object per line for several files.
    """
    if output == "-":  # "-o -" is stdout, as "-" is stdin
        output = None

    def run() -> int:
        from ..markup import for_file
        from ..pipeline import fix
        from ..render import render_diff, render_json
        from ..textio import atomic_write, overwrites_an_input, read_text, write_stdout

        names = list(files) or ["-"]
        if in_place and output:
            raise UsageError("--in-place and -o cannot be used together")
        if in_place and "-" in names:
            raise UsageError("--in-place needs FILE arguments, not stdin")
        if output and len(names) > 1:
            raise UsageError("-o takes one input; use --in-place or 'respin batch' for several")
        if output and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            raise OutputError(f"{output}: no such folder to write into")
        if in_place and output_format != "text":
            raise UsageError(f"--in-place writes the restored text; it cannot be used with --format {output_format}")
        if check and (in_place or output):
            raise UsageError("--check writes nothing; it cannot be used with " + ("--in-place" if in_place else "-o"))
        if overwrites_an_input(output, names):
            raise OutputError(f"{output}: is the input file; use --in-place to overwrite it")
        config = options.config
        reference_texts = options.references
        if jsonl:
            from ..jsonl import fix_records

            if in_place or check or output_format != "text":
                raise UsageError("--jsonl writes records: it takes none of --in-place, --check or --format")
            return fix_records(names, output, field, fixes_key, config, reference_texts, jobs or 1, warn)
        workers = jobs or available_cpus()
        if len(names) == 1 and output_format == "text" and not check and not reference_dir \
                and for_file(config, names[0]).markup in ("text", "auto"):
            # Plain text to text: read, restored and written stretch by stretch, in flat memory.
            _fix_streaming(names[0], output, in_place, reference_texts, for_file(config, names[0]), workers)
            return exitcodes.OK
        texts = {name: read_text(name) for name in names}
        # Every file is read and restored before anything is written, so a bad
        # input or a crash on a later file leaves the earlier ones untouched.
        if reference_dir:
            from ..match import references_for

            references_of = {name: references_for(name, text, reference_texts, reference_dir)
                             for name, text in texts.items()}
        else:
            references_of = dict.fromkeys(texts, reference_texts)
        # No output of fix shows near misses: don't build them.
        results = {
            name: fix(text, references_of[name], for_file(config, name), jobs=workers, near_misses=False)
            for name, text in texts.items()
        }
        changed = any(result.changed for result in results.values())
        if check:
            report_check(results, quiet)
            if output_format == "text":
                return exitcodes.CHANGED if changed else exitcodes.OK
        for name, result in results.items():
            if in_place:
                if result.changed:
                    atomic_write(os.path.realpath(name), result.text)  # through a symlink, not over it
                continue
            if output_format == "json":
                rendered = render_json(result, name if len(names) > 1 else None)
            elif output_format == "diff":
                rendered = render_diff(result, "stdin" if name == "-" else name)
            else:
                rendered = result.text
            if output:
                atomic_write(output, rendered)
            else:
                write_stdout(rendered)
        return exitcodes.CHANGED if check and changed else exitcodes.OK

    run_safely(run, verbose)


def report_check(results: dict, quiet: bool) -> None:
    """``fix --check``'s lines on stderr: each file that would change, then a summary (as black says it)."""
    if quiet:
        return
    would = 0
    for name, result in results.items():
        if result.changed:
            would += 1
            shown = "<stdin>" if name == "-" else name
            count = len(result.fixes)
            click.echo(f"would restore {shown} ({count} fix{'es' if count != 1 else ''})", err=True)
    unchanged = len(results) - would
    click.echo(f"{would} file{'s' if would != 1 else ''} would be restored, "
               f"{unchanged} file{'s' if unchanged != 1 else ''} would be left unchanged.", err=True)


def _fix_streaming(name: str, output: str | None, in_place: bool, references, config, jobs: int) -> bool:
    """``fix`` of one plain-text input to text: the input is read whole before a byte is written.

    Whether it changed. (``--check`` goes the whole-text way: it counts the fixes.)
    """
    from ..pipeline import fix_stream
    from ..textio import atomic_output, read_chunks, write_stdout

    size = os.path.getsize(name) if name != "-" and os.path.isfile(name) else None
    progress = _StretchProgress.start(size)

    def restore(write: Callable[[str], object]) -> bool:
        try:
            return bool(fix_stream(read_chunks(name), write, references, config, jobs, size, progress).applied)
        finally:
            if progress:
                progress.close()

    if in_place or output:
        target = os.path.realpath(name) if in_place else output  # in place: through a symlink, not over it
        with atomic_output(target) as out:
            changed = restore(out.write)
            if in_place and not changed:
                out.cancel()  # an unchanged file is not touched
        return changed
    return restore(write_stdout)


class _StretchProgress:
    """A progress bar on a terminal's stderr while ``fix`` reads and restores a long input."""

    # Inputs smaller than this finish before a bar is worth drawing.
    MIN_BYTES = 4_000_000

    @classmethod
    def start(cls, size: int | None) -> _StretchProgress | None:
        """A bar for an input of ``size`` bytes, or None when stderr is not a terminal or the input is small."""
        if size is None or size < cls.MIN_BYTES or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
            return None
        return cls(size)

    def __init__(self, size: int) -> None:
        from rich.console import Console  # rich costs start-up time: only here
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        # Both passes read the text: the bar runs over twice its size. No
        # refresh thread (auto_refresh off): workers are forked from this process.
        self.bar = Progress(TextColumn("respin fix"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                            TimeRemainingColumn(), console=Console(stderr=True), auto_refresh=False, transient=True)
        self.task = self.bar.add_task("", total=2 * size)
        self.bar.start()

    def __call__(self, characters: int) -> None:
        self.bar.advance(self.task, characters)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.stop()
