"""`respin tables show` and `respin tables check`, and the pure checks behind them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from respin.cli import main
from respin.records import Entry
from respin.tablecheck import ERROR, WARNING, check_tables
from respin.tablecli import describe
from respin.tables import build_tables

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, name: str, *rows: str) -> str:
    path = tmp_path / name
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    return str(path)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def problems(*rows: str, name: str = "t.tsv"):
    return check_tables([(name, "\n".join(rows) + "\n")])


# --- check: errors with file:line and exit 1 ---------------------------------


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        (["mentioned\tsaid\t0.8", "officers officials 0.7"], 2, "malformed row: expected 3 or 4 tab-separated fields"),
        (["mentioned\tsaid\t1.5"], 1, "outside (0, 1]"),
        (["mentioned\tsaid\t0.8\taround=x"], 1, "bad context"),
        (["mentioned\tsaid\t0.8", "mentioned\tsaid\t0.5"], 2, "duplicate of line 1"),
        (["mentioned\tMentioned\t0.8"], 1, "mapped to itself"),
        (["safety\tsecurity\t0.7", "security\tsafety\t0.4"], 1, "cycle: 'safety' → 'security' → 'safety'"),
        (["mentioned\tsaid\t0.8", "said\tstated\t0.5"], 1, "chain: 'mentioned' → 'said'"),
    ],
)
def test_check_reports_errors_with_file_and_line(tmp_path, rows, line, words):
    table = write(tmp_path, "t.tsv", *rows)
    result = invoke("tables", "check", table)
    assert result.exit_code == 1, result.output
    error_lines = [x for x in result.stdout.splitlines() if ": error: " in x]
    assert any(x.startswith(f"{table}:{line}: error: ") and words in x for x in error_lines), result.stdout
    assert "1 table: " in result.stderr


# --- junctions: a restoration that forms another spun phrase with its neighbours ---


def junctions(*rows: str) -> list[tuple[int, str]]:
    return [(p.line, p.severity) for p in problems(*rows) if "junction" in p.message]


def test_a_restoration_that_is_part_of_a_longer_spun_phrase_is_a_junction():
    # "simply like" → "just like", which a second run restores to "like".
    found = problems("just like\tlike\t0.2", "simply\tjust\t0.4")
    assert [(p.line, p.severity) for p in found if "junction" in p.message] == [(2, WARNING)]
    assert "'just' with the words beside it can form 'just like' (t.tsv:1: 'just like' → 'like')" in found[-1].message


@pytest.mark.parametrize(
    "rows",
    [
        ["new\tfresh\t0.3", "contemporary\tnew york\t0.5"],  # the restoration holds a shorter spun phrase
        ["apple pie\tcake\t0.5", "large fruit\tbig apple\t0.5"],  # its last word starts one
        ["very big\thuge\t0.5", "large fruit\tbig apple\t0.5"],  # its first word ends one
        ["home democrats\tHouse Democrats\t0.9", "dwelling\thome\t0.5\tnext=@Cap"],  # @Cap: any word may follow
    ],
)
def test_every_way_a_restoration_meets_a_spun_phrase_is_found(rows):
    assert junctions(*rows) == [(2, WARNING)]


@pytest.mark.parametrize(
    "rows",
    [
        ["just like\tlike\t0.2", "simply\tjust\t0.4\tnext=the|a"],  # its context rules "like" out
        ["just like\tlike\t0.2", "simply\tjust\t0.4\tafter=,"],  # a comma follows: no phrase crosses it
        ["just like\tlike\t0.2", "simply\t-\t1\tnext=like", "simply\tjust\t0.4"],  # a keep row leaves it
        ["just like\tlike\t0.2", "simply\tbarely\t0.4"],  # no word in common
        ["House\thome\t0.5\tcase=exact", "dwelling\thouse\t0.5"],  # an exact row needs its own spelling
        ["just like\t-\t1\tprev=is", "simply\tjust\t0.4"],  # keep rows restore nothing
    ],
)
def test_no_junction_where_the_neighbours_cannot_form_the_phrase(rows):
    assert junctions(*rows) == []


def test_a_chain_is_reported_as_a_chain_not_as_a_junction_too():
    found = problems("mentioned\tsaid\t0.8", "said\tstated\t0.5")
    assert ["chain" in p.message for p in found] == [True]


def test_duplicates_compare_spun_case_insensitively_and_context_as_a_set():
    found = problems("Mentioned\tsaid\t0.8\tprev=he|she", "mentioned\tsaid\t0.5\tprev=She|he")
    assert [(p.line, p.severity) for p in found] == [(2, ERROR)]
    # different context or different original: not a duplicate
    assert problems("mentioned\tsaid\t0.8\tprev=he", "mentioned\tsaid\t0.5", "mentioned\tstated\t0.2") == []


def test_longer_cycles_are_found_across_files_and_reported_on_every_row():
    found = check_tables([("a.tsv", "a\tb\t0.5\n"), ("b.tsv", "b\tc\t0.5\nc\ta\t0.5\n")])
    assert [(p.file, p.line) for p in found] == [("a.tsv", 1), ("b.tsv", 1), ("b.tsv", 2)]
    assert all(p.severity == ERROR and p.message.startswith("cycle:") for p in found)


def test_keep_rows_and_exact_case_rows_do_not_make_chains():
    # "said -" restores nothing; "US" (case=exact) is not the pronoun "us".
    assert problems("mentioned\tsaid\t0.8", "said\t-\t1\tnext=@Cap") == []
    assert problems("US\tAmerica\t0.5\tcase=exact", "we\tus\t0.3") == []
    assert [p.line for p in problems("US\tAmerica\t0.5\tcase=exact", "usa\tUS\t0.3")] == [2]


def test_unsorted_and_cross_file_duplicates_are_warnings_and_exit_0(tmp_path):
    first = write(tmp_path, "a.tsv", "safety\tsecurity\t0.7", "mentioned\tsaid\t0.8", "however\tbut\t0.5")
    second = write(tmp_path, "b.tsv", "# another family", "mentioned\tsaid\t0.6")
    result = invoke("tables", "check", first, second)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{first}:2: warning: not sorted: 'mentioned' comes after 'safety' (line 1)",
        f"{second}:2: warning: same row as {first}:2 ('mentioned' → 'said'); the higher weight wins",
    ]  # one sorting warning per block, not one per row
    assert "0 errors, 2 warnings" in result.stderr


def test_comment_and_blank_lines_start_a_new_sorted_block():
    assert problems("# verbs", "mentioned\tsaid\t0.8", "", "# nouns", "assembly\tmeeting\t0.8") == []
    assert [p.severity for p in problems("mentioned\tsaid\t0.8", "assembly\tmeeting\t0.8")] == [WARNING]


def test_clean_table_passes(tmp_path):
    table = write(tmp_path, "ok.tsv", "# a comment", "assembly\tmeeting\t0.8", "mentioned\tsaid\t0.85\tprev=he|she")
    result = invoke("tables", "check", table)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 errors, 0 warnings" in result.stderr


def test_missing_file_is_a_usage_error_before_anything_is_checked(tmp_path):
    bad = write(tmp_path, "bad.tsv", "no tabs here")
    result = invoke("tables", "check", bad, str(tmp_path / "nope.tsv"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"respin: error: {tmp_path / 'nope.tsv'}: no such file"]


def test_shipped_tables_pass_check():
    tables = sorted((ROOT / "wordlists").glob("*.tsv"))
    assert tables, "no wordlists/*.tsv found"
    result = invoke("tables", "check", *map(str, tables))
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert result.exit_code == 0 and not errors, "\n".join(errors[:20])


# --- show --------------------------------------------------------------------


def test_show_lists_entries_with_weight_context_and_file_line(tmp_path):
    table = write(
        tmp_path, "user.tsv",
        "mentioned\tsaid\t0.8",
        "mentioned\tnoted\t0.2\tprev=he|she",
        "mentioned above\tabove\t0.3",
    )
    result = invoke("tables", "show", "Mentioned", "--table", table, "--no-builtin-tables")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "'Mentioned': 2 entries"
    # case is applied as respin would; highest weight first
    assert lines[1].split() == ["→", "Said", "weight", "0.800", "user.tsv:1"]
    assert lines[2].split() == ["→", "Noted", "weight", "0.200", "user.tsv:2", "only", "where", "prev=he|she"]
    assert "'mentioned above'" in lines[3]


def test_show_reports_a_keep_row_veto(tmp_path):
    table = write(tmp_path, "user.tsv", "general\tcommon\t0.5", "general\t-\t1\tprev=@Cap")
    result = invoke("tables", "show", "general", "--table", table, "--no-builtin-tables")
    assert result.exit_code == 0
    assert "keep (user.tsv:2): vetoes every entry above where prev=@Cap" in result.stdout


def test_show_multiword_phrase_and_unknown_phrase(tmp_path):
    table = write(tmp_path, "user.tsv", "japanese europe\tEastern Europe\t0.9")
    shown = invoke("tables", "show", "Japanese", "Europe", "--table", table, "--no-builtin-tables")
    assert "→ Eastern Europe" in shown.stdout and "user.tsv:1" in shown.stdout
    unknown = invoke("tables", "show", "Europe", "--table", table, "--no-builtin-tables")
    assert unknown.exit_code == 0
    assert "no table entry for 'Europe'" in unknown.stdout


def test_show_says_when_a_phrase_is_protected():
    entry = Entry("general", "common", 0.5, (), "t.tsv:1")
    tables = build_tables([entry], [("secretary", "general"), ("general",)], "x")
    lines = describe("general", tables)
    assert lines[0].startswith("protected: 'general' is a protected term")
    assert "  (but the phrase is protected, so none of these is ever proposed)" in lines
    tables = build_tables([entry], [("secretary", "general")], "x")
    lines = describe("general", tables)
    assert lines[0] == "protected inside 'secretary general': left alone there"
    assert lines[2].split() == ["→", "common", "weight", "0.500", "t.tsv:1"]
    assert not any("never proposed" in line for line in lines)  # only inside the term


def test_show_with_a_missing_table_is_a_one_line_error(tmp_path):
    result = invoke("tables", "show", "x", "--table", str(tmp_path / "nope.tsv"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "nope.tsv" in result.stderr
