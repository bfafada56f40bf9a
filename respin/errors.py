"""The errors respin's library raises; only the command layer turns them into exits.

Each is a one-line message a user can act on (it names the file or option
and, where there is one, the remedy) and carries the exit code the command
line ends with. The library never prints or exits: :func:`respin.cli.run_safely`
prints ``respin: error: MESSAGE`` and exits with ``exit_code``.
"""

from __future__ import annotations

from . import exitcodes


class RespinError(Exception):
    """Something the user can fix; ``str(error)`` is the one-line message."""

    exit_code = exitcodes.USAGE


class UsageError(RespinError):
    """Options that do not go together, or a run that could not work as asked."""


class InputError(RespinError):
    """An input that cannot be used: missing, a directory, binary, not UTF-8, malformed."""


class OutputError(RespinError):
    """An output respin must not or cannot write (it would replace an input, it changed meanwhile)."""


class TableError(RespinError):
    """A malformed table or row; the message starts with file[:line]."""
