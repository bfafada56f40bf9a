"""respin check: verdicts on the seeds and clean prose, the verdict rules, and the CLI contract."""

from __future__ import annotations

import json
import shlex

import pytest
from click.testing import CliRunner
from helpers import CLEAN_FILES, DATA, EXAMPLES, ROOT, SPUN_SEED_FILES

from respin.detect import (
    CLEAN,
    SPUN,
    UNCERTAIN,
    Cutoffs,
    assess,
    spun_phrases,
)
from respin.cli import main
from respin.decide import spin_density
from respin.records import Fix, Result

SPUN_SEEDS = SPUN_SEED_FILES
NOT_SPUN_SEEDS = ["002_7d6c65d472a597a6.txt", "004_ea844aa1372452d4.txt"]


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, ["check", *args], input=input)


def verdicts(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


# --- the acceptance cases: real documents through the real engine ------------


@pytest.mark.parametrize("seed", SPUN_SEEDS)
def test_spun_seeds_are_spun(seed):
    result = run("--format", "json", str(EXAMPLES / seed))
    assert result.exit_code == 1, result.stderr
    [verdict] = verdicts(result)
    assert verdict["verdict"] == SPUN
    assert verdict["strong"] >= 3
    assert verdict["evidence"], "a spun verdict shows its evidence"


@pytest.mark.parametrize("seed", NOT_SPUN_SEEDS)
def test_clean_reference_and_machine_translation_are_not_spun(seed):
    result = run("--format", "json", str(EXAMPLES / seed))
    assert result.exit_code == 0, result.stderr
    [verdict] = verdicts(result)
    assert verdict["verdict"] != SPUN


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.name)
def test_clean_prose_is_not_spun(path):
    """Never-spun news on several topics, incl. "mentioned"/"safety" used correctly and typos."""
    result = run("--format", "json", str(path))
    assert result.exit_code == 0, result.stderr
    [verdict] = verdicts(result)
    assert verdict["verdict"] != SPUN


# Written for this test: clean news crammed with words spinners produce ("mentioned",
# "safety", "navy", "officers", "assembly", "however", "critical", "management"),
# each used as a reporter would.
LOADED_CLEAN = [
    "The navy said on Monday that two officers had been suspended after a safety review found critical "
    "flaws in how the ship's fuel was stored. The review, which the admiral mentioned in a brief statement, "
    "was ordered last spring after a fire in the engine room injured four sailors.\n\n"
    "Officials said the management of the base would change hands next month. However, they declined to "
    "name the new commander. The United Nations General Assembly is expected to discuss maritime safety at "
    "its autumn session, and several delegations have mentioned the incident as an example of the risks "
    "that aging fleets pose.\n",
    "Police officers were called to the assembly hall on Friday evening after a critical water main burst "
    "beneath the stage, flooding the basement. No one was hurt. The school's management said classes would "
    "resume on Monday, but the hall would remain closed while engineers assessed the damage.\n\n"
    "Parents mentioned that the building had flooded before, in 2019, and asked whether safety checks had "
    "been carried out since. However, the head teacher said the priority now was to keep students learning.\n",
]


@pytest.mark.parametrize("text", LOADED_CLEAN, ids=["navy", "school"])
def test_clean_prose_full_of_spinner_words_is_not_spun(text):
    result = run("--format", "json", "-", input=text)
    assert result.exit_code == 0, result.stderr
    [verdict] = verdicts(result)
    assert verdict["verdict"] != SPUN


def test_clean_files_exist():
    # The parametrized test above would silently run zero cases without them.
    assert len(CLEAN_FILES) >= 5


def test_one_glaring_phrase_in_clean_text_is_uncertain(tmp_path):
    table = tmp_path / "extra.tsv"
    table.write_text("Secretary-Common\tSecretary-General\t0.9\n", encoding="utf-8")
    article = tmp_path / "article.txt"
    clean = (DATA / "clean" / "science.txt").read_text(encoding="utf-8")
    article.write_text("The NATO Secretary-Common, Jens Stoltenberg, said the talks would go on. " + clean,
                       encoding="utf-8")
    result = run("--format", "json", "--table", str(table), str(article))
    assert result.exit_code == 0, result.stderr
    [verdict] = verdicts(result)
    assert verdict["verdict"] == UNCERTAIN
    assert verdict["evidence"][0]["before"] == "Secretary-Common"


# --- the command-line contract ------------------------------------------------


