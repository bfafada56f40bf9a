"""The review's state machine: one answer (or none) per fix, a cursor and an undo history.

:class:`Session` holds the answers; :func:`run_session` drives it with
injected key, prompt and display functions, so it is tested without a
terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..records import Fix

ACCEPTED, REJECTED, EDITED = "accepted", "rejected", "edited"


@dataclass(frozen=True)
class Decision:
    verdict: str  # ACCEPTED, REJECTED or EDITED
    text: str  # what the span becomes


class Session:
    """One decision (or none) per fix, a cursor, and an undo history.

    Every occurrence is decided on its own; only :meth:`accept_all` decides
    later occurrences of the same substitution.
    """

    def __init__(self, fixes: Sequence[Fix]) -> None:
        self.fixes = tuple(fixes)
        self.decisions: list[Decision | None] = [None] * len(self.fixes)
        self.skipped: set[int] = set()
        self.position = 0
        self.quit = False
        self._history: list[tuple[int, tuple[int, ...]]] = []  # (position, indices decided there)

    @property
    def done(self) -> bool:
        return self.quit or self.position >= len(self.fixes)

    @property
    def current(self) -> Fix:
        return self.fixes[self.position]

    def same_later(self) -> list[int]:
        """Undecided later fixes with the current one's before→after (case-insensitive)."""
        key = _substitution(self.current)
        return [j for j in range(self.position + 1, len(self.fixes))
                if self.decisions[j] is None and _substitution(self.fixes[j]) == key]

    def accept(self) -> None:
        self._record({self.position: Decision(ACCEPTED, self.current.after)})

    def reject(self) -> None:
        self._record({self.position: Decision(REJECTED, self.current.before)})

    def edit(self, text: str) -> None:
        """Replace the span with ``text``; the proposal itself or the spun words count as accept/reject."""
        text = " ".join(text.split())
        if text == self.current.before:
            self.reject()
        elif text == self.current.after:
            self.accept()
        else:
            self._record({self.position: Decision(EDITED, text)})

    def accept_all(self) -> int:
        """Accept this fix and every undecided later one with the same substitution; how many."""
        indices = [self.position, *self.same_later()]
        self._record({j: Decision(ACCEPTED, self.fixes[j].after) for j in indices})
        return len(indices)

    def skip(self) -> None:
        self.skipped.add(self.position)
        self._record({})

    def undo(self) -> bool:
        """Go back to the previous answer and forget it; False when there is none."""
        if not self._history:
            return False
        self.position, indices = self._history.pop()
        for j in indices:
            self.decisions[j] = None
        self.skipped.discard(self.position)
        return True

    def _record(self, decided: dict[int, Decision]) -> None:
        self._history.append((self.position, tuple(decided)))
        for j, decision in decided.items():
            self.decisions[j] = decision
        self.position += 1
        while self.position < len(self.fixes) and self.decisions[self.position] is not None:
            self.position += 1  # already decided by 'a'

    def applied(self) -> list[Fix]:
        """The fixes to write: accepted ones, and edited ones with the user's text."""
        return [fix._replace(after=d.text) for fix, d in zip(self.fixes, self.decisions)
                if d is not None and d.verdict != REJECTED]

    def counts(self) -> dict[str, int]:
        verdicts = [d.verdict for d in self.decisions if d is not None]
        counts = {v: verdicts.count(v) for v in (ACCEPTED, REJECTED, EDITED)}
        counts["skipped"] = len(self.skipped)
        counts["not reviewed"] = len(self.fixes) - len(verdicts) - len(self.skipped)
        return counts


def _substitution(fix: Fix) -> tuple[str, str]:
    return fix.before.lower(), fix.after.lower()


KEY_HELP = "press y, n, e, a, s, u or q"


def run_session(
    session: Session,
    read_key: Callable[[], str],
    ask: Callable[[Fix], str | None],
    show: Callable[[Session], None],
    say: Callable[[str], None],
) -> None:
    """Ask about each fix until the list ends or the user quits.

    ``read_key`` returns one key ("" at end of input, which quits);
    ``ask`` returns the user's replacement, or None when the edit is cancelled.
    """
    from ..signals import Stopped

    fresh = True
    while not session.done:
        try:
            if fresh:
                show(session)
            fresh = True
            key = _key(read_key)
        except Stopped:
            raise
        except KeyboardInterrupt:  # Ctrl-C while the card was drawn, before the terminal went raw
            key = "\x03"
        if key == "\x03":
            confirm_discard(session, read_key, say)
            continue
        key = "q" if key in ("", "\x04") else key.lower()
        fix = session.current
        if key == "y":
            session.accept()
            say("accepted")
        elif key == "n":
            session.reject()
            say("rejected")
        elif key == "e":
            text = ask(fix)
            if text is None or not text.strip():
                say("edit cancelled")
                continue
            position = session.position
            session.edit(text)
            decision = session.decisions[position]
            say(f"{decision.verdict}: {decision.text}")
        elif key == "a":
            count = session.accept_all()
            say(f"accepted {count} × {fix.before} → {fix.after}")
        elif key == "s":
            session.skip()
            say("skipped")
        elif key == "u":
            undone = session.undo()
            say(f"undone: back to fix {session.position + 1}" if undone else "nothing to undo")
            fresh = undone
        elif key == "q":
            session.quit = True
        else:
            say(KEY_HELP)
            fresh = False


def _key(read_key: Callable[[], str]) -> str:
    """One key: Ctrl-C as "\\x03" (sent as a key or as SIGINT), end of input or Ctrl-D as ""."""
    from ..signals import Stopped

    try:
        return read_key()
    except Stopped:  # SIGTERM/SIGHUP: nobody is there to answer a question
        raise
    except KeyboardInterrupt:
        return "\x03"
    except EOFError:  # click.getchar's Ctrl-D
        return ""


def confirm_discard(session: Session, read_key: Callable[[], str], say: Callable[[str], None]) -> None:
    """Ctrl-C: raise KeyboardInterrupt (nothing is written) once the user confirms losing the answers.

    With no answers there is nothing to lose and no question. Otherwise "y"
    or a second Ctrl-C discards; "n", Enter or any other key goes back to
    the current fix, where "q" writes what was answered.
    """
    answered = sum(d is not None for d in session.decisions)
    if not answered:
        raise KeyboardInterrupt
    say(f"Discard {answered} answer{'' if answered == 1 else 's'}? [y/N]")
    if _key(read_key) in ("y", "Y", "\x03"):
        raise KeyboardInterrupt
    say("kept: the review goes on (q writes your answers)")
