"""The ``respin`` command line: a thin layer over :func:`respin.fix`.

Each subcommand lives in its module of :mod:`respin.commands` and is imported
only when it runs, so ``respin fix`` in a shell pipe pays for nothing else.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

import click

from . import exitcodes

# name -> "module:function"; each module is imported only when its command runs.
LAZY_COMMANDS = {
    "batch": "respin.commands.batch:batch_command",
    "check": "respin.commands.check:check_command",
    "diff": "respin.commands.review:diff_command",
    "eval": "respin.commands.eval:eval_command",
    "fix": "respin.commands.fix:fix_command",
    "index": "respin.commands.match:index_command",
    "learn": "respin.commands.learn:learn_command",
    "match": "respin.commands.match:match_command",
    "review": "respin.commands.review:review_command",
    "tables": "respin.commands.tables:tables_command",
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
