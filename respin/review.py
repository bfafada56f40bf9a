"""Reviewing fixes: ``respin diff`` shows them, ``respin review`` asks about each.

Nobody should publish an automatic restoration unseen. ``diff`` renders the
fixes for a person (or a unified diff for ``patch`` when piped); ``review``
walks through them one at a time, writes only what the user accepted, and
can keep the decisions as a user table so ``fix --table`` honours them.

The review itself is a small state machine (:class:`Session`) driven by
:func:`run_session` with injected key, prompt and display functions, so it
is tested without a terminal; the commands plug in ``click.getchar``.
"""

from __future__ import annotations

import bisect
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click

from .errors import OutputError, UsageError
from .records import Entry, Fix, Result, Token

ACCEPTED, REJECTED, EDITED = "accepted", "rejected", "edited"

# Sentences longer than this (characters) are cut to a window around the fix.
SENTENCE_WINDOW = 400

TABLE_HEADER = (
    "# respin review decisions (wordlists format: spun<TAB>original<TAB>weight[<TAB>context]).\n"
    "# Use with: respin fix --table THIS_FILE. Original \"-\" keeps the spun words where the context holds.\n"
)


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
    from .signals import Stopped

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
    from .signals import Stopped

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


# --- what the review shows -------------------------------------------------


def sentence_span(text: str, tokens: Sequence[Token], start: int) -> tuple[int, int]:
    """The sentence around offset ``start``, with its opening and closing punctuation."""
    from .tokens import sentences

    starts = [t.start for t in tokens]
    number = tokens[max(0, bisect.bisect_right(starts, start) - 1)].sentence
    words = next(s for s in sentences(tokens) if s[0].sentence == number)
    return _widen(text, words[0].start, words[-1].end)


