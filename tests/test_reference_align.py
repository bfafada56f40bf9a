"""Alignment candidates: a reference that is the text's own source proposes its words.

The texts in tests/data/reference/ are the team's: original.txt, spun.txt
(original.txt with 34 swaps, most in no table: "substitute" for "replace",
"carrying out" for "wearing out", "3rd" for "third" ...), the original with
its third paragraph missing, with its paragraphs reordered, and
other_story.txt, another article on the same story with the same names.
"""

from __future__ import annotations

import re

import pytest
from helpers import DATA

import respin
from respin.reference import build_reference, word_opcodes

TEXTS = DATA / "reference"


def read(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def differing(a: str, b: str) -> int:
    from difflib import SequenceMatcher

    ops = SequenceMatcher(None, words(a), words(b), autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


@pytest.fixture(scope="module")
def spun() -> str:
    return read("spun.txt")


@pytest.fixture(scope="module")
def original() -> str:
    return read("original.txt")


def aligned_fixes(result) -> list:
    return [f for f in result.fixes if f.entry.startswith("reference alignment")]


def test_the_original_as_reference_restores_words_no_table_lists(spun, original):
    assert differing(spun, original) > 40
    result = respin.fix(spun, references=[original])
    # Left: "four"/"twenty" for "4"/"20" (the language model has no digits) and "3rd" for "third".
    assert differing(result.text, original) <= 3
    restored = {(f.before, f.after) for f in result.fixes}
    assert ("substitute", "replace") in restored
    assert ("carrying", "wearing") in restored
    assert ("Store house", "Shop") in restored


def test_an_aligned_fix_says_where_in_the_reference_it_comes_from(spun, original):
    fixes = aligned_fixes(respin.fix(spun, references=[original]))
    assert fixes
    replace = next(f for f in fixes if f.before == "substitute")
    assert re.fullmatch(r"reference alignment \(\w+\), reference sentence 1", replace.entry)
    assert replace.evidence[0].startswith("reference alignment")
    assert any("(the same sentence) has 'replace' in the same place" in line for line in replace.evidence)
    assert replace.reference > 2  # the reference term is part of the score


def test_a_reference_missing_a_paragraph_restores_the_others(spun, original):
    result = respin.fix(spun, references=[read("missing_paragraph.txt")])
    third = spun.split("\n\n")[2]
    start = spun.index(third)
    inside = [f for f in aligned_fixes(result) if start <= f.start < start + len(third)]
    assert inside == []  # nothing in the reference to align that paragraph with
    assert ("substitute", "replace") in {(f.before, f.after) for f in result.fixes}
    others = [p for k, p in enumerate(result.text.split("\n\n")) if k != 2]
    expected = [p for k, p in enumerate(original.split("\n\n")) if k != 2]
    assert sum(differing(a, b) for a, b in zip(others, expected)) <= 3


def test_a_reordered_reference_works_as_well_as_the_original(spun, original):
    in_order = respin.fix(spun, references=[original]).text
    assert respin.fix(spun, references=[read("reordered.txt")]).text == in_order


def test_another_article_on_the_same_story_proposes_nothing(spun):
    result = respin.fix(spun, references=[read("other_story.txt")])
    assert aligned_fixes(result) == []
    assert "Traffic" not in result.text


def test_text_that_the_reference_confirms_is_left_alone():
    # "mentioned", "safety" and "assembly" are spun forms in the tables, but
    # here they are the writer's own words: the reference has them too.
    text = ("The mayor mentioned the safety of the assembly hall twice during the meeting. "
            "She mentioned that the safety rules had been ignored for years.\n")
    assert respin.fix(text, references=[text]).text == text
    assert respin.fix(text, references=[text], config=respin.Config(spin_prior=0.0)).text == text


def test_the_original_fixed_with_itself_as_reference_is_unchanged(original):
    assert respin.fix(original, references=[original]).fixes == ()


def test_word_opcodes_merge_a_run_of_changes_into_one_replace():
    a = "there is a actual danger of brand new armed battle in europe".split()
    b = "there is a real risk of new armed conflict in europe".split()
    assert word_opcodes(a, b) == [
        ("equal", 0, 3, 0, 3), ("replace", 3, 5, 3, 5), ("equal", 5, 6, 5, 6),
        ("delete", 6, 7, 6, 6), ("equal", 7, 9, 6, 8), ("replace", 9, 10, 8, 9), ("equal", 10, 12, 9, 11),
    ]


def test_close_and_loose_sentence_matches():
    reference = build_reference(["The council said it would cut parking fees in the town centre.\n"
                                 "Strong winds can stop the cranes for days.\n"])
    spun = "the council mentioned it would minimize parking fees in the town centre".split()
    close = reference.align(spun)
    assert close is not None and close.close and close.index == 0
    unrelated = "the cranes were painted yellow last spring by volunteers".split()
    match = reference.align(unrelated)
    assert match is None or not match.close


def test_fixes_with_a_reference_replay_and_fixing_again_changes_nothing(spun, original):
    from respin.render import apply_fixes

    result = respin.fix(spun, references=[original])
    assert apply_fixes(spun, result.fixes) == result.text
    assert respin.fix(result.text, references=[original]).text == result.text


def test_long_text_in_parallel_gives_the_same_result_with_a_reference(spun, original):
    from respin.pipeline import PARALLEL_MIN_CHARS

    text = (spun + "\n") * (PARALLEL_MIN_CHARS // len(spun) + 2)
    one = respin.fix(text, references=[original], jobs=1)
    two = respin.fix(text, references=[original], jobs=2)
    assert one.text == two.text and one.fixes == two.fixes
    assert one.text.count("engineers replace its corroded") == text.count("engineers substitute its rusted")


def test_another_figure_or_day_in_the_reference_is_an_edit_not_a_spin(original):
    # A later edition of the story: the cost and the day changed. The spun
    # copy of the earlier edition keeps its facts; its spun words are restored.
    edition = original.replace("about 4 million euros", "about 5 million euros").replace(
        "said on Tuesday", "said on Wednesday")
    text = original.replace("engineers replace", "engineers substitute")
    result = respin.fix(text, references=[edition])
    assert "about 4 million euros" in result.text and "said on Tuesday" in result.text
    assert "engineers replace" in result.text
