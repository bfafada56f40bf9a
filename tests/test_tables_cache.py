"""The on-disk table cache: keyed on content, never stale, never required."""

from __future__ import annotations

import pytest

from respin.tables import TableError, _cache_path, _load_tables, load_tables


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RESPIN_CACHE_DIR", str(tmp_path / "cache"))
    _load_tables.cache_clear()
    yield
    _load_tables.cache_clear()


def originals(tables, word):
    return sorted(e.original for _, entries in tables.lookup(word) for e in entries)


def test_a_changed_table_is_never_served_from_the_cache(tmp_path):
    table = tmp_path / "user.tsv"
    table.write_text("mentioned\tsaid\t0.9\n", encoding="utf-8")
    first = load_tables((str(table),), False)
    assert _cache_path(first.digest).is_file()
    table.write_text("mentioned\tstated\t0.9\n", encoding="utf-8")
    _load_tables.cache_clear()
    assert originals(load_tables((str(table),), False), "mentioned") == ["stated"]


def test_the_cache_gives_the_same_tables_as_parsing():
    parsed = load_tables()
    _load_tables.cache_clear()
    cached = load_tables()
    assert cached.index == parsed.index and cached.protected == parsed.protected


def test_a_corrupt_cache_is_ignored(tmp_path):
    table = tmp_path / "user.tsv"
    table.write_text("safety\tsecurity\t0.7\n", encoding="utf-8")
    digest = load_tables((str(table),), False).digest
    _cache_path(digest).write_bytes(b"not a pickle")
    _load_tables.cache_clear()
    assert originals(load_tables((str(table),), False), "safety") == ["security"]


def test_a_missing_user_table_is_a_table_error(tmp_path):
    with pytest.raises(TableError, match="no such table"):
        load_tables((str(tmp_path / "missing.tsv"),), False)


def test_an_edited_table_is_seen_by_a_long_lived_process(tmp_path):
    table = tmp_path / "user.tsv"
    table.write_text("mentioned\tsaid\t0.9\n", encoding="utf-8")
    assert originals(load_tables((str(table),), False), "mentioned") == ["said"]
    table.write_text("mentioned\tstated\t0.9\n", encoding="utf-8")
    import os

    os.utime(table, ns=(table.stat().st_atime_ns, table.stat().st_mtime_ns + 10**9))
    assert originals(load_tables((str(table),), False), "mentioned") == ["stated"]
