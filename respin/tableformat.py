"""The wordlists table format: the one place that reads and writes it.

A table (documented in ``wordlists/README.md``) is UTF-8 text, one entry a
line, TAB-separated, ``#`` comments and blank lines ignored::

    spun<TAB>original<TAB>weight[<TAB>context]

>>> entry = parse_row("Invoice\\tBill\\t0.7\\tnext=@Cap case=exact", "names.tsv:3")
>>> entry.spun, entry.original, entry.weight, entry.context
('Invoice', 'Bill', 0.7, ('next=@Cap', 'case=exact'))
>>> format_row(entry)
'Invoice\\tBill\\t0.7\\tnext=@Cap case=exact'

Everything that knows the format lives here: parsing and writing a row,
the context grammar, its canonical form and what each key means in a
text, the form in which a spun phrase is matched, the weight's range and
the protected-terms file. The loader (:mod:`respin.tables`), the checker
(:mod:`respin.tablecheck`), ``learn``, ``review``'s decision table, the
build tools and the data tests all use these functions, so a new context
key is a change to this module (``CONTEXT_KEYS``, ``_CONTEXT_RE``,
:func:`context_holds`) and its tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from .errors import TableError
from .records import Entry, Token
from .tokens import normalize

# "src=" constrains nothing: it records which sources proposed a row (the broad channel's).
CONTEXT_KEYS = ("prev", "next", "before", "after", "case", "src")

# One context constraint: the words a neighbour may be (or @Cap, a capital
# letter), the characters the text may show right before or after the
# phrase, or case=exact. Alternatives are separated by "|"; none is empty.
_CONTEXT_RE = re.compile(
    r"(?:prev|next)=(?:@Cap|[^\s|=]+(?:\|[^\s|=]+)*)"
    r"|(?:before|after)=[^\s|]+(?:\|[^\s|]+)*"
    r"|case=exact"
    r"|src=[^\s|=]+"
)

EXACT = "case=exact"
KEEP = "-"  # the original of a keep row


# --- weights -------------------------------------------------------------------


def parse_weight(text: str, what: str = "weight") -> float:
    """A channel probability P(spun | original) in (0, 1]; ``what`` opens the error message.

    >>> parse_weight("0.85")
    0.85
    >>> parse_weight("1.5", "names.tsv:4: weight")
    Traceback (most recent call last):
    ...
    respin.errors.TableError: names.tsv:4: weight 1.5 is outside (0, 1]
    """
    try:
        weight = float(text)
    except ValueError:
        raise TableError(f"{what} {text!r} is not a number") from None
    if not 0.0 < weight <= 1.0:
        raise TableError(f"{what} {weight} is outside (0, 1]")
    return weight


def format_weight(weight: float) -> str:
    """The weight as tables write it: at most three decimals, no trailing zeros.

    >>> format_weight(0.85), format_weight(1.0), format_weight(0.0504)
    ('0.85', '1.0', '0.05')
    """
    text = f"{weight:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


# --- context -------------------------------------------------------------------


def parse_context(text: str, where: str) -> tuple[str, ...]:
    """Validate a context field: ``prev=a|b next=@Cap after=,|; case=exact``."""
    constraints = tuple(text.split())
    for item in constraints:
        if not _CONTEXT_RE.fullmatch(item):
            raise TableError(
                f"{where}: bad context {item!r} (expected prev=…, next=…, before=…, after=…, case=exact or src=…)"
            )
    return constraints


def is_exact(entry: Entry) -> bool:
    """Whether the row's spun phrase is matched exactly as written (``case=exact``)."""
    return EXACT in entry.context


def context_key(context: Sequence[str]) -> tuple[str, ...]:
    """The context in canonical form: ``prev=b|a`` and ``prev=A|b`` constrain the same thing.

    >>> context_key(("next=@Cap", "prev=The|a|the"))
    ('next=@Cap', 'prev=a|the')
    """
    canonical = []
    for item in context:
        key, _, value = item.partition("=")
        if key in ("prev", "next") and value != "@Cap":
            value = "|".join(sorted(set(value.lower().split("|"))))
        canonical.append(f"{key}={value}")
    return tuple(sorted(canonical))


def context_holds(
    context: Sequence[str], text: str, tokens: Sequence[Token], first: int, last: int,
    readings: Callable[[str, int], Iterable[str]] | None = None,
) -> bool:
    """Whether every constraint holds for the phrase of words ``first``..``last`` in ``text``.

    ``readings(key, index)``, when given, names other words the neighbour at
    ``index`` may become ("prev"/"next" then hold for any of them too).
    """
    for constraint in context:
        key, _, value = constraint.partition("=")
        if key in ("case", "src"):  # not constraints: spelling, provenance
            continue
        if key == "after":  # the characters right after the span: "However," is rarely spun
            if not text.startswith(tuple(value.split("|")), tokens[last].end):
                return False
            continue
        if key == "before":
            if not text.endswith(tuple(value.split("|")), 0, tokens[first].start):
                return False
            continue
        neighbour = first - 1 if key == "prev" else last + 1
        if not 0 <= neighbour < len(tokens):
            return False
        word = tokens[neighbour]
        if not neighbour_fits(value, text[word.start : word.end], word.norm) and not (
            readings is not None and any(neighbour_fits(value, r, normalize(r)) for r in readings(key, neighbour))
        ):
            return False
    return True


