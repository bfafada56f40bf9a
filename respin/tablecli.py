"""What the tables say about a phrase: the library behind ``respin tables show``."""

from __future__ import annotations

from .records import Entry
from .tables import Tables


def describe(phrase: str, tables: Tables) -> list[str]:
    """Lines explaining what the tables say about ``phrase``."""
    from .candidates import apply_case
    from .tokens import normalize

    typed = " ".join(phrase.replace("’", "'").split())
    words = tuple(typed.split())
    if not words:
        return ["(empty phrase)"]
    folded = tuple(normalize(w) for w in words)
    entries = _entries_for(tables, words, folded)
    lines = []
    protected = _protection(tables, folded)
    if protected:
        lines.append(protected)
    if not entries:
        lines.append(f"no table entry for {typed!r}: respin leaves it alone")
    else:
        restoring = [e for e in entries if not e.keeps]
        keeps = [e for e in entries if e.keeps]
        lines.append(f"{typed!r}: {_count(len(restoring), 'entry', 'entries')}"
                     + (f", {_count(len(keeps), 'keep row', 'keep rows')}" if keeps else ""))
        width = max((len(apply_case(e.original, typed)) for e in restoring), default=0)
        for entry in sorted(restoring, key=lambda e: (-e.weight, e.original)):
            proposal = apply_case(entry.original, typed)
            lines.append(f"  → {proposal:<{width}}  weight {entry.weight:.3f}  {entry.source or '?'}"
                         f"{_where(entry)}")
        for entry in keeps:
            scope = f"where {' '.join(entry.context)}" if entry.context else "everywhere"
            lines.append(f"  keep ({entry.source or '?'}): vetoes every entry above {scope}")
        if protected.startswith("protected:") and restoring:
            lines.append("  (but the phrase is protected, so none of these is ever proposed)")
    longer = _longer_phrases(tables, folded)
    if longer:
        lines.append(f"longer phrases that win where they match: {', '.join(repr(p) for p in longer[:5])}"
                     + (f" and {len(longer) - 5} more" if len(longer) > 5 else ""))
    return lines


def _entries_for(tables: Tables, words: tuple[str, ...], folded: tuple[str, ...]) -> list[Entry]:
    found: list[Entry] = []
    for phrase, entries in tables.lookup(folded[0]):
        for entry in entries:
            exact = "case=exact" in entry.context
            if phrase == (words if exact else folded):
                found.append(entry)
    return found


def _protection(tables: Tables, folded: tuple[str, ...]) -> str:
    """A line saying how protected terms touch the phrase, or ''."""
    inside = []
    for start in range(len(folded)):
        for term in tables.protected.get(folded[start], ()):
            if folded[start : start + len(term)] == term:
                return f"protected: {' '.join(term)!r} is a protected term, so respin never changes this phrase"
    for terms in tables.protected.values():
        for term in terms:
            for start in range(len(term) - len(folded) + 1):
                if term[start : start + len(folded)] == folded:
                    inside.append(" ".join(term))
                    break
    if inside:
        return f"protected inside {', '.join(repr(t) for t in sorted(inside)[:5])}: left alone there"
    return ""


def _longer_phrases(tables: Tables, folded: tuple[str, ...]) -> list[str]:
    return sorted(
        " ".join(phrase)
        for phrase, entries in tables.lookup(folded[0])
        if len(phrase) > len(folded) and tuple(w.lower() for w in phrase[: len(folded)]) == folded
        and any(not e.keeps for e in entries)
    )


def _where(entry: Entry) -> str:
    return f"  only where {' '.join(entry.context)}" if entry.context else ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
