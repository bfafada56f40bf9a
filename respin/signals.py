"""Stopping cleanly: SIGTERM and SIGHUP end a run the way Ctrl-C does.

A signal's default action kills the process on the spot: no ``finally``
runs, so worker processes are left running and temp files stay behind.
:func:`handle_stop_signals` turns them into a :class:`Stopped` exception
(a ``KeyboardInterrupt``, so every clean-up path for Ctrl-C serves them too),
and the command layer exits with 128 + the signal's number, as a shell does.
Workers call :func:`die_with_parent` so that even ``kill -9`` of the parent
leaves none of them behind.
"""

from __future__ import annotations

import signal
import sys

STOP_SIGNALS = ("SIGTERM", "SIGHUP")


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise_stopped(signum, frame) -> None:
    raise Stopped(signum)


def handle_stop_signals() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Stopped` in the main thread."""
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:  # not on this platform
            continue
        try:
            signal.signal(number, _raise_stopped)
        except ValueError:  # not the main thread: leave signals alone
            return


def as_worker() -> None:
    """In a worker process: the parent handles Ctrl-C, a signal ends the worker at once,
    and the worker dies with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_DFL)
    die_with_parent()


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies, even by ``kill -9``.

    Without it, orphaned workers wait on their pipe or queue forever.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        pass