def test_several_files_exit_1_when_any_is_spun_and_report_each():
    names = [str(EXAMPLES / NOT_SPUN_SEEDS[0]), str(EXAMPLES / SPUN_SEEDS[0])]
    result = run(*names)
    assert result.exit_code == 1, result.stderr
    assert f"{names[0]}: CLEAN" in result.stdout or f"{names[0]}: UNCERTAIN" in result.stdout
    assert f"{names[1]}: SPUN" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("2 documents: 1 spun")


def test_text_output_shows_density_and_top_phrases_with_scores():
    result = run("--top", "2", str(EXAMPLES / SPUN_SEEDS[2]))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "per 1,000 words" in lines[0]
    evidence = [line for line in lines[2:] if "→" in line]
    assert len(evidence) == 2
    scores = [float(line.split()[0]) for line in evidence]
    assert scores == sorted(scores, reverse=True)


def test_json_is_one_object_per_document():
    names = [str(EXAMPLES / s) for s in SPUN_SEEDS]
    result = run("--format", "json", *names)
    assert result.exit_code == 1
    rows = verdicts(result)
    assert [r["file"] for r in rows] == names
    for row in rows:
        assert {"verdict", "reason", "density", "confident", "words", "fixes", "phrases", "strong",
                "evidence"} <= set(row)
        scores = [e["score"] for e in row["evidence"]]
        assert scores == sorted(scores, reverse=True)
        assert row["density"] > 0 and row["words"] > 0


def test_stdin_with_dash():
    text = (EXAMPLES / SPUN_SEEDS[1]).read_text(encoding="utf-8")
    result = run("--format", "json", "-", input=text)
    assert result.exit_code == 1, result.stderr
    [verdict] = verdicts(result)
    assert verdict["file"] == "<stdin>" and verdict["verdict"] == SPUN


def test_threshold_is_the_fix_margin():
    # With an unreachable margin no fix is applied, so there is no varied evidence of spinning.
    result = run("--format", "json", "--threshold", "100", str(EXAMPLES / SPUN_SEEDS[0]))
    assert result.exit_code == 0, result.stderr
    [verdict] = verdicts(result)
    assert verdict["fixes"] == 0 and verdict["verdict"] == UNCERTAIN


def test_verdict_cutoffs_are_options():
    path = str(EXAMPLES / SPUN_SEEDS[0])
    result = run("--format", "json", "--spun-density", "100000", "--clean-density", "100000", path)
    assert result.exit_code == 0
    assert verdicts(result)[0]["verdict"] == UNCERTAIN  # strong phrases, but below any density
    result = run("--format", "json", "--min-phrases", "100000", path)
    assert result.exit_code == 0
    assert verdicts(result)[0]["verdict"] == UNCERTAIN


def test_missing_file_is_an_input_error_and_the_others_get_their_verdict():
    result = run(str(EXAMPLES / SPUN_SEEDS[0]), "no/such/file.txt")
    assert result.exit_code == 2  # worse than the spun file's 1
    assert result.stdout.startswith(f"{EXAMPLES / SPUN_SEEDS[0]}: SPUN")
    assert result.stderr.strip().splitlines() == ["respin: error: no/such/file.txt: no such file"]


def test_binary_and_non_utf8_input_are_input_errors(tmp_path):
    binary = tmp_path / "a.bin"
    binary.write_bytes(b"\x00\x01\x02")
    latin = tmp_path / "b.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    for path in (binary, latin):
        result = run(str(path))
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and str(path) in result.stderr


def test_contradictory_cutoffs_are_a_usage_error():
    result = run("--clean-density", "50", "--spun-density", "20", str(EXAMPLES / SPUN_SEEDS[0]))
    assert result.exit_code == 2
    assert "--clean-density" in result.stderr


def test_bad_option_value_is_a_usage_error():
    result = run("--format", "yaml", str(EXAMPLES / SPUN_SEEDS[0]))
    assert result.exit_code == 2


def test_pre_commit_hook_runs_respin_check():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "respin-check"]
    assert hook["language"] == "python"
    program, command = shlex.split(hook["entry"])
    assert program == "respin" and command == "check"
    # pre-commit appends the staged file names to the entry.
    clean = CliRunner().invoke(main, [command, *map(str, CLEAN_FILES[:3])])
    assert clean.exit_code == 0, clean.stderr
    spun = CliRunner().invoke(main, [command, str(EXAMPLES / SPUN_SEEDS[0])])
    assert spun.exit_code == 1


# --- the verdict rules, on hand-made results (independent of the tables) ------


