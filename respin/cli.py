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
from .errors import OutputError, UsageError

# name -> "module:function"; each module is imported only when its command runs.
LAZY_COMMANDS = {
    "batch": "respin.batch:batch_command",
    "check": "respin.detect:check_command",
    "diff": "respin.review:diff_command",
    "eval": "respin.evaluate:eval_command",
    "index": "respin.matchcli:index_command",
    "learn": "respin.learn:learn_command",
    "match": "respin.matchcli:match_command",
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
    from .errors import RespinError
    from .signals import Stopped, handle_stop_signals

    handle_stop_signals()  # `kill` and a closed terminal stop as cleanly as Ctrl-C
    try:
        code = action()
    except RespinError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:  # a full disk, a read-only folder, a vanished file
        fail(f"{exc.filename or 'respin'}: {exc.strerror or exc}")
    except Stopped as exc:
        click.echo(f"respin: stopped by signal {exc.signum}", err=True)
        sys.exit(exc.exit_code)
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


@click.group(cls=LazyGroup, epilog=exitcodes.HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="respin")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="RESPIN_CONFIG", show_envvar=True,
              help="Settings file (TOML). Default: the nearest respin.toml, or pyproject.toml with [tool.respin].")
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """Restore synonym-spun articles.

    respin finds words a spinner swapped ("mentioned" for "said", "Japanese
    Europe" for "Eastern Europe") and puts the originals back where a
    language model — and a clean reference article, if you give one —
    says they are clearly better. Everything else stays byte-identical.

    Settings come from flags, then RESPIN_* environment variables, then the
    settings file, then the defaults.
    """
    if ctx.invoked_subcommand and not ctx.resilient_parsing:
        _apply_settings_file(ctx, ctx.invoked_subcommand, config_file)


def _apply_settings_file(ctx: click.Context, name: str, config_file: str | None) -> None:
    """Make the settings file's values the defaults of the command about to run."""
    from pathlib import Path

    from .settings import SettingsError, command_defaults, find_settings_file, read_settings

    try:
        path = Path(config_file) if config_file else find_settings_file(Path.cwd())
        if path is None:
            return
        if not path.is_file():
            fail(f"{path}: no such settings file")
        table = read_settings(path)
    except SettingsError as exc:
        fail(str(exc))
    command = ctx.command.get_command(ctx, name)
    if command is None:
        return
    options = _long_options(command)
    defaults, elsewhere, wrong = command_defaults(table, name, options)
    if elsewhere:  # another command's key is fine; one no command takes is a typo
        commands = ctx.command.list_commands(ctx)
        known = set(commands)
        for other in commands:
            found = ctx.command.get_command(ctx, other)
            known |= set(_long_options(found)) if found else set()
        wrong += [key for key in elsewhere if key not in known]
    for key in wrong:
        click.echo(f"respin: warning: {path}: unknown key {key!r} (ignored)", err=True)
    params = {param.name: param for param in command.params}
    for key, value in defaults.items():
        param = params[key]
        if param.multiple and isinstance(value, str):
            value = [value]
        if isinstance(param.type, click.Path):  # relative to the settings file, as black does
            values = value if param.multiple else [value]
            values = [str(path.parent / v) if isinstance(v, str) else v for v in values]
            value = values if param.multiple else values[0]
        defaults[key] = value
    ctx.default_map = {name: defaults}


def _long_options(command: click.Command) -> dict[str, str]:
    """``{"no-builtin-tables": "no_builtin_tables", ...}`` for a command's options."""
    return {
        flag[2:]: param.name
        for param in command.params
        if isinstance(param, click.Option)
        for flag in param.opts
        if flag.startswith("--")
    }


