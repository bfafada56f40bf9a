"""Lint the shipped tables in wordlists/ (format, order, weights, chains, protected terms).

Self-contained on purpose: it reads the files with its own small parser so a
data mistake is reported as a data mistake, whatever the loader does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORDLISTS = ROOT / "wordlists"
DEFAULT_TABLES = sorted(WORDLISTS.glob("*.tsv"))
EXTRA_TABLES = sorted((WORDLISTS / "extra").glob("*.tsv"))
ALL_TABLES = DEFAULT_TABLES + EXTRA_TABLES
CONTEXT_RE = re.compile(
    r"^(?:(?:prev|next)=(?:@Cap|[^\s|=]+(?:\|[^\s|=]+)*)|(?:before|after)=[^\s|]+(?:\|[^\s|]+)*|case=exact)$"
)


def norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").lower().split())


def read_rows(path: Path) -> list[tuple[int, str, str, float, tuple[str, ...]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) in (3, 4), f"{path.name}:{number}: expected 3 or 4 TAB-separated fields"
        context = tuple(fields[3].split(" ")) if len(fields) == 4 else ()
        rows.append((number, fields[0], fields[1], float(fields[2]), context))
    return rows


def read_protected() -> list[str]:
    lines = (WORDLISTS / "protected.txt").read_text(encoding="utf-8").splitlines()
    return [norm(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()]


def spun_key(spun: str, context: tuple[str, ...]) -> str:
    """How the phrase is matched: exactly for case=exact rows, else case-insensitively."""
    return spun.replace("\u2019", "'") if "case=exact" in context else norm(spun)


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
    for number, spun, original, weight, context in read_rows(path):
        where = f"{path.name}:{number}"
        assert 0.0 < weight <= 1.0, f"{where}: weight {weight} outside (0, 1]"
        for field in (spun, original):
            assert field == field.strip() and "  " not in field and field, f"{where}: spacing in {field!r}"
            assert "\u2019" not in field and "\u2018" not in field, f"{where}: curly apostrophe in {field!r}"
        for item in context:
            assert CONTEXT_RE.match(item), f"{where}: bad context {item!r}"
        if "case=exact" not in context:
            assert spun == spun.lower(), f"{where}: spun {spun!r} must be lowercase without case=exact"
        if original == "-":
            assert context, f"{where}: a keep row without context would veto every entry for {spun!r}"


@pytest.mark.parametrize("path", ALL_TABLES, ids=table_id)
def test_rows_are_sorted_by_spun_then_original(path):
    keys = [(norm(spun), original.lower()) for _, spun, original, _, _ in read_rows(path)]
    assert keys == sorted(keys), next(
        f"{path.name}: {b} comes after {a}" for a, b in zip(keys, keys[1:]) if b < a
    )


@pytest.mark.parametrize("path", ALL_TABLES, ids=table_id)
def test_no_self_maps_and_no_duplicate_rows(path):
    seen = Counter()
    for number, spun, original, _, context in read_rows(path):
        assert norm(spun) != norm(original), f"{path.name}:{number}: {spun!r} is mapped to itself"
        seen[(spun_key(spun, context), original, tuple(sorted(context)))] += 1
    duplicates = [key for key, count in seen.items() if count > 1]
    assert not duplicates, duplicates[:10]


def test_no_row_of_the_default_tables_is_repeated_across_files():
    seen: dict[tuple, str] = {}
    for path in DEFAULT_TABLES:
        for number, spun, original, _, context in read_rows(path):
            key = (spun_key(spun, context), original, tuple(sorted(context)))
            assert key not in seen, f"{path.name}:{number} repeats {seen[key]}"
            seen[key] = f"{path.name}:{number}"


def test_no_chains_in_the_default_tables():
    """An original must never be a spun form of the default tables: fixing twice must change nothing."""
    rows = [(path.name, *row) for path in DEFAULT_TABLES for row in read_rows(path)]
    restoring = [r for r in rows if r[3] != "-"]
    plain = {norm(r[2]) for r in restoring if "case=exact" not in r[5]}
    exact = {spun_key(r[2], r[5]) for r in restoring if "case=exact" in r[5]}
    chains = [
        f"{name}:{number}: {spun!r} -> {original!r}"
        for name, number, spun, original, _, _ in restoring
        if norm(original) in plain or original.replace("\u2019", "'") in exact
    ]
    assert not chains, chains[:20]


def test_the_wordnet_candidates_are_chain_free_and_low_weight():
    rows = read_rows(WORDLISTS / "extra" / "wordnet-candidates.tsv")
    assert len(rows) > 1000
    assert all(weight <= 0.05 for _, _, _, weight, _ in rows)
    spun_forms = {norm(spun) for _, spun, _, _, _ in rows}
    assert not [original for _, _, original, _, _ in rows if norm(original) in spun_forms][:10]
    default_spun = {norm(r[1]) for path in DEFAULT_TABLES for r in read_rows(path) if r[2] != "-"}
    stale = [original for _, _, original, _, _ in rows if norm(original) in default_spun][:10]
    assert not stale, f"{stale}: the default tables changed; run python tools/build_wordnet.py"


def test_protected_terms_are_never_spun_forms():
    protected = set(read_protected())
    assert {"prime minister", "national security", "public safety"} <= protected
    clashes = [
        f"{table_id(path)}:{number}: {spun!r}"
        for path in ALL_TABLES
        for number, spun, _, _, _ in read_rows(path)
        if norm(spun) in protected
    ]
    assert not clashes, clashes


def test_the_spinner_families_signature_swaps_are_present():
    pairs = {(norm(spun), norm(original)) for path in DEFAULT_TABLES for _, spun, original, _, _ in read_rows(path)}
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
    forms = {norm(spun) for _, spun, original, _, _ in read_rows(path) if original != "-"}
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
