"""The table format's one owner: rows, contexts, matching forms, weights, protected terms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respin.records import Entry
from respin.tableformat import (
    SpunIndex, TableError, context_holds, context_key, format_row, format_weight, is_self_map, parse_context,
    parse_protected, parse_row, parse_table, parse_weight, row_identity, spun_form,
)
from respin.tokens import tokenize


def test_a_row_reads_and_writes_back_the_same():
    line = "the place\t-\t1.0\tprev=to|at after=,"
    entry = parse_row(line, "t.tsv:1")
    assert entry == Entry("the place", "-", 1.0, ("prev=to|at", "after=,"), "t.tsv:1")
    assert format_row(entry) == line


def test_comments_and_blank_lines_are_not_rows_and_rows_cite_their_line():
    entries = parse_table("# header\n\nmentioned\tsaid\t0.85\n", "t.tsv")
    assert [e.source for e in entries] == ["t.tsv:3"]


@pytest.mark.parametrize("line, message", [
    ("a\tb", "expected 3 or 4"),
    ("a\t\t0.5", "empty spun or original"),
    ("a\tb\tmany", "is not a number"),
    ("a\tb\t0", "outside (0, 1]"),
    ("a\tb\t0.5\tcolour=red", "bad context"),
    ("a\tb\t0.5\tprev=x||y", "bad context"),  # an empty alternative
    ("a\tb\t0.5\tcase=lower", "bad context"),
    ("a\tb\t0.5\tafter=", "bad context"),
])
def test_malformed_rows_are_table_errors_naming_the_line(line, message):
    with pytest.raises(TableError) as error:
        parse_row(line, "t.tsv:7")
    assert str(error.value).startswith("t.tsv:7: ") and message in str(error.value)


def test_the_context_grammar_accepts_every_documented_key():
    assert parse_context("prev=a|b next=@Cap before=( after=,|; case=exact", "w") == (
        "prev=a|b", "next=@Cap", "before=(", "after=,|;", "case=exact")


def test_context_key_is_canonical():
    assert context_key(("prev=The|a", "case=exact")) == context_key(("case=exact", "prev=A|the|a"))
    assert context_key(("next=@Cap",)) != context_key(("next=@cap",))  # @Cap is a class, not a word


def test_row_identity_follows_how_the_phrase_is_matched():
    plain = Entry("Mentioned", "said", 0.5)
    assert row_identity(plain) == row_identity(Entry("mentioned", "said", 0.9))
    exact = Entry("Heart", "Center", 0.5, ("case=exact",))
    assert spun_form(exact) == "Heart" and row_identity(exact) != row_identity(Entry("heart", "Center", 0.5))


def test_self_maps_and_keep_rows():
    assert is_self_map(Entry("Won’t", "won't", 0.5))
    assert not is_self_map(Entry("safety", "-", 1.0, ("prev=public",)))


def test_the_spun_index_finds_what_would_change_an_original_again():
    index = SpunIndex((e, e.source) for e in parse_table(
        "mentioned\tsaid\t0.8\nHeart\tCenter\t0.5\tcase=exact\nsafety\t-\t1.0\tprev=public\n", "t"))
    assert index.matching("Mentioned") == ["t:1"]
    assert "Heart" in index and "heart" not in index  # exact rows match only as written
    assert "safety" not in index  # keep rows restore nothing


def test_weights():
    assert format_weight(0.8500001) == "0.85" and format_weight(1) == "1.0"
    with pytest.raises(TableError, match="w 2.0 is outside"):
        parse_weight("2", "w")


@given(st.floats(min_value=0.001, max_value=1.0))
def test_a_written_weight_reads_back_within_rounding(weight):
    assert abs(parse_weight(format_weight(weight)) - weight) <= 0.0005


def test_context_holds_in_a_text():
    text = "However, the invoice went to Bill Clinton."
    tokens = tokenize(text)
    assert context_holds(("after=,",), text, tokens, 0, 0)
    assert not context_holds(("after=;",), text, tokens, 0, 0)
    assert context_holds(("next=@Cap",), text, tokens, 5, 5)  # "to" before "Bill"
    assert context_holds(("prev=The|a",), text, tokens, 2, 2)  # "invoice" after "the"
    assert not context_holds(("prev=a",), text, tokens, 0, 0)  # nothing before the first word


def test_protected_terms():
    assert parse_protected("Prime Minister  # a title\n\n# note\nNATO’s\n") == [("prime", "minister"), ("nato's",)]


@pytest.mark.parametrize("key", ["prev", "next", "before", "after", "case"])
def test_every_context_key_is_in_the_grammar_and_has_a_meaning(key):
    """A context key lives in tableformat alone: its name, its grammar and what it means in a text."""
    from respin.tableformat import CONTEXT_KEYS

    assert key in CONTEXT_KEYS
    item = {"case": "case=exact", "prev": "prev=a", "next": "next=@Cap"}.get(key, f"{key}=,")
    assert parse_context(item, "w") == (item,)
    text = "a word, Then"
    tokens = tokenize(text)
    assert context_holds((item,), text, tokens, 1, 1) == (key in ("case", "prev", "next", "after"))
