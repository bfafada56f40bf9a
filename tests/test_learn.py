"""`respin learn`: tables from (spun, original) pairs, and the round trip through `fix`."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest
from click.testing import CliRunner

from respin.cli import main
from respin.learn import learn
from respin.tables import read_table
from respin.tokens import tokenize

LEARN = Path(__file__).resolve().parent / "data" / "learn"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def pairs_in(table: str | Path) -> set[tuple[str, str]]:
    return {(e.spun, e.original) for e in read_table(table)}


def word_substitutions(spun: str, original: str) -> list[tuple[str, str]]:
    """Word-level replacements between two texts (n-to-n runs split into words)."""
    a = [t.norm for t in tokenize(spun)]
    b = [t.norm for t in tokenize(original)]
    found = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            found += [(x, y) for x, y in zip(a[i1:i2], b[j1:j2]) if x != y]
        elif tag == "replace":
            found.append((" ".join(a[i1:i2]), " ".join(b[j1:j2])))
    return found


@pytest.fixture(scope="module")
def learned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("learn") / "learned.tsv"
    result = invoke("learn", str(LEARN / "spun.txt"), str(LEARN / "original.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "respin: learned " in result.stderr
    return out


# --- the acceptance round trip -----------------------------------------------


def test_learns_the_pairs_substitutions_and_not_the_noise(learned):
    pairs = pairs_in(learned)
    for expected in [("mentioned", "said"), ("officers", "officials"), ("safety", "security"),
                     ("assembly", "meeting"), ("called for", "demanded"), ("however", "but"),
                     ("considerations", "concerns")]:
        assert expected in pairs
    words = {w for pair in pairs for side in pair for w in side.split()}
    assert not any(c.isdigit() for w in words for c in w)  # "May 14" for "May 12", "4" for "four"
    # the reworded sentence ("The plan's budget is on the agenda for the council's next session")
    assert not words & {"plan's", "council's", "agenda", "discuss", "council", "plan"}


def test_learned_table_is_valid_sorted_and_says_where_it_came_from(learned):
    text = learned.read_text(encoding="utf-8")
    assert text.startswith("# Learned by respin learn")
    assert "spun.txt <- " in text and "original.txt" in text
    result = invoke("tables", "check", str(learned))
    assert (result.exit_code, result.stdout) == (0, "")  # no errors, no warnings (sorted)
    entries = read_table(learned)
    assert all(0 < e.weight <= 1 for e in entries)
    # seen 3 times of 5 "said" vs once of 2 "security": the weights follow the counts
    weight = {(e.spun, e.original): e.weight for e in entries}
    assert weight[("mentioned", "said")] > weight[("safety", "security")]


def test_fix_with_the_learned_table_restores_the_shared_substitutions(learned):
    new_spun = (LEARN / "new_spun.txt").read_text(encoding="utf-8")
    new_original = (LEARN / "new_original.txt").read_text(encoding="utf-8")
    table_pairs = {(s.lower(), o.lower()) for s, o in pairs_in(learned)}
    shared = [p for p in word_substitutions(new_spun, new_original) if p in table_pairs]
    assert len(shared) >= 7  # the new text reuses most of the pair's substitutions

    result = invoke("fix", str(LEARN / "new_spun.txt"), "--table", str(learned), "--no-builtin-tables")
    assert result.exit_code == 0, result.stderr
    left = word_substitutions(result.stdout, new_original)
    before = word_substitutions(new_spun, new_original)
    # every change moved the text toward the original: nothing new differs ...
    assert all(p in before for p in left)
    # ... and most shared substitutions are restored (the LM may keep one it prefers)
    restored = [p for p in shared if p not in left]
    assert len(restored) * 2 > len(shared), (restored, shared)


# --- noise and weights on small hand-made pairs -----------------------------------


def test_only_substitutions_inside_matching_sentences_count():
    spun = ("The officers mentioned the plan on Monday. "
            "Critics rejected the idea entirely and walked out of the hall in protest. "
            "The council will gather on Friday to talk about the plan. "
            "The Mayor mentioned the budget on May 3.")
    original = ("The officials said the plan on Monday. "
                "Angry critics refused to accept the idea and then left the hall. "
                "The council will gather on Friday to discuss the new plan. "
                "The mayor said the budget on May 4.")
    learned, stats = learn([(spun, original)])
    assert {(e.spun, e.original) for e in learned} == {("officers", "officials"), ("mentioned", "said")}
    # one sentence too different to pair; one paired but with a word added: both skipped whole
    assert (stats.unmatched, stats.reworded, stats.matched, stats.digits) == (1, 1, 2, 1)
    said = next(e for e in learned if e.spun == "mentioned")
    assert (said.count, said.occurrences) == (2, 2)  # "Mayor"→"mayor" is a case change, not an entry


def test_sentence_initial_capitals_are_not_learned_as_names():
    learned, _ = learn([("Officers met the press today. They left.", "Officials met the press today. They left.")])
    assert [(e.spun, e.original) for e in learned] == [("officers", "officials")]


def test_a_substitution_and_its_reverse_keep_only_the_more_frequent():
    spun = "It was about safety. We want safety now. They need security here."
    original = "It was about security. We want security now. They need safety here."
    learned, _ = learn([(spun, original)])
    assert [(e.spun, e.original, e.count) for e in learned] == [("safety", "security", 2)]


def test_learn_writes_to_stdout_without_o(tmp_path):
    (tmp_path / "s.txt").write_text("The officers left early today.", encoding="utf-8")
    (tmp_path / "o.txt").write_text("The officials left early today.", encoding="utf-8")
    result = invoke("learn", str(tmp_path / "s.txt"), str(tmp_path / "o.txt"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "officers\tofficials\t0.75"


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 3])
def test_odd_number_of_files_is_a_one_line_usage_error(tmp_path, count):
    files = []
    for i in range(count):
        (tmp_path / f"{i}.txt").write_text("text", encoding="utf-8")
        files.append(str(tmp_path / f"{i}.txt"))
    result = invoke("learn", *files, "-o", str(tmp_path / "out.tsv"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "SPUN ORIGINAL" in result.stderr
    assert not (tmp_path / "out.tsv").exists()


def test_missing_input_writes_nothing(tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("keep me\n", encoding="utf-8")
    result = invoke("learn", str(LEARN / "spun.txt"), str(tmp_path / "nope.txt"), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"respin: error: {tmp_path / 'nope.txt'}: no such file"
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_output_may_not_be_an_input(tmp_path):
    spun = tmp_path / "s.txt"
    spun.write_text("The officers left.", encoding="utf-8")
    (tmp_path / "o.txt").write_text("The officials left.", encoding="utf-8")
    result = invoke("learn", str(spun), str(tmp_path / "o.txt"), "-o", str(spun))
    assert result.exit_code == 2 and "is one of the inputs" in result.stderr
    assert spun.read_text(encoding="utf-8") == "The officers left."


def test_a_phrase_split_by_a_no_break_space_is_learned_as_one():
    learned, _ = learn([("Russia calls\u00a0for guarantees now. They left.", "Russia demands guarantees now. They left.")])
    assert [(e.spun, e.original) for e in learned] == [("calls for", "demands")]


def test_a_run_across_punctuation_is_not_learned():
    learned, stats = learn([("Russia calls, for guarantees now. They left.", "Russia demands guarantees now. They left.")])
    assert learned == [] and stats.punctuation == 1


def test_learn_drops_rows_that_would_chain_and_says_so(tmp_path):
    from click.testing import CliRunner

    from respin.cli import main
    from respin.tablecheck import check_table_files

    spun = tmp_path / "spun.txt"
    original = tmp_path / "original.txt"
    # "mentioned" was written for "said", and "said" for "told": a table with both would chain.
    spun.write_text("The officials mentioned the plan on Monday.\nThe mayor said reporters about it.\n",
                    encoding="utf-8")
    original.write_text("The officials said the plan on Monday.\nThe mayor told reporters about it.\n",
                        encoding="utf-8")
    table = tmp_path / "learned.tsv"
    result = CliRunner().invoke(main, ["learn", str(spun), str(original), "-o", str(table)])
    assert result.exit_code == 0
    rows = [line.split("\t")[:2] for line in table.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rows == [["said", "told"]]
    assert "respin: dropped a row: chain: 'mentioned' → 'said', but 'said' is itself a spun form" in result.stderr
    assert "dropped 1 that would chain" in result.stderr
    assert check_table_files([table]) == []
