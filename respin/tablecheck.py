"""Validate reverse-synonym tables: the logic behind ``respin tables check``.

Pure functions over (name, text) pairs, so data tests can run the same
checks on the shipped tables without the command line.

Errors (the table is wrong or does something nobody meant):

* a malformed row (:mod:`respin.tableformat` decides what is well formed);
* the same row twice in one file (same spun phrase, original and context);
* a phrase mapped to itself (it could never be proposed);
* a **cycle** (``a → b`` and ``b → a``, or longer) across the given files;
* a **chain** (``a → b`` while ``b`` is itself a spun form): restoring ``a``
  writes text that a second run would change again, so ``fix(fix(x))``
  would differ from ``fix(x)``. Built-in tables must have none; a user who
  really wants ``b → c`` to win should map ``a → c`` directly.

Warnings (legal, but probably not what was meant):

* the same row in two different files (the higher weight wins at run time);
* rows out of order: within each run of rows not interrupted by a blank or
  comment line, spun phrases should be in sorted order (``sort_key``).
* a **junction**: ``a → b`` while ``b``, with the words that may stand
  beside it, forms another row's spun phrase (``simply → just`` and
  ``just like → like``: "simply like" is restored to "just like", which a
  second run changes again). ``b`` is part of a longer spun phrase, holds
  a shorter one, or overlaps one's first or last words; the row's own
  context (``prev=``, ``next=``, ``before=``, ``after=``) limits the words
  beside it. Narrow or drop one of the two rows.
  A warning, not an error: it takes the right neighbours (and the language
  model's vote), and the built-in tables still have hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .records import Entry
from .tableformat import (
    SpunIndex,
    TableError,
    exact_form,
    fold,
    is_exact,
    is_self_map,
    parse_row,
    row_identity,
    sort_key,
    spun_form,
)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, printed as ``file:line: severity: message``."""

    file: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Row:
    file: str
    line: int
    entry: Entry
    block: int  # rows in the same block are not separated by blank/comment lines

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def parse_rows(name: str, text: str) -> tuple[list[Row], list[Problem]]:
    """Rows of one table, and a problem for every malformed line."""
    rows: list[Row] = []
    problems: list[Problem] = []
    block = 0
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{number}"
        try:
            entry = parse_row(line, where)
        except TableError as exc:
            message = str(exc).removeprefix(f"{where}: ")
            problems.append(Problem(name, number, f"malformed row: {message}"))
            continue
        if entry is None:
            block += 1
        else:
            rows.append(Row(name, number, entry, block))
    return rows, problems


def check_tables(sources: Iterable[tuple[str, str]]) -> list[Problem]:
    """Every problem in the given tables, as (name, text) pairs, in file and line order."""
    rows: list[Row] = []
    problems: list[Problem] = []
    order: dict[str, int] = {}
    for name, text in sources:
        order.setdefault(name, len(order))
        parsed, malformed = parse_rows(name, text)
        rows += parsed
        problems += malformed
    problems += _duplicates(rows)
    problems += _self_maps(rows)
    problems += _chains(rows)
    problems += _junctions(rows)
    problems += _unsorted(rows)
    return sorted(problems, key=lambda p: (order[p.file], p.line, p.severity != ERROR, p.message))


def check_table_files(paths: Sequence[str | Path]) -> list[Problem]:
    """:func:`check_tables` over files (UTF-8); raises ``OSError``/``UnicodeDecodeError``."""
    return check_tables((str(p), Path(p).read_text(encoding="utf-8")) for p in paths)


def _duplicates(rows: list[Row]) -> list[Problem]:
    seen: dict[tuple, Row] = {}
    problems = []
    for row in rows:
        key = row_identity(row.entry)
        first = seen.setdefault(key, row)
        if first is row:
            continue
        if first.file == row.file:
            problems.append(Problem(row.file, row.line, f"duplicate of line {first.line} ({_show(row.entry)})"))
        else:
            problems.append(Problem(row.file, row.line, f"same row as {first.where} ({_show(row.entry)}); "
                                    "the higher weight wins", WARNING))
    return problems


def _self_maps(rows: list[Row]) -> list[Problem]:
    return [
        Problem(row.file, row.line, f"{row.entry.spun!r} is mapped to itself")
        for row in rows
        if is_self_map(row.entry)
    ]


def _chains(rows: list[Row]) -> list[Problem]:
    """Rows whose original is itself a spun form: cycles, and chains that end."""
    index = SpunIndex((row.entry, row) for row in rows)

    def followers(row: Row) -> list[Row]:
        # The rows a second run could apply to this row's output.
        return index.matching(row.entry.original)

    restoring = [r for r in rows if not r.entry.keeps and not is_self_map(r.entry)]
    graph: dict[str, set[str]] = {}
    for row in restoring:  # phrases (normalized) as nodes: one edge per possible second step
        graph.setdefault(_node(row), set()).update(_node(f) for f in followers(row))
    component = _components(graph)

    problems = []
    for row in restoring:  # self-maps are reported already
        nexts = followers(row)
        if not nexts:
            continue
        back = [f for f in nexts if component[_node(f)] == component[_node(row)]]
        if back:
            path = _path(graph, _node(back[0]), _node(row))
            steps = " → ".join(repr(p) for p in [fold(row.entry.spun), *path]) if path else (
                f"{fold(row.entry.spun)!r} → {fold(row.entry.original)!r} → … (a long loop)")
            problems.append(Problem(row.file, row.line, f"cycle: {steps} (next: {back[0].where})"))
        else:
            following = nexts[0]
            problems.append(Problem(
                row.file, row.line,
                f"chain: {_show(row.entry)}, but {row.entry.original!r} is itself a spun form "
                f"({following.where}: {_show(following.entry)}), so fixing twice would change it again",
            ))
    return problems


