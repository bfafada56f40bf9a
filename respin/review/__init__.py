"""Reviewing fixes: ``respin diff`` shows them, ``respin review`` asks about each.

Nobody should publish an automatic restoration unseen. ``diff`` renders the
fixes for a person (or a unified diff for ``patch`` when piped); ``review``
walks through them one at a time, writes only what the user accepted, and
can keep the decisions as a user table so ``fix --table`` honours them.

The review itself is a small state machine (:mod:`.session`) driven with
injected key, prompt and display functions, so it is tested without a
terminal; :mod:`.interact` plugs in ``click.getchar``. :mod:`.card` is what
is shown about each fix, :mod:`.decisions` the decisions table, :mod:`.files`
the reviewed file's checks and writing.
"""

from __future__ import annotations

from .decisions import TABLE_HEADER, decision_rows, save_rows
from .session import ACCEPTED, EDITED, KEY_HELP, REJECTED, Decision, Session, confirm_discard, run_session

__all__ = ["ACCEPTED", "EDITED", "KEY_HELP", "REJECTED", "TABLE_HEADER", "Decision", "Session", "confirm_discard",
           "decision_rows", "run_session", "save_rows"]
