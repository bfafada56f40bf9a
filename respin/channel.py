"""The broad channel: learned reverse-synonym candidates for words no curated table lists.

``wordlists/broad/channel.tsv`` (built by ``tools/build_channel.py`` from
Moby, WordNet and rule data, with weights from a learned model) is an
ordinary table, sorted by spun phrase, of ~37,000 rows. Parsing it all would
cost a one-line ``respin fix`` more than its whole run, so it is never
loaded: the file is mapped, and each distinct word of a text is looked up
by binary search over its lines (memoized). The candidates stage asks it
as a second tier: where the curated tables match, their originals come
first and the channel only adds others; a curated keep row or a protected
term vetoes it.

Each row's context carries ``src=CODES``, the sources that proposed it
(see :data:`SOURCES`); an entry's ``source`` names the broad channel and
those sources, and is unique per row, so a fix's evidence says where the
candidate came from.
"""

from __future__ import annotations

import mmap
import os
from functools import lru_cache
from pathlib import Path

from .records import Entry
from .tables import TableError, Tables, parse_row, wordlists_dir

# The src= codes of channel.tsv (written by tools/build_channel.py).
SOURCES = {
    "m": "moby",
    "r": "moby-reverse",
    "s": "wordnet-synonym",
    "i": "wordnet-similar",
    "a": "wordnet-also",
    "h": "wordnet-hypernym",
    "y": "wordnet-hyponym",
    "b": "spelling",
    "x": "rule",
}

CHANNELS = ("curated", "broad")

# For each first word: (phrase length, {phrase words: entries}), longest first,
# the shape of ``Tables.by_length`` so one matcher serves both tiers.
ByLength = tuple[tuple[int, dict[tuple[str, ...], tuple[Entry, ...]]], ...]


def channel_path() -> Path:
    return wordlists_dir() / "broad" / "channel.tsv"


class BroadChannel:
    """A sorted table file answered by binary search, one memoized lookup per distinct word."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise TableError(f"{self.path}: cannot read the broad channel ({exc})") from None
        self._start = self._data_start()
        self._memo: dict[str, ByLength | None] = {}
        self._originals: frozenset[str] | None = None
        self._counting: tuple[Tables, Tables] | None = None

    def _data_start(self) -> int:
        """Offset of the first row: the header's comment and blank lines are skipped."""
        position = 0
        data = self._map
        while position < len(data) and data[position : position + 1] in (b"#", b"\n"):
            position = data.find(b"\n", position) + 1 or len(data)
        return position

    def digest(self) -> str:
        """A cheap key of the file for batch settings: its size and mtime (hashing 1 MB
        on every batch start would cost more than the rest of the key)."""
        stat = self.path.stat()
        return f"broad:{stat.st_size:x}:{stat.st_mtime_ns:x}"

    def lookup(self, word: str) -> ByLength | None:
        """Every row whose spun phrase is ``word`` or starts with it, shaped like ``Tables.by_length``."""
        found = self._memo.get(word, False)
        if found is False:
            found = self._memo[word] = self._lookup(word)
        return found

    def _lookup(self, word: str) -> ByLength | None:
        key = word.encode("utf-8")
        data = self._map
        position = self._first_line_at_or_after(key)
        grouped: dict[tuple[str, ...], list[Entry]] = {}
        while position < len(data):
            end = data.find(b"\n", position)
            if end < 0:
                end = len(data)
            line = data[position:end]
            spun = line.split(b"\t", 1)[0]
            if spun != key and not spun.startswith(key + b" "):
                break
            entry = self._entry(line, position)
            if entry is not None:
                grouped.setdefault(tuple(entry.spun.split(" ")), []).append(entry)
            position = end + 1
        if not grouped:
            return None
        lengths: dict[int, dict[tuple[str, ...], tuple[Entry, ...]]] = {}
        for phrase, entries in grouped.items():
            lengths.setdefault(len(phrase), {})[phrase] = tuple(entries)
        return tuple(sorted(lengths.items(), reverse=True))

    def _first_line_at_or_after(self, key: bytes) -> int:
        """Binary search over line starts for the first row whose spun phrase is ``key`` or after it."""
        data = self._map
        low, high = self._start, len(data)
        while low < high:
            middle = (low + high) // 2
            line_start = data.rfind(b"\n", self._start - 1, middle) + 1 if middle > self._start else self._start
            line_end = data.find(b"\n", line_start)
            if line_end < 0:
                line_end = len(data)
            if data[line_start:line_end].split(b"\t", 1)[0] < key:
                low = line_end + 1
            else:
                high = line_start
        return low

    def _entry(self, line: bytes, offset: int) -> Entry | None:
        where = f"{self.path.name}@{offset}"
        entry = parse_row(line.decode("utf-8"), where)
        if entry is None:
            return None
        codes = next((c[4:] for c in entry.context if c.startswith("src=")), "")
        names = ", ".join(SOURCES.get(code, code) for code in codes) or "unknown"
        return entry._replace(source=f"broad channel [{names}] {where}")

    def originals(self) -> frozenset[str]:
        """Every one-word original of the channel (``originals.txt`` beside it), for counter-evidence."""
        if self._originals is None:
            path = self.path.with_name("originals.txt")
            try:
                self._originals = frozenset(path.read_text(encoding="utf-8").split())
            except OSError:
                self._originals = frozenset()
        return self._originals

    def counting_tables(self, tables: Tables) -> Tables:
        """``tables`` whose originals also include the channel's, so the decide stage
        counts a text's plain uses of them too ("hard" used plainly speaks against
        restoring "laborious")."""
        cached = self._counting
        if cached is None or cached[0] is not tables:
            cached = self._counting = (tables, tables._replace(originals=tables.originals | self.originals()))
        return cached[1]


@lru_cache(maxsize=2)
def load_channel(path: str | None = None) -> BroadChannel:
    """The broad channel, mapped once per process (the shipped one unless ``path``)."""
    return BroadChannel(path or channel_path())
