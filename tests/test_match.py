"""respin match / respin index and --reference-dir: finding a spun page's source.

The pools are the team's texts: tests/data/clean/*.txt (nine articles on
unrelated subjects) and tests/data/reference/ (an original, its spun copy,
and another article on the same story, with the same names).
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from helpers import DATA

from respin.cli import main
from respin.match import (
    INDEX_MAGIC,
    MATCH_CUT,
    IndexPool,
    MemoryPool,
    build_index,
    find_source,
    fingerprints,
    memory_pool,
)

TEXTS = DATA / "reference"
CLEAN = DATA / "clean"
ORIGINAL = str(TEXTS / "original.txt")
OTHER_STORY = str(TEXTS / "other_story.txt")
SPUN = str(TEXTS / "spun.txt")


def read(path) -> str:
    return open(path, encoding="utf-8").read()


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input)


@pytest.fixture()
def pool_dir(tmp_path):
    """A folder with the clean articles, the original and the same-story article."""
    folder = tmp_path / "pool"
    shutil.copytree(CLEAN, folder)
    shutil.copy(ORIGINAL, folder / "original.txt")
    shutil.copy(OTHER_STORY, folder / "other_story.txt")
    return folder


def test_a_spun_page_finds_its_original_through_the_spin():
    pool = memory_pool([str(CLEAN), ORIGINAL, OTHER_STORY])
    found = find_source(read(SPUN), pool)
    assert found.path == ORIGINAL
    assert found.score > 2 * MATCH_CUT
    assert found.shared_sentences >= 10  # of its 11 sentences


def test_a_spun_page_whose_source_is_absent_gets_no_match_not_its_neighbour_on_the_same_story():
    pool = memory_pool([str(CLEAN), OTHER_STORY])
    found = find_source(read(SPUN), pool)
    assert found.path is None
    assert found.score < MATCH_CUT


def test_a_clean_article_finds_itself_and_nothing_else():
    article = read(CLEAN / "sports.txt")
    assert find_source(article, memory_pool([str(CLEAN)])).path == str(CLEAN / "sports.txt")
    others = [str(p) for p in CLEAN.glob("*.txt") if p.name != "sports.txt"]
    assert find_source(article, memory_pool([*others, ORIGINAL, OTHER_STORY])).path is None


def test_fingerprints_survive_synonym_swaps():
    original = set(fingerprints(read(ORIGINAL)))
    spun = set(fingerprints(read(SPUN)))
    other = set(fingerprints(read(OTHER_STORY)))
    assert len(spun & original) > 0.5 * len(spun)
    assert len(spun & other) < 0.1 * len(spun)


def test_a_short_text_says_too_little_to_match():
    pool = MemoryPool([("original", fingerprints(read(ORIGINAL)))])
    assert find_source("Port Alder will shut the bridge.", pool).path is None


def test_an_index_answers_as_the_pool_in_memory(tmp_path, pool_dir):
    index = tmp_path / "pool.index"
    assert build_index([str(pool_dir)], str(index)) == 11
    from_disk = IndexPool(str(index))
    in_memory = memory_pool([str(pool_dir)])
    for query in [SPUN, ORIGINAL, OTHER_STORY, CLEAN / "weather.txt"]:
        a, b = find_source(read(query), from_disk), find_source(read(query), in_memory)
        assert (a.path and a.path.rsplit("/", 1)[1], round(a.score, 6)) == (b.path and b.path.rsplit("/", 1)[1],
                                                                              round(b.score, 6))
    assert find_source(read(SPUN), from_disk).path == str(pool_dir / "original.txt")


def test_match_command_json_lines_and_exit_code(pool_dir):
    (pool_dir / "original.txt").unlink()
    result = run(["match", SPUN, str(CLEAN / "culture.txt"), "--against", str(pool_dir), "--format", "json"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == [SPUN, str(CLEAN / "culture.txt")]
    assert lines[0]["match"] is None  # only the other article on the same story is there
    assert lines[1]["match"] == str(pool_dir / "culture.txt")
    assert set(lines[0]) >= {"file", "match", "score", "shared_sentences"}
    assert result.exit_code == 1  # one file found no source


def test_index_build_and_match_index_from_the_command_line(tmp_path, pool_dir):
    index = tmp_path / "pool.index"
    built = run(["index", "build", str(pool_dir), "-o", str(index)])
    assert built.exit_code == 0, built.output
    assert index.read_bytes().startswith(INDEX_MAGIC)
    result = run(["match", SPUN, "--index", str(index)])
    assert result.exit_code == 0
    assert result.output.startswith(f"{SPUN}: {pool_dir / 'original.txt'} (score ")


def test_match_refuses_a_file_that_is_not_an_index_and_a_missing_pool(tmp_path):
    bogus = tmp_path / "bogus.index"
    bogus.write_bytes(INDEX_MAGIC + b"\xff" * 20)
    result = run(["match", SPUN, "--index", str(bogus)])
    assert result.exit_code == 2 and "damaged respin index" in result.output
    result = run(["match", SPUN, "--against", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such file or folder" in result.output
    assert run(["match", SPUN]).exit_code == 2  # no pool at all


def test_fix_with_reference_dir_uses_the_source_it_finds(pool_dir):
    with_dir = run(["fix", SPUN, "--reference-dir", str(pool_dir)])
    assert with_dir.exit_code == 0
    assert f"reference {pool_dir / 'original.txt'}" in with_dir.stderr
    with_reference = run(["fix", SPUN, "--reference", ORIGINAL])
    assert with_dir.stdout == with_reference.stdout


def test_fix_with_reference_dir_lacking_the_source_uses_none(pool_dir):
    (pool_dir / "original.txt").unlink()
    result = run(["fix", SPUN, "--reference-dir", str(pool_dir)])
    assert "reference none" in result.stderr
    assert result.stdout == run(["fix", SPUN]).stdout


def test_diff_takes_reference_dir(pool_dir):
    result = run(["diff", SPUN, "--reference-dir", str(pool_dir), "--format", "unified"])
    assert result.exit_code == 0
    assert "+Port Alder will close the Harbour Bridge" in result.stdout


def test_batch_reports_each_files_reference(tmp_path, pool_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SPUN, inputs / "spun.txt")
    shutil.copy(CLEAN / "typos.txt", inputs / "typos.txt")
    (pool_dir / "typos.txt").unlink()
    report = tmp_path / "report.jsonl"
    result = run(["batch", str(inputs), str(tmp_path / "out"), "--jobs", "1", "--quiet",
                  "--reference-dir", str(pool_dir), "--report", str(report)])
    assert result.exit_code == 0, result.output
    lines = {json.loads(line)["path"]: json.loads(line) for line in report.read_text().splitlines()}
    assert lines["spun.txt"]["reference"] == str(pool_dir / "original.txt")
    assert lines["typos.txt"]["reference"] is None
    assert (tmp_path / "out" / "spun.txt").read_text() == run(["fix", SPUN, "--reference", ORIGINAL]).stdout


def test_seed_000_finds_its_restoration_and_not_seed_002_on_the_same_story():
    from helpers import EXAMPLES, REFERENCE_SEED, SPUN_SEED_FILES

    restored = DATA / "restored"
    with_source = memory_pool([str(restored), str(EXAMPLES / f"{REFERENCE_SEED}.txt"), str(CLEAN)])
    without = memory_pool([str(EXAMPLES / f"{REFERENCE_SEED}.txt"), str(CLEAN)])
    for name in SPUN_SEED_FILES:
        spun = read(EXAMPLES / name)
        assert find_source(spun, with_source).path == str(restored / name)
        assert find_source(spun, without).path is None


def test_a_page_copied_from_an_article_the_pool_keeps_an_excerpt_of(tmp_path):
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text("\n\n".join(read(ORIGINAL).split("\n\n")[:2]) + "\n", encoding="utf-8")
    pool = memory_pool([str(CLEAN), OTHER_STORY, str(excerpt)])
    found = find_source(read(SPUN), pool)
    assert found.path == str(excerpt)
    assert found.shared_sentences == 4  # the excerpt's four sentences


def test_an_index_of_another_format_is_refused(tmp_path):
    old = tmp_path / "old.index"
    header = json.dumps({"version": 1, "sample": 4, "paths": [], "keys": 0, "keys_at": 64}).encode()
    old.write_bytes(INDEX_MAGIC + len(header).to_bytes(8, "little") + header)
    result = run(["match", SPUN, "--index", str(old)])
    assert result.exit_code == 2 and "another version of respin" in result.output
