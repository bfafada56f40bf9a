"""Unsupervised learning: a spinner's swaps from its output alone (`learn --unsupervised`, `batch --adapt`).

The corpus in tests/data/unsupervised is team-written: six short local-news
items in which a "spinner" wrote "functionaries" for "officials" and
"conflagration" for "fire" throughout (and, too rarely to be sure of,
"constabulary" for "police", "dwellings" for "homes", "fortnight" for
"week", "precipitation" for "rain"), while "quick", "garden" and the rest
are genuine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from respin.cli import main
from respin.decipher import Corpus, Options, learn_channel
from respin.lm import load_scorer
from respin.tablecheck import check_tables
from respin.tables import read_table

CORPUS = Path(__file__).resolve().parent / "data" / "unsupervised"
CLEAN = Path(__file__).resolve().parent / "data" / "clean"


class DictSource:
    """A candidate source from a dict: the interface any channel plugs into."""

    def __init__(self, table: dict[str, list[tuple[str, float]]]) -> None:
        self.table = table

    def candidates(self, spun: str) -> list[tuple[str, float]]:
        return self.table.get(spun, [])


SOURCE = DictSource({
    "functionaries": [("clerks", 0.05), ("officials", 0.05), ("workers", 0.05)],
    "conflagration": [("blaze", 0.05), ("fire", 0.05)],
    "quick": [("fast", 0.05), ("rapid", 0.05)],
    "garden": [("park", 0.05), ("yard", 0.05)],
    "heavy": [("big", 0.05), ("large", 0.05)],
})


LEARNED = [("conflagration", "fire"), ("functionaries", "officials")]


def texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_recovers_a_swap_used_throughout_and_leaves_genuine_words():
    learned, summary = learn_channel(texts(), SOURCE, load_scorer())
    assert [(e.spun, e.original) for e in learned] == [("conflagration", "fire"), ("functionaries", "officials")]
    entry = learned[1]
    assert entry.occurrences == 9 and entry.weight > 0.9  # "officials" never appears plainly
    assert summary.documents == 6 and summary.types == 5


def test_a_swap_seen_once_is_not_learned():
    one = texts()[:1]  # "functionaries" twice in one text, below the evidence it needs
    learned, _ = learn_channel(one, SOURCE, load_scorer(), Options(min_occurrences=3))
    assert learned == []


def test_an_original_used_plainly_is_not_learned():
    # When the texts say "officials" as often as "functionaries", the latter is a genuine word.
    plain = [t.replace("functionaries", "officials", 1).replace("Functionaries", "Officials", 1) for t in texts()]
    plain += [t.replace("unctionaries", "ormer officials") for t in texts()]
    learned, _ = learn_channel(plain, SOURCE, load_scorer())
    assert ("functionaries", "officials") not in {(e.spun, e.original) for e in learned}


def test_result_does_not_depend_on_the_order_of_the_texts():
    forward, _ = learn_channel(texts(), SOURCE, load_scorer())
    backward, _ = learn_channel(texts()[::-1], SOURCE, load_scorer())
    assert forward == backward


def test_names_are_not_candidates():
    corpus = Corpus(["The mayor met Mr Quick in the Garden. Quick answers help."])
    assert "quick" in corpus.occurrences  # at the start of a sentence: maybe a word
    assert [position for _, position in corpus.occurrences["quick"]] == [0]  # "Mr Quick" is a name
    assert "garden" not in corpus.occurrences


def test_clean_text_teaches_nothing():
    learned, _ = learn_channel([p.read_text(encoding="utf-8") for p in sorted(CLEAN.glob("*.txt"))],
                               SOURCE, load_scorer())
    assert learned == []


# --- the command line ----------------------------------------------------------


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("profile") / "profile.tsv"
    result = invoke("learn", "--unsupervised", CORPUS, "-o", out)
    assert result.exit_code == 0, result.output
    assert "respin: learned 2 entries from 6 spun text(s)" in result.stderr
    return out


def test_cli_writes_an_ordinary_table_that_check_accepts(profile):
    text = profile.read_text(encoding="utf-8")
    assert text.startswith("# Learned by respin learn --unsupervised")
    assert "6 spun text(s)" in text and "weight = estimated P(spun | original)" in text
    assert [(e.spun, e.original) for e in read_table(profile)] == LEARNED
    assert check_tables([("profile.tsv", text)]) == []
    from respin.tables import builtin_table_paths

    together = [(p.name, p.read_text(encoding="utf-8")) for p in [*builtin_table_paths(), profile]]
    assert [p for p in check_tables(together) if p.severity == "error"] == []  # no chain with the built-in rows


def test_fix_uses_the_profile(profile):
    spun = (CORPUS / "storm.txt").read_text(encoding="utf-8")
    result = invoke("fix", "--table", profile, CORPUS / "storm.txt")
    assert result.exit_code == 0
    assert "Emergency officials said" in result.output
    assert result.output == spun.replace("functionaries", "officials")


def test_clean_folder_learns_nothing(tmp_path):
    out = tmp_path / "p.tsv"
    result = invoke("learn", "--unsupervised", CLEAN, "-o", out)
    assert result.exit_code == 0
    assert read_table(out) == []
    assert "respin: learned 0 entries" in result.stderr


def test_cli_files_and_folders_alike(tmp_path):
    out = tmp_path / "p.tsv"
    files = sorted(CORPUS.glob("*.txt"))
    result = invoke("learn", "--unsupervised", *files, "-o", out)
    assert result.exit_code == 0
    assert [(e.spun, e.original) for e in read_table(out)] == LEARNED


@pytest.mark.parametrize("args, message", [
    (["learn", "--unsupervised"], "takes spun FILES or folders"),
    (["learn", "--unsupervised", "no/such/folder"], "no such file or folder"),
    (["learn", "--min-score", "2", "a.txt", "b.txt"], "--min-score needs --unsupervised"),
])
def test_cli_usage_errors(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_empty_folder_and_no_overwrite(tmp_path):
    result = invoke("learn", "--unsupervised", tmp_path)
    assert result.exit_code == 2 and "no *.txt files" in result.stderr
    target = tmp_path / "a.txt"
    shutil.copy(CORPUS / "storm.txt", target)
    result = invoke("learn", "--unsupervised", tmp_path, "-o", target)
    assert result.exit_code == 2 and "is one of the inputs" in result.stderr
    assert target.read_text(encoding="utf-8") == (CORPUS / "storm.txt").read_text(encoding="utf-8")


# --- batch --adapt and check --profile -----------------------------------------


def test_batch_adapt_equals_fix_with_the_learned_table(tmp_path, profile):
    out = tmp_path / "out"
    result = invoke("batch", "--adapt", "--jobs", "1", "--quiet", CORPUS, out)
    assert result.exit_code == 0, result.output
    for source in sorted(CORPUS.glob("*.txt")):
        fixed = invoke("fix", "--table", profile, source)
        assert (out / source.name).read_text(encoding="utf-8") == fixed.output, source.name
    assert "functionaries" not in (out / "school.txt").read_text(encoding="utf-8")


def test_batch_adapt_is_part_of_the_settings(tmp_path):
    out = tmp_path / "out"
    assert invoke("batch", "--jobs", "1", "--quiet", CORPUS, out).exit_code == 0
    plain = (out / "school.txt").read_text(encoding="utf-8")
    assert "functionaries" in plain  # the built-in tables do not know this swap
    again = invoke("batch", "--adapt", "--jobs", "1", CORPUS, out)
    assert "settings differ" in again.stderr  # outputs made without the profile are redone
    assert "functionaries" not in (out / "school.txt").read_text(encoding="utf-8")
    resumed = invoke("batch", "--adapt", "--jobs", "1", CORPUS, out)
    assert "6 skipped (resumed)" in resumed.stderr  # same inputs: same profile, nothing redone


def test_check_reports_the_profile_a_document_matches(profile, tmp_path):
    digest = tmp_path / "digest.txt"  # the week's news from the same farm, in one document
    digest.write_text("\n".join(texts()), encoding="utf-8")
    result = invoke("check", "--profile", profile, digest, CORPUS / "school.txt")
    lines = [line.strip() for line in result.output.splitlines() if line.strip().startswith("profile:")]
    assert len(lines) == 2
    assert all(line.startswith(f"profile: {profile} (density") and "; built-in " in line for line in lines)
    clean = invoke("check", "--profile", profile, "--format", "json", CLEAN / "sports.txt")
    record = json.loads(clean.output)
    assert set(record["profile"]["densities"]) == {"built-in", str(profile)}


def test_check_profile_must_be_a_table(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("just one field\n", encoding="utf-8")
    result = invoke("check", "--profile", bad, CORPUS / "school.txt")
    assert result.exit_code == 2


def test_rows_the_tables_know_are_left_out_but_count_as_evidence():
    from respin.profiles import learn_unsupervised

    source = DictSource({**SOURCE.table, "mentioned": [("noted", 0.05), ("said", 0.05)]})
    spun = [t.replace(" said", " mentioned") for t in texts()]
    raw, _ = learn_channel(spun, source, load_scorer())
    assert ("mentioned", "said") in {(e.spun, e.original) for e in raw}
    learned, summary = learn_unsupervised(spun, source=source)
    assert [(e.spun, e.original) for e in learned] == LEARNED  # mentioned → said is a built-in row
    assert summary.not_spun is None


def test_looks_spun_needs_several_swaps_for_its_size():
    from respin.decipher import looks_spun

    assert not looks_spun(1, 300)  # one swap is a coincidence
    assert looks_spun(2, 300)
    assert not looks_spun(4, 13_000)  # clean news: a few topic words
    assert looks_spun(7, 4_400)