def make_fix(before: str, after: str, score: float, start: int = 0) -> Fix:
    return Fix(start, start + len(before), before, after, score, -0.5, score)


def make_result(fixes: list[Fix], density: float, words: int = 500) -> Result:
    return Result("", "", tuple(fixes), words=words, stats={"density": density, "confident": len(fixes)})


def test_dense_and_varied_is_spun():
    fixes = [make_fix(w, "x", 3.0, i * 20) for i, w in enumerate(["mentioned", "safety", "critical", "cease"])]
    verdict = assess(make_result(fixes, density=60.0))
    assert verdict.label == SPUN and verdict.spun and verdict.phrases == 4


def test_dense_but_one_repeated_phrase_is_not_spun():
    """A clean article that says "mentioned" over and over."""
    fixes = [make_fix("mentioned", "said", 2.0, i * 20) for i in range(12)]
    verdict = assess(make_result(fixes, density=60.0))
    assert verdict.label == UNCERTAIN
    assert verdict.phrases == 1 and verdict.evidence[0].count == 12


def test_dense_with_many_weak_phrases_is_not_spun():
    """Several genuine uses each nudged just past the fix margin are not a spinner's work."""
    fixes = [make_fix(w, "x", 1.5, i * 20) for i, w in enumerate(["mentioned", "safety", "navy", "officers"])]
    verdict = assess(make_result(fixes, density=25.0))
    assert verdict.label == UNCERTAIN and verdict.phrases == 4 and verdict.strong == 0
    fixes[0] = make_fix("calls for", "demands", 2.5)
    fixes[1] = make_fix("critical", "serious", 3.0, 20)
    assert assess(make_result(fixes, density=25.0)).strong == 2
    fixes[2] = make_fix("Jap Europe", "Eastern Europe", 6.0, 40)
    assert assess(make_result(fixes, density=25.0)).label == SPUN


def test_one_glaring_phrase_is_uncertain_and_a_weak_one_is_clean():
    glaring = assess(make_result([make_fix("Secretary-Common", "Secretary-General", 7.5)], density=4.0))
    assert glaring.label == UNCERTAIN
    weak = assess(make_result([make_fix("mentioned", "said", 1.5)], density=4.0))
    assert weak.label == CLEAN


def test_between_the_cutoffs_is_uncertain():
    fixes = [make_fix(w, "x", 2.0, i * 20) for i, w in enumerate("abcdef")]
    assert assess(make_result(fixes, density=15.0)).label == UNCERTAIN
    assert assess(make_result(fixes, density=15.0), Cutoffs(spun_density=15.0)).label == SPUN
    assert assess(make_result(fixes, density=15.0), Cutoffs(clean_density=16.0, spun_density=20.0)).label == CLEAN


def test_no_fixes_and_low_density_is_clean():
    verdict = assess(make_result([], density=0.5))
    assert verdict.label == CLEAN and verdict.evidence == ()


def test_density_falls_back_to_the_fixes_without_engine_stats():
    fixes = [make_fix(w, "x", 3.0, i * 20) for i, w in enumerate("abcdefghij")]
    verdict = assess(Result("", "", tuple(fixes), words=100))
    assert verdict.density == pytest.approx(spin_density(10, 100)) and verdict.density > 0
    assert verdict.confident == 10 and verdict.phrases == 10


def test_spun_phrases_group_case_insensitively_keep_best_score_and_first_offset():
    fixes = [make_fix("Mentioned", "Said", 1.0, 50), make_fix("mentioned", "said", 3.0, 10),
             make_fix("safety", "security", 2.0, 30)]
    phrases = spun_phrases(fixes)
    assert [(p.before.lower(), p.count, p.score, p.start) for p in phrases] == [
        ("mentioned", 2, 3.0, 10), ("safety", 1, 2.0, 30)]


def test_top_limits_the_evidence_but_not_the_count():
    fixes = [make_fix(w, "x", float(i), i * 20) for i, w in enumerate("abcdefgh")]
    verdict = assess(make_result(fixes, density=50.0), top=3)
    assert verdict.phrases == 8
    assert [p.before for p in verdict.evidence] == ["h", "g", "f"]


@pytest.mark.parametrize("no_color", ["", "1"])
def test_colour_on_a_terminal_unless_no_color_is_set(no_color):
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    env = {**os.environ, "NO_COLOR": no_color, "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "respin", "check", str(EXAMPLES / SPUN_SEEDS[0])],
                          env=env, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "SPUN" in child.before
    assert ("\x1b[" in child.before) == (not no_color)