def fix_options(function: Callable) -> Callable:
    """Options shared by every command that restores text."""
    options = [
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
        # Read by make_config from the click context, so commands need no extra parameter.
        click.option("--assume-spun", is_flag=True, expose_value=False, callback=_remember,
                     envvar="RESPIN_ASSUME_SPUN", show_envvar=True,
                     help="Treat the text as spun instead of estimating it per document "
                          "(for short snippets known to be spun; longer texts estimate it well)."),
        click.option("--markup", type=click.Choice(["auto", "text", "html", "markdown"]), default="auto",
                     expose_value=False, callback=_remember,
                     help="What the input is; only its prose is restored (auto: by extension, "
                          ".html/.htm and .md/.markdown; stdin is text).  [default: auto]"),
        click.option("--channel", type=click.Choice(["curated", "broad"]), default=None, expose_value=False,
                     callback=_remember,
                     help="Which candidates: the curated tables only, or also the broad channel's learned "
                          "thesaurus candidates for words the tables lack. [default: curated]"),
        click.option("--verbose", is_flag=True, help="Show tracebacks for internal errors."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def reference_dir_option(function: Callable) -> Callable:
    """``--reference-dir DIR`` (fix, batch, diff, review): each input's reference found by 'respin match'."""
    return click.option(
        "--reference-dir", "reference_dir", type=click.Path(exists=True),
        help="A folder of clean articles (or an index of one, from 'respin index build'): each input's "
             "reference is the article it was copied from, found there by 'respin match' (none if absent).",
    )(function)


def _remember(ctx: click.Context, param: click.Parameter, value) -> None:
    ctx.meta[f"respin.{param.name}"] = value


def make_config(tables: tuple[str, ...], threshold: float | None, no_builtin_tables: bool):
    """A Config from the options of :func:`fix_options`."""
    from .config import DEFAULT

    config = DEFAULT.with_(tables=tuple(os.path.abspath(t) for t in tables), builtin_tables=not no_builtin_tables)
    if threshold is not None:
        import math

        if not math.isfinite(threshold):
            raise UsageError(f"--threshold must be a finite number, not {threshold}")
        config = config.with_(threshold=threshold)
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("respin.assume_spun"):
        config = config.with_(spin_prior=0.0)
    if context is not None and context.meta.get("respin.channel"):
        config = config.with_(channel=context.meta["respin.channel"])
    if config.tables:
        _warn_about_tables(config.tables)
    # Each file's markup is resolved from its name by markup.for_file.
    return config.with_(markup=(context.meta.get("respin.markup") if context is not None else None) or "auto")


# How many of a user table's problems to print before summing up the rest.
TABLE_PROBLEMS_SHOWN = 5


def _warn_about_tables(paths: tuple[str, ...]) -> None:
    """Say what ``respin tables check`` would find wrong with the user's tables: they still load,
    but a chain or a cycle makes a second run change the text again."""
    from .tablecheck import check_table_files

    try:
        problems = [p for p in check_table_files(paths) if p.severity == "error" and not p.message.startswith("malformed")]
    except (OSError, UnicodeDecodeError):
        return  # the table loader reports an unreadable table as the error it is
    for problem in problems[:TABLE_PROBLEMS_SHOWN]:
        click.echo(f"respin: warning: {problem}", err=True)
    if len(problems) > TABLE_PROBLEMS_SHOWN:
        click.echo(f"respin: warning: … and {len(problems) - TABLE_PROBLEMS_SHOWN} more; "
                   f"see respin tables check {' '.join(paths)}", err=True)


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_references(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The reference articles' prose: an .html or .md reference is read in its own format."""
    from .markup import markup_for, prose_view
    from .textio import read_text

    return tuple(prose_view(read_text(p), markup_for(p)) for p in paths)


@main.command("fix", epilog=exitcodes.HELP)
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
def fix_command(files, output, in_place, output_format, check, quiet, jobs, jsonl, field, fixes_key, references,
                tables, threshold, no_builtin_tables, verbose, reference_dir=None):
    """Restore FILE (or stdin, for no FILE or -) and write it to stdout.

    With --format json, prints {"text": ..., "fixes": [{"start", "end",
    "before", "after", "score", ...}]}, offsets being Python str indices
    into the input; one such object per line for several files.
    """
    if output == "-":  # "-o -" is stdout, as "-" is stdin
        output = None

    def run() -> int:
        from .markup import for_file
        from .pipeline import fix
        from .render import render_diff, render_json
        from .textio import atomic_write, overwrites_an_input, read_text, write_stdout

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
        config = make_config(tables, threshold, no_builtin_tables)
        reference_texts = read_references(references)
        if jsonl:
            from .jsonl import fix_records

            if in_place or check or output_format != "text":
                raise UsageError("--jsonl writes records: it takes none of --in-place, --check or --format")
            return fix_records(names, output, field, fixes_key, config, reference_texts, jobs or 1)
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
            from .matchcli import references_for

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