def _junctions(rows: list[Row]) -> list[Problem]:
    """Rows whose original, with the words beside it, forms another row's spun phrase: one problem per row."""
    restoring = [r for r in rows if not r.entry.keeps and not is_self_map(r.entry)]
    keeps: dict[str, list[Entry]] = {}
    for row in rows:
        if row.entry.keeps:
            keeps.setdefault(spun_form(row.entry), []).append(row.entry)
    by_word: dict[str, list[tuple[tuple[str, ...], int, Row]]] = {}  # a spun phrase's words by each word
    for row in restoring:
        words = tuple(spun_form(row.entry).split(" "))
        for position, word in enumerate(words):
            by_word.setdefault(word, []).append((words, position, row))

    problems = []
    for row in restoring:
        found = _junctions_of(row, by_word, keeps.get(spun_form(row.entry), []))
        if found:
            phrase, other = found[0]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            problems.append(Problem(
                row.file, row.line,
                f"junction: {_show(row.entry)}, but {row.entry.original!r} with the words beside it can form "
                f"{phrase!r} ({other.where}: {_show(other.entry)}), so fixing twice may change it again{more}",
                WARNING,
            ))
    return problems


def _junctions_of(
    row: Row, by_word: dict[str, list[tuple[tuple[str, ...], int, Row]]], keeps: list[Entry]
) -> list[tuple[str, Row]]:
    """The (phrase, row) pairs another run could match across ``row``'s restoration and its neighbours.

    ``keeps`` are the keep rows of ``row``'s spun phrase: where one holds, nothing is restored.
    """
    plain = tuple(fold(row.entry.original).split(" "))
    exact = tuple(exact_form(row.entry.original).split(" "))
    left_open, right_open = _open_sides(row.entry, keeps)
    # Its own phrase ("brand new" → "new"): only a doubled word ("brand brand new") would make it again.
    found: dict[tuple[str, ...], Row] = {tuple(spun_form(row.entry).split(" ")): row}
    for i in range(len(plain)):
        for key in {plain[i], exact[i]}:
            for words, position, other in by_word.get(key, ()):
                start = i - position  # where the other phrase starts, relative to the restoration
                end = start + len(words)
                if (start, end) == (0, len(plain)) or words in found:
                    continue  # the whole restoration: a chain, reported as one
                if (start < 0 and not left_open(words[-start - 1])) or (
                    end > len(plain) and not right_open(words[len(plain) - start])
                ):
                    continue
                restored = exact if is_exact(other.entry) else plain
                if all(restored[k] == words[k - start] for k in range(max(start, 0), min(end, len(plain)))):
                    found[words] = other
    return [(" ".join(words), other) for words, other in found.items() if other is not row]


def _open_sides(entry: Entry, keeps: list[Entry]):
    """Tests of the (folded) word that may stand right before / after the row's phrase.

    ``prev=``/``next=`` name the words; ``before=``/``after=`` put a
    character other than white space there, which no phrase crosses; a
    keep row whose only constraint is ``prev=``/``next=`` rules its words out.
    """

    def allowed(key: str, touching: str):
        if any(item.startswith(touching + "=") for item in entry.context):
            return lambda word: False
        choices = [set(item[len(key) + 1 :].lower().split("|")) for item in entry.context
                   if item.startswith(key + "=") and item != f"{key}=@Cap"]
        kept = {word for keep in keeps if len(keep.context) == 1 and keep.context[0].startswith(key + "=")
                for word in keep.context[0][len(key) + 1 :].lower().split("|")}
        return lambda word: word.lower() not in kept and all(word.lower() in choice for choice in choices)

    return allowed("prev", "before"), allowed("next", "after")


def _node(row: Row) -> str:
    return fold(row.entry.spun)


def _components(graph: dict[str, set[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node -> component id."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component


def _path(graph: dict[str, set[str]], start: str, goal: str, limit: int = 6) -> list[str]:
    """A shortest path start → … → goal of at most ``limit`` steps, or [] (to name a cycle)."""
    parents: dict[str, str | None] = {start: None}
    frontier = [start]
    for _ in range(limit):
        if goal in parents:
            break
        following = []
        for node in frontier:
            for nxt in graph.get(node, ()):
                if nxt not in parents:
                    parents[nxt] = node
                    following.append(nxt)
        frontier = following
    if goal not in parents:
        return []
    path = [goal]
    while (parent := parents[path[-1]]) is not None:
        path.append(parent)
    return path[::-1]


def _unsorted(rows: list[Row]) -> list[Problem]:
    # One warning per block: a shuffled file should not bury the errors.
    problems = []
    reported = set()
    for previous, row in zip(rows, rows[1:]):
        block = (row.file, row.block)
        if (previous.file, previous.block) != block or block in reported:
            continue
        if sort_key(row.entry.spun) < sort_key(previous.entry.spun):
            reported.add(block)
            problems.append(Problem(row.file, row.line, f"not sorted: {row.entry.spun!r} comes after "
                                    f"{previous.entry.spun!r} (line {previous.line})", WARNING))
    return problems


def _show(entry: Entry) -> str:
    context = f" [{' '.join(entry.context)}]" if entry.context else ""
    return f"{entry.spun!r} → {entry.original!r}{context}"
