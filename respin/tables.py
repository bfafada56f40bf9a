"""The channel model: reverse-synonym tables from ``wordlists/``.

Format (documented in ``wordlists/README.md``)::

    # comment
    spun<TAB>original<TAB>weight[<TAB>context]

``weight`` is P(spun | original); ``original`` "-" is a keep row (leave the
spun phrase alone where its context holds). Tables are parsed on first use
and only once per process (``load_tables`` is cached).
"""

from __future__ import annotations

import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .records import Entry
from .tokens import normalize

# "src=" constrains nothing: it records which sources proposed a row (the broad channel's).
CONTEXT_KEYS = ("prev", "next", "before", "after", "case", "src")


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
    """Validate a context field: ``prev=a|b next=@Cap after=,|; case=exact``."""
    constraints = tuple(text.split())
    for item in constraints:
        key, _, value = item.partition("=")
        if key not in CONTEXT_KEYS or not value or (key == "case" and value != "exact"):
            raise TableError(
                f"{where}: bad context {item!r} (expected prev=…, next=…, before=…, after=…, case=exact or src=…)"
            )
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
        text = Path(name).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"{name}: cannot read table ({exc})") from None
    return parse_table(text, Path(name).name)


def parse_table(text: str, name: str) -> list[Entry]:
    """Parse the text of a table whose rows are cited as ``name:line``."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = parse_row(line, f"{name}:{number}")
        if entry is not None:
            entries.append(entry)
    return entries


def parse_protected(text: str) -> list[tuple[str, ...]]:
    """Protected phrases, one per line (``#`` comments), as normalized word tuples."""
    phrases = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            phrases.append(tuple(normalize(w) for w in line.split()))
    return phrases


class Tables(NamedTuple):
    """Entries indexed for matching: first word → [(phrase words, entries)], longest first."""

    index: dict[str, list[tuple[tuple[str, ...], tuple[Entry, ...]]]]
    protected: dict[str, list[tuple[str, ...]]]
    digest: str
    size: int = 0
    spun_forms: frozenset[str] = frozenset()
    # For matching: first word → ((length, {normalized phrase: entries}), ...), longest first,
    # so a span is found with one dict lookup per phrase length.
    by_length: dict[str, tuple[tuple[int, dict[tuple[str, ...], tuple[Entry, ...]]], ...]] = {}
    # The first two words of every longer phrase: most words that start one
    # ("the", "in") are not followed by its second word, and this says so at once.
    prefixes: frozenset[tuple[str, str]] = frozenset()
    # Every original (lower case) and, by first word, the lengths of those
    # longer than a word: the decide stage counts a text's plain uses of them.
    originals: frozenset[str] = frozenset()
    original_phrase_lengths: dict[str, tuple[int, ...]] = {}

    def lookup(self, first_word: str) -> list[tuple[tuple[str, ...], tuple[Entry, ...]]]:
        return self.index.get(first_word, [])


def build_tables(entries: list[Entry], protected: list[tuple[str, ...]], digest: str) -> Tables:
    """Index entries by their first (normalized) word, longest phrases first."""
    grouped: dict[tuple[str, ...], list[Entry]] = {}
    for entry in entries:
        words = tuple(entry.spun.replace("’", "'").split())
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
    prefixes = frozenset(phrase[:2] for per_length in lengths.values() for n, phrases in per_length.items()
                         if n > 1 for phrase in phrases)
    originals = frozenset(normalize(e.original) for e in entries if not e.keeps)
    original_lengths: dict[str, set[int]] = {}
    for phrase in originals:
        words = phrase.split()
        if len(words) > 1:
            original_lengths.setdefault(words[0], set()).add(len(words))
    return Tables(
        index, protected_index, digest, len(entries), forms, by_length, prefixes,
        originals, {first: tuple(sorted(n)) for first, n in original_lengths.items()},
    )


# Bump when the pickled form of Tables changes, so old caches are ignored.
CACHE_FORMAT = 6


def load_tables(extra: tuple[str, ...] = (), builtin: bool = True) -> Tables:
    """Load built-in tables (unless ``builtin`` is false) plus the user's ``extra`` tables.

    In memory the tables are kept per file signature (path, size, mtime), so
    a long-lived process sees an edited table; on disk they are cached under
    a digest of every file's name and content, so a changed table is never
    served stale. The disk cache is skipped silently when unusable.
    """
    paths: list[Path] = list(builtin_table_paths()) if builtin else []
    paths += [Path(p) for p in extra]
    signature = []
    for path in paths:
        try:
            stat = path.stat()
            signature.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            signature.append((str(path), -1, -1))  # reported by the loader
    return _load_tables(tuple(extra), builtin, tuple(signature))


@lru_cache(maxsize=8)
def _load_tables(extra: tuple[str, ...], builtin: bool, signature: tuple) -> Tables:
    paths: list[Path] = list(builtin_table_paths()) if builtin else []
    paths += [Path(p) for p in extra]
    protected_path = wordlists_dir() / "protected.txt" if builtin else None
    if protected_path is not None:
        paths.append(protected_path)
    contents: list[tuple[Path, bytes]] = []
    # Two 32-bit checksums and the size: a content key for a local cache, and
    # without hashlib's ~3 ms import on every start.
    crc, adler, size = zlib.crc32(b"respin-tables %d" % CACHE_FORMAT), 1, 0
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if path == protected_path:
                data = b""
            else:
                raise TableError(f"{path}: no such table") from None
        except OSError as exc:
            raise TableError(f"{path}: cannot read table ({exc.strerror})") from None
        chunk = path.name.encode() + b"\0" + data + b"\0"
        crc, adler, size = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler), size + len(chunk)
        contents.append((path, data))
    key = f"{crc:08x}{adler:08x}{size:x}"
    cached = _read_cache(key)
    if cached is not None:
        return cached
    entries: list[Entry] = []
    protected: list[tuple[str, ...]] = []
    for path, data in contents:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TableError(f"{path}: not valid UTF-8") from None
        if path == protected_path:
            protected = parse_protected(text)
        else:
            entries += parse_table(text, path.name)
    tables = build_tables(entries, protected, key)
    _write_cache(key, tables)
    return tables


def _cache_path(key: str) -> Path:
    root = os.environ.get("RESPIN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "respin"
    )
    return Path(root) / f"tables-{key}.pickle"


def _read_cache(key: str) -> Tables | None:
    import pickle

    try:
        with open(_cache_path(key), "rb") as handle:
            tables = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing or broken cache is only a slower start
        return None
    return tables if isinstance(tables, Tables) and tables.digest == key else None


def _write_cache(key: str, tables: Tables) -> None:
    import pickle

    from .textio import atomic_write_bytes

    try:
        path = _cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
