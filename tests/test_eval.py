"""respin eval: metrics on hand-computed cases, the baseline, the simulated spinner and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import DATA

from respin.cli import main
from respin.config import Config
from respin.metrics import Counts, compare, damage, edits, word_errors, words

ORIGINAL = "they said the meeting was good"
SPUN = "they mentioned the assembly was good"
OUTPUT = "they said the assembly was nice"

TABLE = "mentioned\tsaid\t0.85\nmentioned\tnoted\t0.1\nsafety\tsecurity\t0.7\nassembly\tmeeting\t0.8\n"


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "table.tsv"
    path.write_text(TABLE, encoding="utf-8")
    return path


@pytest.fixture()
def table_config(table):
    return Config(tables=(str(table),), builtin_tables=False)


# --- metrics ---------------------------------------------------------------


def test_hand_computed_pair():
    counts = compare(ORIGINAL, SPUN, OUTPUT)
    assert (counts.tokens, counts.damaged, counts.restored, counts.broken) == (6, 2, 1, 1)
    assert (counts.edited, counts.correct) == (2, 1)
    assert counts.precision == pytest.approx(1 / 2)
    assert counts.recall == pytest.approx(1 / 2)
    assert counts.wer_before == pytest.approx(2 / 6)
    assert counts.wer_after == pytest.approx(2 / 6)
    assert counts.error_reduction == pytest.approx(0.0)
    assert counts.false_per_1000 is None  # the original was not fixed on its own


def test_phrase_of_different_length_counts_every_word():
    original = "allies will never join the pact"
    spun = "allies won't ever be a part of the pact"
    assert damage(words(original), words(spun), words(original)) == (6, 6, 0)
    assert edits(words(original), words(spun), words(original)) == (6, 6)
    assert word_errors(words(original), words(spun)) == 6
    counts = compare(original, spun, original)
    assert counts.wer_after == 0.0 and counts.error_reduction == 1.0


def test_deletions_are_edits_judged_against_the_original():
    assert edits("a new war".split(), "a brand new war".split(), "a new war".split()) == (1, 1)
    # Deleting a word the original has is a wrong edit and breaks that word.
    assert edits("a big dog".split(), "a big dog".split(), "a dog".split()) == (1, 0)
    assert damage("a big dog".split(), "a big dog".split(), "a dog".split()) == (0, 0, 1)


def test_case_matters():
    assert damage(["Said"], ["Mentioned"], ["said"]) == (1, 0, 0)


def test_false_changes_per_thousand_words():
    original = " ".join(["word"] * 499 + ["said"])
    changed = " ".join(["word"] * 499 + ["mentioned"])
    counts = compare(original, original, original, fixed_original=changed)
    assert counts.false_changes == 1
    assert counts.false_per_1000 == pytest.approx(2.0)
    assert counts.damaged == 0 and counts.recall is None and counts.error_reduction is None


def test_totals_are_sums_not_means_of_rates():
    total = compare(ORIGINAL, SPUN, OUTPUT) + compare("a b c d", "a b c d", "a b c d")
    assert total.tokens == 10
    assert total.wer_before == pytest.approx(2 / 10)
    assert total + Counts() == total


# --- baseline and simulated spinner ---------------------------------------


def test_dictionary_baseline_takes_the_heaviest_original_everywhere(table_config):
    from respin.evaluate import dictionary_restore

    text = "Mentioned: the assembly mentioned safety."
    assert dictionary_restore(text, table_config) == "Said: the meeting said security."


def test_simulated_spinner_inverts_the_tables_with_case(table_config):
    from respin.simulate import invert, spin
    from respin.tables import load_tables

    inverse = invert(load_tables(table_config.tables, False))
    assert inverse[("said",)] == (("mentioned", 0.85),)
    text = "Said the chair: the meeting said SECURITY first."
    spun = spin(text, inverse, rate=1.0)
    assert spun == "Mentioned the chair: the assembly mentioned SAFETY first."
    assert spin(text, inverse, rate=0.0) == text
    assert spin(text * 20, inverse, rate=0.5, seed=3) == spin(text * 20, inverse, rate=0.5, seed=3)
    assert spin(text * 20, inverse, rate=0.5, seed=3) != spin(text * 20, inverse, rate=0.5, seed=4)


# --- the command line ------------------------------------------------------


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_eval_cli_json_reports_respin_and_baseline(tmp_path, table):
    spun = _write(tmp_path, "spun.txt", "They mentioned the assembly would start at noon.\n")
    orig = _write(tmp_path, "orig.txt", "They said the meeting would start at noon.\n")
    result = CliRunner().invoke(
        main, ["eval", spun, orig, "--no-builtin-tables", "--table", str(table), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["systems"] == ["respin", "dictionary"]
    assert report["pairs"][0]["name"] == "spun"
    baseline = report["total"]["dictionary"]
    assert (baseline["damaged"], baseline["restored"], baseline["broken"]) == (2, 2, 0)
    assert baseline["wer_after"] == 0.0 and baseline["false_changes"] == 0
    assert report["total"]["respin"]["damaged"] == 2


def test_eval_cli_pairs_file_with_relative_paths_prints_a_plain_table(tmp_path, table):
    sub = tmp_path / "data"
    sub.mkdir()
    _write(sub, "a_spun.txt", "The assembly went well.\n")
    _write(sub, "a_orig.txt", "The meeting went well.\n")
    _write(sub, "ref.txt", "The meeting went well, officials said.\n")
    pairs = _write(sub, "pairs.jsonl", json.dumps({"spun": "a_spun.txt", "orig": "a_orig.txt", "reference": "ref.txt"}) + "\n")
    result = CliRunner().invoke(
        main, ["eval", "--pairs", pairs, "--no-builtin-tables", "--table", str(table), "--baseline", "none"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["pair", "system", "words"]
    assert [line.split()[:2] for line in lines[1:]] == [["a_spun", "respin"], ["TOTAL", "respin"]]
    assert "dictionary" not in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.txt", "orig.txt"], "missing.txt: no such file"),
        (["orig.txt"], "give SPUN and ORIGINAL"),
        (["orig.txt", "orig.txt", "--pairs", "pairs.jsonl"], "not both"),
        (["--pairs", "bad.jsonl"], "bad.jsonl:2: not valid JSON"),
        (["--pairs", "nofield.jsonl"], "nofield.jsonl:1: missing or non-string field 'orig'"),
        (["--pairs", "empty.jsonl"], "empty.jsonl: no pairs"),
        (["--pairs", "dangling.jsonl"], "gone.txt: no such file"),
    ],
)
def test_eval_cli_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "orig.txt", "They said so.\n")
    good = json.dumps({"spun": "orig.txt", "orig": "orig.txt"})
    _write(tmp_path, "bad.jsonl", good + "\n{not json\n")
    _write(tmp_path, "nofield.jsonl", json.dumps({"spun": "orig.txt"}) + "\n")
    _write(tmp_path, "empty.jsonl", "\n")
    _write(tmp_path, "dangling.jsonl", json.dumps({"spun": "orig.txt", "orig": "gone.txt"}) + "\n")
    result = CliRunner().invoke(main, ["eval", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


# --- the hand-restored seeds -----------------------------------------------


def _seed_report(config):
    from respin.evaluate import evaluate, load_pairs

    return evaluate(load_pairs(DATA / "pairs.jsonl"), config)


def _builtin_config():
    from respin.tables import load_tables

    if not load_tables((), True).size:
        pytest.skip("no built-in tables in wordlists/ yet")
    return Config()


@pytest.mark.parametrize("which", ["mini table", "built-in tables"])
def test_seeds_respin_reduces_errors_with_precise_edits(which, mini_config):
    config = mini_config if which == "mini table" else _builtin_config()
    report = _seed_report(config)
    respin, baseline = report.total("respin"), report.total("dictionary")
    print(
        f"\n[{which}] seeds with reference: WER {respin.wer_before:.1%} -> {respin.wer_after:.1%} "
        f"(reduction {respin.error_reduction:.1%}), precision {respin.precision:.1%}, recall {respin.recall:.1%}, "
        f"false changes {respin.false_per_1000:.1f}/1k; dictionary: WER after {baseline.wer_after:.1%}, "
        f"precision {baseline.precision:.1%}, false changes {baseline.false_per_1000:.1f}/1k"
    )
    assert respin.wer_after < respin.wer_before
    assert respin.precision >= 0.7