def _widen(text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin``/``end`` moved out over the punctuation touching them, up to whitespace."""
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def _window(text: str, begin: int, end: int, fix: Fix) -> tuple[int, int]:
    """Cut a long sentence to about ``SENTENCE_WINDOW`` characters around ``fix``, at spaces."""
    if end - begin <= SENTENCE_WINDOW:
        return begin, end
    half = max(0, (SENTENCE_WINDOW - (fix.end - fix.start)) // 2)
    left = max(begin, fix.start - half)
    right = min(end, fix.end + half)
    if left > begin:
        space = text.find(" ", left, fix.start)
        left = space + 1 if space != -1 else left
    if right < end:
        space = text.rfind(" ", fix.end, right)
        right = space if space != -1 else right
    return left, right


class ReferenceSentences:
    """The sentences of the reference articles, matched with rapidfuzz."""

    def __init__(self, texts: Sequence[str]) -> None:
        from .tokens import sentences, tokenize

        self.sentences: list[str] = []
        for text in texts:
            for words in sentences(tokenize(text)):
                begin, end = _widen(text, words[0].start, words[-1].end)
                self.sentences.append(" ".join(text[begin:end].split()))

    def match(self, sentence: str) -> tuple[str, float] | None:
        """The reference sentence that clearly matches ``sentence``, with its score (0–100), or None."""
        from rapidfuzz import utils

        from .reference import clear_match  # the engine's own rule for "the matching sentence"

        best = clear_match(sentence, self.sentences, processor=utils.default_process)
        return (self.sentences[best[0]], best[1]) if best else None


def make_card(session: Session, name: str, source: str, tokens: Sequence[Token],
              result_fixes: Sequence[Fix], references: ReferenceSentences | None):
    """What to show about the current fix."""
    from .render import apply_fixes
    from .terminal import Card, line_column

    fix = session.current
    begin, end = sentence_span(source, tokens, fix.start)
    line, column = line_column(source, fix.start)
    match = None
    if references is not None:
        # The restored sentence is closer to the clean reference than the spun one.
        inside = [f._replace(start=f.start - begin, end=f.end - begin) for f in result_fixes
                  if begin <= f.start and f.end <= end]
        match = references.match(apply_fixes(source[begin:end], inside))
    left, right = _window(source, begin, end, fix)
    sentence, offset, answers = _sentence_as_answered(session, source, left, right)
    return Card(
        name=name, line=line, column=column, number=session.position + 1, total=len(session.fixes),
        sentence=sentence, offset=offset, fix=fix, same_later=len(session.same_later()),
        reference=match[0] if match else None, reference_score=match[1] if match else 0.0, answers=answers,
    )


def _sentence_as_answered(session: Session, source: str, left: int, right: int):
    """``source[left:right]`` as the answers so far leave it, where the current fix starts, and the answered spans.

    An accepted or edited fix reads as its new words, a rejected one as the
    words kept; fixes not answered (skipped, or still to come) as the input.
    The answered spans are ``(start, end, verdict)`` in the returned text.
    """
    pieces: list[str] = []
    answers: list[tuple[int, int, str]] = []
    position, length, offset = left, 0, 0
    for j, (fix, decision) in enumerate(zip(session.fixes, session.decisions)):
        if not (left <= fix.start and fix.end <= right) or (decision is None and j != session.position):
            continue
        pieces.append(source[position : fix.start])
        length += fix.start - position
        if j == session.position:
            offset, words = length, fix.before
        else:
            words = decision.text
            answers.append((length, length + len(words), decision.verdict))
        pieces.append(words)
        length += len(words)
        position = fix.end
    pieces.append(source[position:right])
    return "".join(pieces), offset, tuple(answers)


# --- decisions as a user table ---------------------------------------------


def decision_rows(source: str, session: Session) -> list[str]:
    """Table rows for the decisions: accepted/edited → strong rows, rejected → keep rows for that context.

    Accepted pairs carry no context: they confirm the substitution and the
    language model still judges each place. A rejection only says "not
    here", so its keep row is limited to the previous word (the next one at
    the very start of a text).
    """
    from .tableformat import KEEP, fold, format_row
    from .tokens import normalize, tokenize

    tokens = tokenize(source)
    starts = [t.start for t in tokens]
    rows: list[str] = []
    for fix, decision in zip(session.fixes, session.decisions):
        if decision is None:
            continue
        first, last, spun, text = _core(source, tokens, starts, fix, decision.text)
        phrase = fold(spun)
        if decision.verdict == REJECTED:
            if first > 0:
                context = (f"prev={normalize(_word(source, tokens[first - 1]))}",)
            elif last + 1 < len(tokens):
                context = (f"next={normalize(_word(source, tokens[last + 1]))}",)
            else:
                context = ()
            rows.append(format_row(Entry(phrase, KEEP, 1.0, context)))
        else:
            rows.append(format_row(Entry(phrase, _table_original(spun, text), 1.0)))
    return list(dict.fromkeys(rows))


def _core(source: str, tokens: Sequence[Token], starts: list[int], fix: Fix, text: str) -> tuple[int, int, str, str]:
    """First and last word index, spun text and replacement, without an "a"/"an" the fix re-chose.

    decide widens a fix over a preceding article when the restored word needs
    the other one ("a large" → "an enormous"); the table row is about the word.
    """
    first = bisect.bisect_left(starts, fix.start)
    last = bisect.bisect_left(starts, fix.end) - 1
    articles = ("a", "an")
    article = _word(source, tokens[first]).lower()
    proposed = fix.after.split(None, 1)[0].lower()
    parts = text.split(None, 1)
    if (last > first and article in articles and proposed in articles and proposed != article
            and len(parts) == 2 and parts[0].lower() in articles):
        return first + 1, last, source[tokens[first + 1].start : fix.end], parts[1]
    return first, last, fix.before, text


def _word(source: str, token: Token) -> str:
    return source[token.start : token.end]


def _table_original(spun: str, original: str) -> str:
    """``original`` in lower case when its case only comes from the spun words (sentence start, capitals)."""
    from .candidates import apply_case

    words = spun.split()
    title_phrase = len(words) > 1 and all(w[:1].isupper() for w in words) and not spun.isupper()
    if not title_phrase and apply_case(original.lower(), spun) == original:
        return original.lower()
    return original  # a name or title ("Eastern Europe"): its case is part of the entry


def save_rows(path: str, rows: Sequence[str], heading: str = "") -> int:
    """Append the rows not already in the table at ``path`` (created with a header); how many were new.

    New rows go in as one run, sorted by spun phrase and under a ``heading``
    comment, so ``respin tables check`` finds them in order; a row whose
    phrase, original and context are already there is not repeated.
    """
    from .tableformat import parse_row, parse_table, row_identity, row_order
    from .textio import atomic_write, read_text

    existing = read_text(path) if os.path.exists(path) else TABLE_HEADER
    present = {row_identity(entry) for entry in parse_table(existing, path)}
    new = []
    parsed = [(parse_row(row, "new row"), row) for row in dict.fromkeys(rows)]
    for entry, row in sorted(parsed, key=lambda pair: (row_order(pair[0]), pair[1])):
        key = row_identity(entry)
        if key not in present:
            present.add(key)
            new.append(row)
    if not new:
        return 0
    newline = "\r\n" if "\r\n" in existing else "\n"
    if existing and not existing.endswith("\n"):
        existing += newline
    lines = [f"# {heading}"] if heading else []
    atomic_write(path, existing + newline.join(lines + new) + newline)  # the whole table or nothing
    return len(new)


# --- the commands ------------------------------------------------------------


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def _say(text: str) -> None:
    """Write UI text as UTF-8, after anything click has buffered (prompts)."""
    from .textio import write_stdout

    sys.stdout.flush()
    write_stdout(text)


def _prepare_review(
    file: str, output: str | None, no_backup: bool, decisions_path: str | None
) -> tuple[str, str | None]:
    """Read FILE and refuse, before any question is asked, what could not be written afterwards."""
    from .tables import read_table
    from .textio import overwrites_an_input, read_text

    if file == "-":
        raise UsageError("review needs a FILE: it writes the reviewed text back (or to -o)")
    source = read_text(file)
    if overwrites_an_input(output, [file]):
        raise OutputError(f"{output}: is the input file; leave out -o to review in place")
    backup = None if output or no_backup else file + ".orig"
    if backup and os.path.exists(backup):
        raise OutputError(f"{backup}: a backup already exists; move it away or use --no-backup")
    for target in filter(None, (output, decisions_path)):
        if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
            raise OutputError(f"{target}: its directory does not exist")
    if decisions_path and os.path.exists(decisions_path):
        read_table(decisions_path)  # a broken table fails now, not after the review
    return source, backup


def _interact(session: Session, name: str, result: Result, reference_texts: Sequence[str], threshold: float,
              color: bool | None) -> None:
    """Run the session on the terminal: cards on stdout, keys from click.getchar."""
    from .terminal import color_enabled, render_card
    from .textio import InputError
    from .tokens import tokenize

    tokens = tokenize(result.source)
    index = ReferenceSentences(reference_texts) if reference_texts else None
    use_color = color_enabled(color, sys.stdout)

    def show(s: Session) -> None:
        card = make_card(s, name, result.source, tokens, result.fixes, index)
        _say("\n" + render_card(card, threshold=threshold, color=use_color, width=_width()))

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
            _say("\n")
            return None

    run_session(session, read_key, ask, show, lambda message: _say(f"  → {message}\n"))


def _write_reviewed(file: str, source: str, restored: str, output: str | None, backup: str | None) -> str:
    """Write the reviewed text (to -o, or over FILE after its backup); what was done, for the summary."""
    from .textio import atomic_write, read_text

    if output:
        atomic_write(output, restored)
        return f"wrote {output}"
    if restored == source:
        return f"{file} unchanged"
    if read_text(file) != source:
        raise OutputError(f"{file}: changed on disk during the review; not overwritten")
    if backup:
        atomic_write(backup, source, keep_mode_of=file)
    atomic_write(file, restored)
    return f"wrote {file}" + (f" (backup {backup})" if backup else "")
