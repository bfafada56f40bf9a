"""Lint the shipped tables in wordlists/ (format, order, weights, chains, protected terms).

The rows are read with respin's own table format (:mod:`respin.tableformat`),
as the loader reads them; a row the format cannot parse fails here as a
data mistake naming file:line.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from respin.records import Entry
from respin.tableformat import (
    SpunIndex, fold, format_row, is_exact, is_self_map, parse_protected, parse_table, row_identity, row_order,
)

ROOT = Path(__file__).resolve().parent.parent
WORDLISTS = ROOT / "wordlists"
DEFAULT_TABLES = sorted(WORDLISTS.glob("*.tsv"))
EXTRA_TABLES = sorted((WORDLISTS / "extra").glob("*.tsv"))
ALL_TABLES = DEFAULT_TABLES + EXTRA_TABLES


def read_rows(path: Path) -> list[Entry]:
    """The rows of a shipped table; each entry's ``source`` is ``name:line``."""
    return parse_table(path.read_text(encoding="utf-8"), path.name)


def read_protected() -> set[str]:
    return {" ".join(words) for words in parse_protected((WORDLISTS / "protected.txt").read_text(encoding="utf-8"))}


def table_id(path: Path) -> str:
    return str(path.relative_to(WORDLISTS))


def test_the_expected_files_are_shipped():
    names = {p.name for p in DEFAULT_TABLES}
    assert {"spinner-common.tsv", "names.tsv"} <= names
    assert (WORDLISTS / "protected.txt").is_file()
    assert (WORDLISTS / "src" / "spinner-common.src.tsv").is_file()
    assert (WORDLISTS / "extra" / "wordnet-candidates.tsv").is_file()
    assert "Princeton University" in (WORDLISTS / "extra" / "WORDNET-LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ALL_TABLES, ids=table_id)
def test_rows_are_well_formed(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for entry in read_rows(path):
        line = lines[int(entry.source.rsplit(":", 1)[1]) - 1]
        # Exactly as the format writes the row: single spaces, a canonical weight, no stray blanks.
        assert format_row(entry) == line, f"{entry.source}: written as {format_row(entry)!r} would be"
        for field in (entry.spun, entry.original):
            assert "\u2019" not in field and "\u2018" not in field, f"{entry.source}: curly apostrophe in {field!r}"
        if not is_exact(entry):
            assert entry.spun == entry.spun.lower(), f"{entry.source}: spun {entry.spun!r} must be lowercase without case=exact"
        if entry.keeps:
            assert entry.context, f"{entry.source}: a keep row without context would veto every entry for {entry.spun!r}"


@pytest.mark.parametrize("path", ALL_TABLES, ids=table_id)
def test_rows_are_sorted_by_spun_then_original(path):
    keys = [row_order(entry)[:2] for entry in read_rows(path)]
    assert keys == sorted(keys), next(
        f"{path.name}: {b} comes after {a}" for a, b in zip(keys, keys[1:]) if b < a
    )


@pytest.mark.parametrize("path", ALL_TABLES, ids=table_id)
def test_no_self_maps_and_no_duplicate_rows(path):
    seen = Counter()
    for entry in read_rows(path):
        assert not is_self_map(entry), f"{entry.source}: {entry.spun!r} is mapped to itself"
        seen[row_identity(entry)] += 1
    duplicates = [key for key, count in seen.items() if count > 1]
    assert not duplicates, duplicates[:10]


def test_no_row_of_the_default_tables_is_repeated_across_files():
    seen: dict[tuple, str] = {}
    for path in DEFAULT_TABLES:
        for entry in read_rows(path):
            key = row_identity(entry)
            assert key not in seen, f"{entry.source} repeats {seen[key]}"
            seen[key] = entry.source


def test_no_chains_in_the_default_tables():
    """An original must never be a spun form of the default tables: fixing twice must change nothing."""
    rows = [entry for path in DEFAULT_TABLES for entry in read_rows(path)]
    spun_forms = SpunIndex((entry, entry) for entry in rows)
    chains = [f"{e.source}: {e.spun!r} -> {e.original!r}" for e in rows if not e.keeps and e.original in spun_forms]
    assert not chains, chains[:20]


# Junctions (respin.tablecheck): an original that, with the words beside it,
# forms another spun phrase ("simply" → "just", then "just like" → "like").
# The lint came after the tables, which then had 614 (most with names and
# function-word phrases: "dwelling" → "home" beside "home democrats" →
# "House Democrats"). Each is a fix(fix(x)) != fix(x) waiting for the right
# neighbours: clear them, never add one.
KNOWN_JUNCTIONS = 614


def test_the_default_tables_gain_no_junction():
    from respin.tablecheck import check_table_files

    found = [p for p in check_table_files(DEFAULT_TABLES) if "junction" in p.message]
    assert len(found) <= KNOWN_JUNCTIONS, [str(p) for p in found[:5]]
    assert [str(p) for p in found if "'simply' → 'just'" in p.message] == []  # the chain the fuzz found


def test_the_wordnet_candidates_are_chain_free_and_low_weight():
    rows = read_rows(WORDLISTS / "extra" / "wordnet-candidates.tsv")
    assert len(rows) > 1000
    assert all(e.weight <= 0.05 for e in rows)
    spun_forms = SpunIndex((e, e) for e in rows)
    assert not [e.original for e in rows if e.original in spun_forms][:10]
    default_spun = {fold(e.spun) for path in DEFAULT_TABLES for e in read_rows(path) if not e.keeps}
    stale = [e.original for e in rows if fold(e.original) in default_spun][:10]
    assert not stale, f"{stale}: the default tables changed; run python tools/build_wordnet.py"


def test_protected_terms_are_never_spun_forms():
    protected = read_protected()
    assert {"prime minister", "national security", "public safety"} <= protected
    clashes = [
        f"{table_id(path)}: {entry.source}: {entry.spun!r}"
        for path in ALL_TABLES
        for entry in read_rows(path)
        if fold(entry.spun) in protected
    ]
    assert not clashes, clashes


def test_the_spinner_families_signature_swaps_are_present():
    pairs = {(fold(e.spun), fold(e.original)) for path in DEFAULT_TABLES for e in read_rows(path)}
    for pair in [
        ("mentioned", "said"), ("informed", "told"), ("safety", "security"), ("assembly", "meeting"),
        ("calls for", "demands"), ("officers", "officials"), ("navy", "military"), ("army", "military"),
        ("however", "but"), ("had been", "were"), ("is not going to", "will not"), ("have interaction", "engage"),
        ("secretary-common", "secretary-general"), ("information convention", "news conference"),
        ("jap europe", "eastern europe"), ("japanese europe", "eastern europe"), ("related press", "associated press"),
        ("international minister", "foreign minister"), ("suppose tank", "think tank"), ("for the reason that", "since"),
        ("find out how to", "how to"), ("won't ever be a part of", "will never join"), ("pull again", "pull back"),
    ]:
        assert pair in pairs, pair


def test_the_generated_table_is_big_enough_and_says_it_is_generated():
    path = WORDLISTS / "spinner-common.tsv"
    assert "GENERATED by tools/build_tables.py" in path.read_text(encoding="utf-8")[:600]
    forms = {fold(e.spun) for e in read_rows(path) if not e.keeps}
    assert len(forms) >= 1500, len(forms)


def test_the_generated_table_matches_its_source():
    """spinner-common.tsv is exactly what tools/build_tables.py makes of the source."""
    pytest.importorskip("lemminflect")
    spec = importlib.util.spec_from_file_location("build_tables", ROOT / "tools" / "build_tables.py")
    build_tables = importlib.util.module_from_spec(spec)
    sys.modules["build_tables"] = build_tables
    spec.loader.exec_module(build_tables)
    assert build_tables.main(["--check"]) == 0, "run: python tools/build_tables.py"


def test_readme_documents_every_table_and_source():
    readme = (WORDLISTS / "README.md").read_text(encoding="utf-8")
    for name in ["spinner-common.tsv", "names.tsv", "protected.txt", "spinner-common.src.tsv",
                 "wordnet-candidates.tsv", "WORDNET-LICENSE", "build_tables.py", "build_wordnet.py"]:
        assert name in readme, name
    for licence in ["WordNet 3.0", "lemminflect", "MIT", "wordfreq"]:
        assert licence in readme, licence
