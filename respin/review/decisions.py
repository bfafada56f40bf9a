"""The review's decisions as a user table (``--save-decisions``), written through :mod:`respin.tableformat`."""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence

from ..records import Entry, Fix, Token
from .session import REJECTED, Session

TABLE_HEADER = (
    "# respin review decisions (wordlists format: spun<TAB>original<TAB>weight[<TAB>context]).\n"
    "# Use with: respin fix --table THIS_FILE. Original \"-\" keeps the spun words where the context holds.\n"
)


def decision_rows(source: str, session: Session) -> list[str]:
    """Table rows for the decisions: accepted/edited → strong rows, rejected → keep rows for that context.

    Accepted pairs carry no context: they confirm the substitution and the
    language model still judges each place. A rejection only says "not
    here", so its keep row is limited to the previous word (the next one at
    the very start of a text).
    """
    from ..tableformat import KEEP, fold, format_row
    from ..tokens import normalize, tokenize

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
    from ..candidates import apply_case

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
    from ..tableformat import parse_row, parse_table, row_identity, row_order
    from ..textio import atomic_write, read_text

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
