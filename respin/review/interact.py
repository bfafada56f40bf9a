"""The review on a terminal: cards on stdout, keys from ``click.getchar``, replacements from ``click.prompt``."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence

import click

from ..records import Fix, Result
from .card import ReferenceSentences, make_card
from .session import Session, run_session


def width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def say(text: str) -> None:
    """Write UI text as UTF-8, after anything click has buffered (prompts)."""
    from ..textio import write_stdout

    sys.stdout.flush()
    write_stdout(text)


def interact(session: Session, name: str, result: Result, reference_texts: Sequence[str], threshold: float,
              color: bool | None) -> None:
    """Run the session on the terminal: cards on stdout, keys from click.getchar."""
    from ..terminal import color_enabled, render_card
    from ..textio import InputError
    from ..tokens import tokenize

    tokens = tokenize(result.source)
    index = ReferenceSentences(reference_texts) if reference_texts else None
    use_color = color_enabled(color, sys.stdout)

    def show(s: Session) -> None:
        card = make_card(s, name, result.source, tokens, result.fixes, index)
        say("\n" + render_card(card, threshold=threshold, color=use_color, width=width()))

    def read_key() -> str:
        try:
            return click.getchar()
        except OSError:
            raise InputError("review is interactive and found no terminal; "
                             "use 'respin diff' or 'respin fix' in scripts") from None

    def ask(fix: Fix) -> str | None:
        try:
            return click.prompt("  replacement", default=fix.after, show_default=True)
        except click.exceptions.Abort:  # Ctrl-C or Ctrl-D while typing: back to the card
            say("\n")
            return None

    run_session(session, read_key, ask, show, lambda message: say(f"  → {message}\n"))
