"""Settings from a file: ``[tool.respin]`` in ``pyproject.toml``, or ``respin.toml``.

Keys are the long option names of the commands, without dashes in front
(``threshold = 1.5``, ``table = ["my.tsv"]``, ``no-builtin-tables = true``).
Keys at the top apply to every command that has the option; a sub-table
(``[tool.respin.batch]``) to one command only. Precedence, as click applies
it: command-line flags, then ``RESPIN_*`` environment variables, then the
file, then the defaults.

The file is ``--config FILE`` (or ``$RESPIN_CONFIG``) when given; otherwise
the nearest ``respin.toml``, or ``pyproject.toml`` with a ``[tool.respin]``
table, in the current folder or above it, stopping at the top of a
repository (a folder holding ``.git``) — so running respin anywhere in a
project finds the project's settings, as black and ruff do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import UsageError


class SettingsError(UsageError):
    """A settings file that cannot be used; the message names it."""


def find_settings_file(start: Path) -> Path | None:
    """The nearest ``respin.toml`` or ``pyproject.toml`` with ``[tool.respin]`` at or above ``start``."""
    for folder in (start, *start.parents):
        own = folder / "respin.toml"
        if own.is_file():
            return own
        project = folder / "pyproject.toml"
        # Most pyproject.toml files say nothing of respin: a byte search spares parsing them.
        if project.is_file() and b"respin" in _read_bytes(project) and "respin" in _read_toml(project).get("tool", {}):
            return project
        if (folder / ".git").exists():
            return None
    return None


def read_settings(path: Path) -> dict[str, Any]:
    """The respin table of ``path``: all of a ``respin.toml``, ``[tool.respin]`` of a ``pyproject.toml``."""
    data = _read_toml(path)
    table = data.get("tool", {}).get("respin", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.respin] must be a table")
    return table


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read ({exc.strerror})") from None


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(_read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None


def command_defaults(
    table: dict[str, Any], command: str, options: dict[str, str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """click defaults for ``command`` from a settings table, and the keys it does not take.

    ``options`` maps each long option name of the command (``no-builtin-tables``)
    to its parameter name (``no_builtin_tables``). Returns the defaults, the
    top-level keys and sections this command does not take (they may be
    another command's), and the keys of its own section it does not take
    (always a mistake).
    """
    defaults: dict[str, Any] = {}
    elsewhere: list[str] = []
    wrong: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict):
            if key != command:
                elsewhere.append(key)
        elif key in options:
            defaults[options[key]] = value
        else:
            elsewhere.append(key)
    section = table.get(command, {})
    for key, value in section.items() if isinstance(section, dict) else ():
        if key in options:
            defaults[options[key]] = value
        else:
            wrong.append(f"{command}.{key}")
    return defaults, elsewhere, wrong
