"""The ``respin`` command line: a thin layer over :func:`respin.fix`.

Each subcommand lives in the module of its stage and is imported only when
it runs, so ``respin fix`` in a shell pipe pays for nothing else.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

import click

from . import exitcodes
from .textio import InputError

# name -> "module:function"; each module is imported only when its command runs.
LAZY_COMMANDS = {
    "batch": "respin.batch:batch_command",
    "check": "respin.check:check_command",
    "diff": "respin.review:diff_command",
    "eval": "respin.evaluate:eval_command",
    "learn": "respin.learn:learn_command",
    "review": "respin.review:review_command",
    "tables": "respin.tablecli:tables_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module_name, attribute = LAZY_COMMANDS[name].split(":")
            try:
                return getattr(importlib.import_module(module_name), attribute)
            except (ImportError, AttributeError):
                return None  # not built yet: click reports "No such command"
        return super().get_command(ctx, name)


def fail(message: str, code: int = exitcodes.USAGE) -> None:
    """Print a one-line error to stderr and exit."""
    click.echo(f"respin: error: {message}", err=True)
    sys.exit(code)


def run_safely(action: Callable[[], int | None], verbose: bool = False) -> None:
    """Run a command body, mapping failures to respin's exit codes."""
    from .tables import TableError

    try:
        code = action()
    except (InputError, TableError) as exc:
        fail(str(exc))
    except OSError as exc:  # a full disk, a read-only folder, a vanished file
        fail(f"{exc.filename or 'respin'}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo("respin: interrupted", err=True)
        sys.exit(exitcodes.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (e.g. "| head"): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(exitcodes.OK)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if verbose:
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose for a traceback)", exitcodes.INTERNAL)
    sys.exit(code or exitcodes.OK)


@click.group(cls=LazyGroup, epilog=exitcodes.HELP)
@click.version_option(package_name="respin")
def main() -> None:
    """Restore synonym-spun articles.

    respin finds words a spinner swapped ("mentioned" for "said", "Japanese
    Europe" for "Eastern Europe") and puts the originals back where a
    language model — and a clean reference article, if you give one —
    says they are clearly better. Everything else stays byte-identical.
    """


def fix_options(function: Callable) -> Callable:
    """Options shared by every command that restores text."""
    options = [
        click.option("--reference", "references", multiple=True, type=click.Path(dir_okay=False),
                     help="A clean article on the same story (repeatable)."),
        click.option("--table", "tables", multiple=True, type=click.Path(dir_okay=False),
                     help="A user table in the wordlists format, layered over the built-in ones (repeatable)."),
        click.option("--threshold", type=float, default=None,
                     help="Margin (log10 odds) a fix must win by; higher is more cautious. [default: 1.0]"),
        click.option("--no-builtin-tables", is_flag=True, help="Use only the tables given with --table."),
        # Read by make_config from the click context, so commands need no extra parameter.
        click.option("--assume-spun", is_flag=True, expose_value=False, callback=_remember,
                     help="Treat the text as spun instead of estimating it per document "
                          "(for short snippets known to be spun; longer texts estimate it well)."),
        click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _remember(ctx: click.Context, param: click.Parameter, value) -> None:
    ctx.meta[f"respin.{param.name}"] = value


def make_config(tables: tuple[str, ...], threshold: float | None, no_builtin_tables: bool):
    """A Config from the options of :func:`fix_options`."""
    from .config import DEFAULT

    config = DEFAULT.with_(tables=tuple(os.path.abspath(t) for t in tables), builtin_tables=not no_builtin_tables)
    if threshold is not None:
        import math

        if not math.isfinite(threshold):
            fail(f"--threshold must be a finite number, not {threshold}")
        config = config.with_(threshold=threshold)
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("respin.assume_spun"):
        config = config.with_(spin_prior=0.0)
    return config


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_references(paths: tuple[str, ...]) -> tuple[str, ...]:
    from .textio import read_text

    return tuple(read_text(p) for p in paths)


@main.command("fix", epilog=exitcodes.HELP)
@click.argument("files", nargs=-1, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to this file (atomically).")
@click.option("--in-place", is_flag=True, help="Overwrite each FILE with its restoration (atomic).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "diff"]), default="text",
              show_default=True, help="text: the restored text; json: text and fixes; diff: a unified diff.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any fix would be made.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a long text (256 kB and more; same result).  [default: CPUs]")
@fix_options
def fix_command(files, output, in_place, output_format, check, jobs, references, tables, threshold,
                no_builtin_tables, verbose):
    """Restore FILE (or stdin, for no FILE or -) and write it to stdout.

    With --format json, prints {"text": ..., "fixes": [{"start", "end",
    "before", "after", "score", ...}]}, offsets being Python str indices
    into the input; one such object per line for several files.
    """
    if output == "-":  # "-o -" is stdout, as "-" is stdin
        output = None

    def run() -> int:
        from .pipeline import fix
        from .render import render_diff, render_json
        from .textio import atomic_write, overwrites_an_input, read_text, write_stdout

        names = list(files) or ["-"]
        if in_place and output:
            fail("--in-place and -o cannot be used together")
        if in_place and "-" in names:
            fail("--in-place needs FILE arguments, not stdin")
        if output and len(names) > 1:
            fail("-o takes one input; use --in-place or 'respin batch' for several")
        if output and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            fail(f"{output}: no such folder to write into")
        if overwrites_an_input(output, names):
            fail(f"{output}: is the input file; use --in-place to overwrite it")
        config = make_config(tables, threshold, no_builtin_tables)
        reference_texts = read_references(references)
        workers = jobs or available_cpus()
        if len(names) == 1 and output_format == "text":
            # Read, restored and written stretch by stretch: flat memory for any size.
            changed = _fix_streaming(names[0], output, in_place, check, reference_texts, config, workers)
            return exitcodes.CHANGED if check and changed else exitcodes.OK
        texts = {name: read_text(name) for name in names}
        # Every file is read and restored before anything is written, so a bad
        # input or a crash on a later file leaves the earlier ones untouched.
        # No output of fix shows near misses: don't build them.
        results = {
            name: fix(text, reference_texts, config, jobs=workers, near_misses=False) for name, text in texts.items()
        }
        changed = any(result.changed for result in results.values())
        for name, result in results.items():
            if check:
                continue
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


def _fix_streaming(name: str, output: str | None, in_place: bool, check: bool, references, config, jobs: int) -> bool:
    """``fix`` of one input to text: the input is read whole before a byte is written. Whether it changed."""
    from .pipeline import fix_stream
    from .textio import atomic_output, read_chunks, write_stdout

    size = os.path.getsize(name) if name != "-" and os.path.isfile(name) else None
    progress = _StretchProgress.start(size)

    def restore(write: Callable[[str], object]) -> bool:
        try:
            return bool(fix_stream(read_chunks(name), write, references, config, jobs, size, progress).applied)
        finally:
            if progress:
                progress.close()

    if check:
        return restore(lambda text: None)
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


def entry() -> None:
    """The console script: run the command, then leave at once.

    Tearing the interpreter down (freeing a 27 MB language model and every
    module) costs ~25 ms of each run in a shell pipe, for nothing: flush the
    output and exit. Tests call ``main`` and never come here.
    """
    try:
        main(prog_name="respin")
        code = exitcodes.OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (exitcodes.OK if exc.code is None else exitcodes.USAGE)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)