def neighbour_fits(value: str, word: str, norm: str) -> bool:
    """Whether a neighbouring ``word`` (``norm`` its normalized form) is one a ``prev=``/``next=`` value names."""
    if value == "@Cap":
        return word[:1].isupper()
    return norm in value.lower().split("|")


# --- phrases -------------------------------------------------------------------


def fold(phrase: str) -> str:
    """A phrase as respin matches it case-insensitively: normalized words, single spaces.

    >>> fold("Won’t  Ever")
    "won't ever"
    """
    return " ".join(normalize(phrase).split())


def exact_form(phrase: str) -> str:
    """A phrase as a ``case=exact`` row matches it: as written, straight apostrophes."""
    return " ".join(phrase.replace("’", "'").split())


def spun_form(entry: Entry) -> str:
    """The row's spun phrase as respin matches it (case-insensitively unless ``case=exact``)."""
    return exact_form(entry.spun) if is_exact(entry) else fold(entry.spun)


def sort_key(spun: str) -> str:
    """The order rows should be in: by spun phrase, as respin matches it."""
    return fold(spun)


def row_order(entry: Entry) -> tuple[str, str, str, str]:
    """The full order of a generated table: spun phrase, original (case-insensitively first), context."""
    return sort_key(entry.spun), entry.original.lower(), entry.original, " ".join(entry.context)


def row_identity(entry: Entry) -> tuple[str, str, tuple[str, ...]]:
    """Rows with the same identity say the same thing (only their weights may differ)."""
    return spun_form(entry), entry.original, context_key(entry.context)


def is_self_map(entry: Entry) -> bool:
    """A restoring row whose original is its own spun phrase: it could never be proposed."""
    return not entry.keeps and fold(entry.spun) == fold(entry.original)


T = TypeVar("T")


class SpunIndex(Generic[T]):
    """Restoring rows by the phrase they match: which rows would change an original again.

    A row whose original is in the index forms a chain: ``fix(fix(x))``
    would differ from ``fix(x)``. Each row is indexed with an item of the
    caller's (the row itself, a file:line …) that :meth:`matching` returns.
    """

    def __init__(self, rows: Iterable[tuple[Entry, T]] = ()) -> None:
        self._plain: dict[str, list[T]] = {}
        self._exact: dict[str, list[T]] = {}
        for entry, item in rows:
            self.add(entry, item)

    def add(self, entry: Entry, item: T) -> None:
        if not entry.keeps:
            index = self._exact if is_exact(entry) else self._plain
            index.setdefault(spun_form(entry), []).append(item)

    def matching(self, phrase: str) -> list[T]:
        """The items of the rows that a run would apply to ``phrase`` written in a text."""
        return [*self._plain.get(fold(phrase), ()), *self._exact.get(exact_form(phrase), ())]

    def __contains__(self, phrase: str) -> bool:
        return fold(phrase) in self._plain or exact_form(phrase) in self._exact


# --- rows and files --------------------------------------------------------------


def parse_row(line: str, where: str) -> Entry | None:
    """Parse one table line; ``None`` for comments and blank lines."""
    line = line.rstrip("\r\n")
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    fields = line.split("\t")
    if len(fields) not in (3, 4):
        raise TableError(f"{where}: expected 3 or 4 tab-separated fields, found {len(fields)}")
    spun, original, weight_text = (f.strip() for f in fields[:3])
    if not spun or not original:
        raise TableError(f"{where}: empty spun or original field")
    weight = parse_weight(weight_text, f"{where}: weight")
    context = parse_context(fields[3], where) if len(fields) == 4 else ()
    return Entry(" ".join(spun.split()), " ".join(original.split()), weight, context, where)


def parse_table(text: str, name: str) -> list[Entry]:
    """Parse the text of a table whose rows are cited as ``name:line``."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = parse_row(line, f"{name}:{number}")
        if entry is not None:
            entries.append(entry)
    return entries


def format_row(entry: Entry) -> str:
    """One table line (no newline) for ``entry``; :func:`parse_row` reads it back."""
    fields = [entry.spun, entry.original, format_weight(entry.weight)]
    if entry.context:
        fields.append(" ".join(entry.context))
    return "\t".join(fields)


def parse_protected(text: str) -> list[tuple[str, ...]]:
    """Protected phrases, one per line (``#`` comments), as normalized word tuples.

    >>> parse_protected("# never changed\\nPrime  Minister\\npublic safety  # a real phrase\\n")
    [('prime', 'minister'), ('public', 'safety')]
    """
    phrases = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            phrases.append(tuple(normalize(w) for w in line.split()))
    return phrases
