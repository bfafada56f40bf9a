"""The channel model: reverse-synonym tables from ``wordlists/``.

Format (documented in ``wordlists/README.md``)::

    # comment
    spun<TAB>original<TAB>weight[<TAB>context]

``weight`` is P(spun | original); ``original`` "-" is a keep row (leave the
spun phrase alone where its context holds). Tables are parsed on first use
and only once per process (``load_tables`` is cached).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .records import Entry
from .tokens import normalize

CONTEXT_KEYS = ("prev", "next", "case")


class TableError(Exception):
    """A malformed table row; the message starts with file:line."""


def wordlists_dir() -> Path:
    """Where the built-in tables live: in the wheel, or beside the package in a checkout."""
    installed = Path(__file__).with_name("wordlists")
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "wordlists"


def builtin_table_paths() -> tuple[Path, ...]:
    """Every ``*.tsv`` directly in ``wordlists/`` (``extra/`` and ``src/`` are opt-in)."""
    return tuple(sorted(wordlists_dir().glob("*.tsv")))


def parse_context(text: str, where: str) -> tuple[str, ...]:
    """Validate a context field: ``prev=a|b next=@Cap case=exact``."""
    constraints = tuple(text.split())
    for item in constraints:
        key, _, value = item.partition("=")
        if key not in CONTEXT_KEYS or not value or (key == "case" and value != "exact"):
            raise TableError(f"{where}: bad context {item!r} (expected prev=…, next=… or case=exact)")
    return constraints


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
    try:
        weight = float(weight_text)
    except ValueError:
        raise TableError(f"{where}: weight {weight_text!r} is not a number") from None
    if not 0.0 < weight <= 1.0:
        raise TableError(f"{where}: weight {weight} is outside (0, 1]")
    context = parse_context(fields[3], where) if len(fields) == 4 else ()
    return Entry(" ".join(spun.split()), " ".join(original.split()), weight, context, where)


def read_table(path: str | os.PathLike) -> list[Entry]:
    """Parse a table file; raise :class:`TableError` naming file:line."""
    name = os.fspath(path)
    try:
        lines = Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"{name}: cannot read table ({exc})") from None
    entries = []
    for number, line in enumerate(lines, 1):
        entry = parse_row(line, f"{Path(name).name}:{number}")
        if entry is not None:
            entries.append(entry)
    return entries


def read_protected(path: Path) -> list[tuple[str, ...]]:
    """Protected phrases, one per line, as normalized word tuples."""
    if not path.is_file():
        return []
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            phrases.append(tuple(normalize(w) for w in line.split()))
    return phrases


@dataclass(frozen=True)
class Tables:
    """Entries indexed for matching: first word → [(phrase words, entries)], longest first."""

    index: dict[str, list[tuple[tuple[str, ...], tuple[Entry, ...]]]]
    protected: dict[str, list[tuple[str, ...]]]
    digest: str
    size: int = 0
    spun_forms: frozenset[str] = field(default_factory=frozenset)
    # For matching: first word → ((length, {normalized phrase: entries}), ...), longest first,
    # so a span is found with one dict lookup per phrase length.
    by_length: dict[str, tuple[tuple[int, dict[tuple[str, ...], tuple[Entry, ...]]], ...]] = field(
        default_factory=dict
    )

    def lookup(self, first_word: str) -> list[tuple[tuple[str, ...], tuple[Entry, ...]]]:
        return self.index.get(first_word, [])


def build_tables(entries: list[Entry], protected: list[tuple[str, ...]], digest: str) -> Tables:
    """Index entries by their first (normalized) word, longest phrases first."""
    grouped: dict[tuple[str, ...], list[Entry]] = {}
    for entry in entries:
        words = tuple(entry.spun.translate({0x2019: "'"}).split())
        if "case=exact" not in entry.context:
            words = tuple(normalize(w) for w in words)
        grouped.setdefault(words, []).append(entry)
    index: dict[str, list] = {}
    for words, group in grouped.items():
        index.setdefault(words[0].lower(), []).append((words, tuple(group)))
    for phrases in index.values():
        phrases.sort(key=lambda item: -len(item[0]))
    protected_index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in protected:
        protected_index.setdefault(phrase[0], []).append(phrase)
    forms = frozenset(" ".join(w).lower() for w in grouped)
    lengths: dict[str, dict[int, dict[tuple[str, ...], list[Entry]]]] = {}
    for words, group in grouped.items():
        folded = tuple(normalize(w) for w in words)
        lengths.setdefault(folded[0], {}).setdefault(len(folded), {}).setdefault(folded, []).extend(group)
    by_length = {
        first: tuple(
            (n, {phrase: tuple(group) for phrase, group in phrases.items()})
            for n, phrases in sorted(per_length.items(), reverse=True)
        )
        for first, per_length in lengths.items()
    }
    return Tables(index, protected_index, digest, len(entries), forms, by_length)


@lru_cache(maxsize=8)
def load_tables(extra: tuple[str, ...] = (), builtin: bool = True) -> Tables:
    """Load built-in tables (unless ``builtin`` is false) plus the user's ``extra`` tables."""
    paths: list[Path] = list(builtin_table_paths()) if builtin else []
    paths += [Path(p) for p in extra]
    digest = hashlib.sha256()
    entries: list[Entry] = []
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            raise TableError(f"{path}: cannot read table ({exc.strerror})") from None
        entries += read_table(path)
    protected = read_protected(wordlists_dir() / "protected.txt") if builtin else []
    return build_tables(entries, protected, digest.hexdigest()[:16])
