"""Edge cases of `respin fix`, probed as a demanding user would.

The promises under test (README): the output is byte-identical to the input
outside the fixed spans, whatever the characters around them; JSON offsets are
Python str indices that replay exactly; fix(fix(x)) == fix(x); case and a/an
follow the restored word; bad input is refused with exit 2 and one line on
stderr, before anything is written.

Known bugs are pinned with ``xfail(strict=True)``: each such test states the
behaviour a user is promised, so it starts passing (and must be un-marked)
when the bug is fixed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest
from click.testing import CliRunner
from helpers import DATA, SPUN_SEEDS, TRANSLATED_SEED, read_seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import respin
from respin.cli import main
from respin.config import Config
from respin.render import apply_fixes
from respin.score import article_fits
from respin.tokens import tokenize

MINI_TABLE = str(DATA / "tables" / "mini.tsv")
# The CLI's deterministic set-up, and the same for the library (--assume-spun is spin_prior=0).
MINI_ARGS = ["--table", MINI_TABLE, "--no-builtin-tables", "--assume-spun"]
MINI = Config(tables=(MINI_TABLE,), builtin_tables=False, spin_prior=0.0)

SPUN = "NATO Secretary-Common Jens Stoltenberg mentioned the assembly."
FIXED = "NATO Secretary-General Jens Stoltenberg said the meeting."


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input)


def check_invariants(text: str, config: Config) -> respin.Result:
    """The README's promises about one input: replay, byte identity, idempotence."""
    result = respin.fix(text, config=config)
    assert apply_fixes(text, result.fixes) == result.text
    position = out = 0
    for fix in result.fixes:
        assert fix.start >= position, "fixes overlap or are out of order"
        assert text[fix.start : fix.end] == fix.before
        gap = text[position : fix.start]
        assert result.text[out : out + len(gap)] == gap
        out += len(gap) + len(fix.after)
        position = fix.end
    assert result.text[out:] == text[position:]
    assert respin.fix(result.text, config=config).text == result.text, "fix(fix(x)) != fix(x)"
    return result


# --------------------------------------------------------------------------
# Byte identity around fixes: every kind of character next to a fixed span.

DECORATIONS = {
    "bom_at_start": "\ufeff{}\n",
    "crlf": "{}\r\n{}\r\n",
    "lone_cr": "{}\r{}\r",
    "tab_and_form_feed": "\t{}\f{}",
    "vertical_tab": "{}\v{}",
    "curly_quotes": "“{}”",
    "dashes": "— {} –",
    "zero_width_joiner": "👨\u200d👩\u200d👧 {} a\u200db",
    "zero_width_space": "\u200b{}\u200b",
    "combining_accent": "Cafe\u0301 owners. {} Re\u0301sume\u0301.",
    "emoji_glued": "😀{}👍🏽",
    "astral_letters": "𝐀𝐁𝐂 {} 🇺🇦",
    "rtl": "مرحبا بالعالم. {} שלום\u200f",
    "line_separator": "{}\u2028{}",
    "paragraph_separator": "{}\u2029{}",
    "next_line": "{}\x85{}",
    "no_final_newline": "{}\n{}",
    "blank_lines": "\n\n\n{}\n\n\n",
    "surrounding_spaces": "   {}   \n",
}


@pytest.mark.parametrize("template", DECORATIONS.values(), ids=DECORATIONS.keys())
def test_characters_around_fixes_are_kept_exactly(template):
    n = template.count("{}")
    text = template.format(*[SPUN] * n)
    result = check_invariants(text, MINI)
    assert result.text == template.format(*[FIXED] * n)


def test_nbsp_between_words_is_kept():
    text = SPUN.replace(" ", "\u00a0")
    assert check_invariants(text, MINI).text == FIXED.replace(" ", "\u00a0")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“mentioned”", "“said”"),
        ("They said the —safety— was weak.", "They said the —security— was weak."),
        ("Officers held the (assembly) on Tuesday.", "Officers held the (meeting) on Tuesday."),
        ("Officers held the [assembly] on Tuesday.", "Officers held the [meeting] on Tuesday."),
        ("Officers mentioned: ‘no’.", "Officers said: ‘no’."),
        ("NATO Secretary-Common, Jens Stoltenberg…", "NATO Secretary-General, Jens Stoltenberg…"),
    ],
)
def test_words_glued_to_punctuation(text, expected):
    assert check_invariants(text, MINI).text == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("They mentioned 100,000 people.", "They said 100,000 people."),
        ("He mentioned 3.5 times at 10:30.", "He said 3.5 times at 10:30."),
        ("In 2024 officers mentioned 42%.", "In 2024 officers said 42%."),
    ],
)
def test_numbers_next_to_fixes_are_untouched(text, expected):
    assert check_invariants(text, MINI).text == expected


@pytest.mark.parametrize("text", ["", " ", "\n", "\r\n", "\r", " \t\f\v\r\n\u2028\u00a0\u200b\ufeff", "\ufeff", "😀"])
def test_empty_and_whitespace_only_input(text):
    result = check_invariants(text, MINI)
    assert result.text == text and result.fixes == ()
    assert respin.fix(text).text == text  # the built-in tables too


# Text assembled from the mini table's spun words and every awkward separator.
# Each spun piece is one candidate with one original, and there are at most 8: a
# cluster above 2**8 readings is a known bug of its own
# (test_many_adjacent_fixes_are_all_made_in_one_pass).
EXOTIC = [" ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\v", "\u00a0", "\u2028", "\u2029", "\x85", "\u200b",
          "\u200d", "\ufeff", "’", "‘", "“", "”", "—", "–", "-", "(", ")", ",", ". ", "… ", "e\u0301", "😀",
          "👍🏽", "𝐀", "🇺🇦", "שלום", "مرحبا", "İ", "ß", "Σ", "3.5", "100,000", "the", "a ", "an ", "A ", "An "]
SPUN_PIECES = ["mentioned", "Mentioned", "MENTIONED", "safety", "assembly", "Assembly", "calls for", "however",
               "officers", "Secretary-Common", "SECRETARY-COMMON", "Information Convention",
               "information convention", "Japanese Europe", "actual", "danger", "had been"]


@st.composite
def exotic_texts(draw):
    spun = draw(st.lists(st.sampled_from(SPUN_PIECES), max_size=8))
    pieces = list(spun)
    pieces += draw(st.lists(st.sampled_from(EXOTIC), max_size=20))
    pieces += draw(st.lists(st.text(max_size=4), max_size=4))
    pieces = draw(st.permutations(pieces))
    # Mostly plain spaces between pieces, so the spun words get fixed, but any glue at all.
    glue = draw(st.lists(st.sampled_from([" ", " ", " ", "", "\n", "\r\n", "\r", "\u00a0", "\t", ", ", ". "]),
                         min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + sep for piece, sep in zip(pieces, glue))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exotic_texts())
def test_invariants_on_exotic_text_mini_table(text):
    check_invariants(text, MINI)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exotic_texts())
def test_invariants_on_exotic_text_builtin_tables(text):
    check_invariants(text, Config())


# --------------------------------------------------------------------------
# Line endings: the same article with LF, CRLF, lone CR or U+2028 is restored the same way.


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028"], ids=["crlf", "cr", "u2028"])
@pytest.mark.parametrize("seed", [*SPUN_SEEDS, TRANSLATED_SEED])
def test_line_endings_do_not_change_the_restoration(seed, newline):
    text = read_seed(seed)
    assert "\r" not in text and "\u2028" not in text
    lf = respin.fix(text)
    other = check_invariants(text.replace("\n", newline), Config())
    assert other.text == lf.text.replace("\n", newline)
    assert [(f.before, f.after) for f in other.fixes] == [(f.before, f.after) for f in lf.fixes]


def test_bom_and_crlf_seed_keeps_its_bom_and_line_endings():
    text = "\ufeff" + read_seed(SPUN_SEEDS[0]).replace("\n", "\r\n")
    result = check_invariants(text, Config())
    assert result.fixes
    assert result.text.startswith("\ufeff")
    assert result.text.count("\r\n") == text.count("\r\n")
    assert "\n" not in result.text.replace("\r\n", "")


# --------------------------------------------------------------------------
# Case restoration.


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Officers mentioned it.", "Officers said it."),
        ("Mentioned twice, officers left.", "Said twice, officers left."),
        ("OFFICERS MENTIONED IT.", "OFFICERS SAID IT."),
        ("They held an information convention on Monday.", "They held a news conference on Monday."),
        ("They Held An Information Convention On Monday", "They Held A News Conference On Monday"),
        ("THEY HELD AN INFORMATION CONVENTION ON MONDAY.", "THEY HELD A NEWS CONFERENCE ON MONDAY."),
        ("The Information convention was held.", "The News conference was held."),
        ("Leaders in Japanese Europe mentioned it.", "Leaders in Eastern Europe said it."),
        ("LEADERS IN JAPANESE EUROPE MENTIONED IT.", "LEADERS IN EASTERN EUROPE SAID IT."),
        ("leaders in japanese europe mentioned it.", "leaders in Eastern Europe said it."),
        ("NATO SECRETARY-COMMON MENTIONED IT", "NATO SECRETARY-GENERAL SAID IT"),
        ("NATO secretary-common Jens Stoltenberg", "NATO Secretary-General Jens Stoltenberg"),
    ],
)
def test_case_is_restored(text, expected):
    assert check_invariants(text, MINI).text == expected


def test_all_caps_headline_with_builtin_tables():
    text = (
        "NATO SECRETARY-COMMON MENTIONED SAFETY CONCERNS\n"
        "NATO Secretary-Common Jens Stoltenberg mentioned on Tuesday that the alliance would meet.\n"
    )
    result = check_invariants(text, Config())
    headline = result.text.splitlines()[0]
    assert headline.startswith("NATO SECRETARY-GENERAL SAID ")
    assert headline.isupper()


# --------------------------------------------------------------------------
# a/an repair.


@pytest.mark.parametrize(
    "text, expected",
    [
        ("An assembly was held.", "A meeting was held."),
        ("AN ASSEMBLY WAS HELD.", "A MEETING WAS HELD."),
        ("He went.\nAn assembly was held.", "He went.\nA meeting was held."),
        ("He went.\r\nAn assembly was held.", "He went.\r\nA meeting was held."),
        ("He went. An assembly was held.", "He went. A meeting was held."),
        ("They had an assembly.", "They had a meeting."),
        ("They had an  assembly.", "They had a  meeting."),
        ("They had An Assembly.", "They had A Meeting."),
        ("It is an actual danger.", "It is a real danger."),
        ("It is AN actual danger.", "It is A real danger."),
        ("A assembly was held.", "A meeting was held."),
    ],
)
def test_article_is_repaired(text, expected):
    assert check_invariants(text, MINI).text == expected


def _articles_fit(text: str) -> bool:
    """Whether every "a"/"an" agrees with the word after it."""
    tokens = tokenize(text)
    for previous, word in zip(tokens, tokens[1:]):
        article = text[previous.start : previous.end]
        if article.lower() in ("a", "an") and not article_fits(article, text[word.start : word.end]):
            return False
    return True


@pytest.mark.parametrize(
    "wrap",
    ["\n", "\r\n", "\n    ", "\r\n\t", "\r", " \n", " \r\n"],
    ids=["lf", "crlf", "lf-indent", "crlf-tab", "cr", "space-lf", "space-crlf"],
)
def test_article_is_repaired_across_a_wrapped_line(wrap):
    text = f"Leaders of the alliance held an{wrap}assembly on Tuesday."
    result = check_invariants(text, MINI)
    assert result.text == f"Leaders of the alliance held a{wrap}meeting on Tuesday."


def test_a_blank_line_after_an_article_is_a_break():
    # "an" ends a paragraph: the next one is not its noun, so the article is not touched.
    text = "Leaders of the alliance held an\n\nAssembly members met on Tuesday."
    result = check_invariants(text, MINI)
    assert result.text.startswith("Leaders of the alliance held an\n\n")


@pytest.mark.parametrize("space", ["\u00a0", "\u2028", "\f", "\u3000"], ids=["nbsp", "u2028", "ff", "ideographic"])
def test_article_is_repaired_across_any_space(space):
    text = f"Leaders of the alliance held an{space}assembly on Tuesday."
    assert check_invariants(text, MINI).text == f"Leaders of the alliance held a{space}meeting on Tuesday."


@pytest.mark.parametrize("opening, closing", [("(", ")"), ("“", "”"), ("‘", "’"), ('"', '"'), ("[", "]")])
def test_article_is_repaired_through_an_opening_quote(opening, closing):
    text = f"Officers held an {opening}assembly{closing} on Tuesday."
    result = check_invariants(text, MINI)
    assert _articles_fit(result.text), result.text
    assert result.text == f"Officers held a {opening}meeting{closing} on Tuesday."


@pytest.mark.parametrize("between", ["“ ", "«", "—", "- "], ids=["quote-space", "guillemet", "em-dash", "hyphen"])
def test_no_wrong_article_is_left_whatever_stands_between(between):
    # Whether or not respin sees through these, it must never write "an meeting".
    text = f"Officers held an {between}assembly on Tuesday."
    assert _articles_fit(check_invariants(text, MINI).text)


@pytest.mark.parametrize("text, expected", [("It is aN actual danger.", "It is a real danger."),
                                             ("IT IS AN ACTUAL DANGER.", "IT IS A REAL DANGER."),
                                             ("It is A actual danger.", "It is A real danger.")])
def test_article_in_odd_case_is_swapped(text, expected):
    result = check_invariants(text, MINI)
    assert _articles_fit(result.text) and result.text == expected


def test_un_prefixed_words_take_an():
    for word in ["unimaginable", "uninformed", "unidentified", "unintended", "unimportant", "uninsured"]:
        assert article_fits("an", word) and not article_fits("a", word), word
    text = "Officials said it was an unimaginable tragedy."
    result = respin.fix(text, config=Config(spin_prior=0.0))
    assert not any("does not fit" in line for fix in result.fixes + result.rejected for line in fix.evidence)


def test_you_sounding_words_take_a():
    for word in ["unique", "university", "union", "useful", "European", "one-time"]:
        assert article_fits("a", word) and not article_fits("an", word), word
    for word in ["hour", "honest", "heir", "under", "unbearable", "actual"]:
        assert article_fits("an", word) and not article_fits("a", word), word


def test_article_inside_the_previous_fix_does_not_crash(tmp_path):
    table = tmp_path / "user.tsv"
    table.write_text("there an\tthere was an\t0.9\n", encoding="utf-8")
    assert run(["tables", "check", str(table)]).exit_code == 0  # a valid table
    args = ["--table", str(table), *MINI_ARGS]
    result = run(["fix", *args], input=b"Officials said there an assembly was held.\n")
    assert result.exit_code == 0, result.stderr
    assert _articles_fit(result.stdout)


# --------------------------------------------------------------------------
# Hyphenated and possessive forms.


def test_hyphenated_name_is_restored_as_one_word():
    assert check_invariants("NATO Secretary-Common Jens Stoltenberg", MINI).text == (
        "NATO Secretary-General Jens Stoltenberg"
    )


def test_hyphenated_compound_is_not_split():
    # "safety" inside a compound is another word: neither half is touched.
    text = "The safety-first assembly-line policy."
    assert "safety-first assembly-line" in check_invariants(text, MINI).text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NATO Secretary-Common’s visit.", "NATO Secretary-General’s visit."),
        ("NATO Secretary-Common's visit.", "NATO Secretary-General's visit."),
        ("NATO SECRETARY-COMMON’S VISIT", "NATO SECRETARY-GENERAL’S VISIT"),
        ("Leaders from Japanese Europe’s capitals met.", "Leaders from Eastern Europe’s capitals met."),
        ("They held an assembly’s worth of talks.", "They held a meeting’s worth of talks."),
        ("The officers’ assembly was held.", "The officers’ meeting was held."),
    ],
)
def test_possessive_is_restored(text, expected):
    result = check_invariants(text, MINI)
    assert result.text == expected
    for fix in result.fixes:  # the "’s" stays outside the fix
        assert not fix.before.endswith(("’s", "'s", "’S"))


def test_possessive_is_restored_with_builtin_tables():
    text = "The Secretary-Common’s remarks were welcomed by NATO leaders."
    assert check_invariants(text, Config()).text == "The Secretary-General’s remarks were welcomed by NATO leaders."


def test_possessive_of_a_restorable_name_keeps_its_apostrophe_when_untouched():
    # Whatever happens to the possessive, its curly apostrophe and the rest stay byte for byte.
    text = "The Secretary-Common’s and the safety’s costs."
    result = check_invariants(text, MINI)
    assert "’s and the " in result.text and result.text.endswith("’s costs.")


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("He left. 4 hours later he came.", "He left. Four hours later he came."),  # "four" would join the sentences
        ("The talks ended\n4 hours later.", "The talks ended\nFour hours later."),
        ("The talks ended\n  4 HOURS later.", "The talks ended\n  Four HOURS later."),
        ("They met. 4 hours later he left.\n", "They met. Four hours later he left.\n"),
    ],
)
def test_a_restoration_keeps_the_sentences_a_second_run_reads(text, fixed):
    config = Config(spin_prior=0.0)
    once = check_invariants(text, config)
    assert once.text == fixed
    assert respin.fix(once.text, config=config).text == once.text


def test_a_restoration_does_not_turn_a_wrapped_line_into_a_sentence_start():
    from respin.candidates import keep_sentences
    from respin.tokens import tokenize

    text = "the advice of\ndocs there"
    tokens = tokenize(text)
    assert keep_sentences(text, tokens, 3, "docs", "Doctors") is None
    assert keep_sentences(text, tokens, 3, "docs", "doctors") == "doctors"
    # A line break inside the span stays only where the word after it keeps its case.
    text = "see docs with\nout borders"
    tokens = tokenize(text)
    assert keep_sentences(text, tokens, 1, "docs with\nout borders", "Doctors Without\nBorders") == \
        "Doctors Without Borders"
    assert keep_sentences(text, tokens, 1, "docs with\nout borders", "doctors without\nborders") == \
        "doctors without\nborders"


# A table row's context word that is itself restored: 'roughly\tabout\t0.1\tnext=@Cap' was checked against
# the spun 'nationwide' only, so a second run, seeing 'National Park Service', restored 'roughly' too. A
# neighbour the run may restore is now read as any of its readings.
def test_context_rows_give_the_same_result_on_a_second_run():
    config = Config(spin_prior=0.0)
    once = respin.fix("Officials counted roughly nationwide park service sites.", config=config)
    assert "National Park Service" in once.text
    assert respin.fix(once.text, config=config).text == once.text


@pytest.mark.xfail(strict=True, reason="a keep row reads the neighbour as it stands: 'mentioned\t-\t1\tnext=…|once|…' "
                   "keeps 'mentioned once more' while 'once more' becomes 'again', and the second run, without the "
                   "keep, restores 'said' (fuzz seed 2, 1 in 100,000). Keeping only where the row holds for every "
                   "reading lets junctions through ('simply lately' → 'just lately' → 'recently'); the sound fix "
                   "checks keep rows against the reading the cluster chooses, a joint constraint in decide")
def test_a_keep_row_does_not_hold_on_a_neighbour_the_run_rewrites():
    config = Config(spin_prior=0.0)
    once = respin.fix("The officers mentioned once more in Ukraine that talks will go on.", config=config).text
    assert respin.fix(once, config=config).text == once
    # Where the neighbour stays as it is, the keep row still keeps.
    assert "mentioned once" in respin.fix("He mentioned once that he would go.", config=config).text


# --------------------------------------------------------------------------
# Long inputs.


def test_very_long_line_with_spread_out_fixes():
    text = "The officers mentioned that the plan was good and " * 5000  # ~250 KB, no sentence break
    start = time.perf_counter()
    result = check_invariants(text, MINI)
    assert time.perf_counter() - start < 20
    assert result.text == "The officers said that the plan was good and " * 5000


def test_long_list_of_adjacent_candidates_does_not_crash():
    # ~1,200 candidates in one cluster (a long keyword line) once hit RecursionError.
    text = "Officers mentioned, " * 600
    start = time.perf_counter()
    result = check_invariants(text, MINI)
    assert time.perf_counter() - start < 20
    assert "mentioned" not in result.text and len(result.fixes) >= 600


def test_long_keyword_line_with_builtin_tables_exits_0():
    line = "Keywords: " + ", ".join(["safety", "assembly", "danger", "officers"] * 300) + "\n"
    result = run(["fix"], input=line.encode())
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"Keywords: ")


def test_many_adjacent_fixes_are_all_made_in_one_pass():
    # Once only one fix per cluster of more than 256 readings was made per run.
    # Nine candidates, each within a word of the next: 2**9 readings.
    text = ("The officers mentioned the safety assembly had been an actual danger, "
            "however the officers mentioned the safety assembly.")
    once = respin.fix(text, config=MINI)
    assert respin.fix(once.text, config=MINI).text == once.text
    assert all(f.score < MINI.threshold for f in once.rejected)


# --------------------------------------------------------------------------
# The command line: stdin and files, JSON, diff.


AWKWARD = ("\ufeff😀𝐀 " + SPUN + "\r\n“" + SPUN + "”\r" + SPUN + "\u2028\t" + SPUN).encode()


def test_stdin_and_file_give_the_same_bytes(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(AWKWARD)
    from_file = run(["fix", str(path), *MINI_ARGS])
    from_stdin = run(["fix", *MINI_ARGS], input=AWKWARD)
    from_dash = run(["fix", "-", *MINI_ARGS], input=AWKWARD)
    assert from_file.exit_code == from_stdin.exit_code == from_dash.exit_code == 0
    assert from_file.stdout_bytes == from_stdin.stdout_bytes == from_dash.stdout_bytes
    expected = respin.fix(AWKWARD.decode(), config=MINI).text.encode()
    assert from_file.stdout_bytes == expected
    assert not from_file.stdout_bytes.endswith(b"\n")  # no newline is added


@pytest.mark.parametrize("data", [b"", b" ", b"\n", b"\r\n", b"\xef\xbb\xbf", b"  \t\r\n\x0c"])
def test_cli_empty_and_whitespace_only_input(data):
    result = run(["fix", *MINI_ARGS], input=data)
    assert result.exit_code == 0 and result.stdout_bytes == data and result.stderr == ""
    as_json = run(["fix", "--format", "json", *MINI_ARGS], input=data)
    assert json.loads(as_json.stdout) == {"text": data.decode(), "fixes": []}
    assert run(["fix", "--format", "diff", *MINI_ARGS], input=data).stdout_bytes == b""
    assert run(["fix", "--check", *MINI_ARGS], input=data).exit_code == 0


def replay(source: str, fixes: list[dict]) -> str:
    text = source
    for fix in sorted(fixes, key=lambda f: -f["start"]):
        assert source[fix["start"] : fix["end"]] == fix["before"]
        text = text[: fix["start"]] + fix["after"] + text[fix["end"] :]
    return text


def test_json_offsets_are_str_indices_after_astral_characters():
    source = "😀𝐀🇺🇦👍🏽 " + SPUN + "\r\n" + "🎉" * 50 + " " + SPUN + "\n"
    result = run(["fix", "--format", "json", *MINI_ARGS], input=source.encode())
    payload = json.loads(result.stdout)
    assert len(payload["fixes"]) == 6
    first = payload["fixes"][0]
    assert (first["start"], first["before"]) == (source.index("Secretary-Common"), "Secretary-Common")
    assert replay(source, payload["fixes"]) == payload["text"] == respin.fix(source, config=MINI).text


def test_json_offsets_replay_on_every_seed_with_crlf_and_bom(tmp_path):
    names = []
    for seed in SPUN_SEEDS:
        path = tmp_path / f"{seed}.txt"
        path.write_bytes(("\ufeff" + read_seed(seed).replace("\n", "\r\n")).encode())
        names.append(str(path))
    result = run(["fix", "--format", "json", *names])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(names)  # JSON Lines, one per file
    for name, line in zip(names, lines):
        payload = json.loads(line)
        assert payload["file"] == name and payload["fixes"]
        source = open(name, "rb").read().decode()
        assert replay(source, payload["fixes"]) == payload["text"]


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch(1)")
@pytest.mark.parametrize(
    "data",
    [
        ("Intro line\r" + SPUN + "\r" + SPUN).encode(),  # lone CR: one line for patch
        ("a\u2028" + SPUN + "\fnext\n\nlast " + SPUN).encode(),  # no final newline
        ("\ufeff" + SPUN + "\r\n\r\n" + SPUN + "\r\n").encode(),
    ],
    ids=["lone-cr", "no-final-newline", "bom-crlf"],
)
def test_diff_applies_with_patch_to_give_the_fixed_text(tmp_path, data):
    source = tmp_path / "in.txt"
    source.write_bytes(data)
    diff = run(["fix", str(source), "--format", "diff", *MINI_ARGS])
    assert diff.exit_code == 0 and diff.stdout_bytes
    (tmp_path / "d.diff").write_bytes(diff.stdout_bytes)
    patched = tmp_path / "out.txt"
    subprocess.run(["patch", "-s", "-o", str(patched), str(source), str(tmp_path / "d.diff")], check=True)
    assert patched.read_bytes() == run(["fix", str(source), *MINI_ARGS]).stdout_bytes


def test_fixing_the_output_again_changes_nothing_on_the_command_line():
    for seed in SPUN_SEEDS:
        data = read_seed(seed).replace("\n", "\r").encode()
        once = run(["fix"], input=data)
        assert once.exit_code == 0 and once.stdout_bytes != data
        assert run(["fix", "--check"], input=once.stdout_bytes).exit_code == 0
        assert run(["fix"], input=once.stdout_bytes).stdout_bytes == once.stdout_bytes


# --------------------------------------------------------------------------
# The command line: writing files, refusing, exit codes.


def one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and stderr.endswith("\n") and stderr.startswith("respin: error: ")


@pytest.mark.parametrize("spelling", ["same", "dot-slash", "symlink", "hardlink"])
def test_output_onto_the_input_is_refused(tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.txt"
    source.write_bytes(SPUN.encode())
    output = {"same": "a.txt", "dot-slash": "./a.txt", "symlink": "link.txt", "hardlink": "hard.txt"}[spelling]
    if spelling == "symlink":
        os.symlink("a.txt", "link.txt")
    if spelling == "hardlink":
        os.link("a.txt", "hard.txt")
    result = run(["fix", "a.txt", "-o", output, *MINI_ARGS])
    assert result.exit_code == 2
    assert one_line(result.stderr) and "is the input file" in result.stderr
    assert source.read_bytes() == SPUN.encode()
    assert result.stdout_bytes == b""


def test_output_file_keeps_the_bytes_and_stdout_stays_empty(tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(AWKWARD)
    out = tmp_path / "out.txt"
    result = run(["fix", str(source), "-o", str(out), *MINI_ARGS])
    assert result.exit_code == 0 and result.stdout_bytes == b""
    assert out.read_bytes() == run(["fix", *MINI_ARGS], input=AWKWARD).stdout_bytes
    assert source.read_bytes() == AWKWARD
    assert not [p for p in tmp_path.iterdir() if "respin-tmp" in p.name]


def test_new_output_file_gets_the_usual_permissions(tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(SPUN.encode())
    out = tmp_path / "out.txt"
    old = os.umask(0o022)
    try:
        assert run(["fix", str(source), "-o", str(out), *MINI_ARGS]).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_output_into_a_missing_folder_is_a_one_line_input_error(tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(SPUN.encode())
    out = tmp_path / "missing" / "out.txt"
    result = run(["fix", str(source), "-o", str(out), *MINI_ARGS])
    assert result.exit_code == 2
    assert one_line(result.stderr) and str(out) in result.stderr


BAD_INPUTS = {
    "missing": lambda p: p,
    "directory": lambda p: (p.mkdir(), p)[1],
    "binary": lambda p: (p.write_bytes(b"PK\x03\x04\x00\x00"), p)[1],
    "latin1": lambda p: (p.write_bytes("Caf\xe9 mentioned.\n".encode("latin-1")), p)[1],
    "utf16": lambda p: (p.write_bytes("Officers mentioned.".encode("utf-16")), p)[1],
}


@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_in_place_with_one_bad_file_writes_nothing(tmp_path, kind, position):
    goods = []
    for i in range(2):
        good = tmp_path / f"good{i}.txt"
        good.write_bytes(AWKWARD)
        goods.append(good)
    bad = BAD_INPUTS[kind](tmp_path / "bad.txt")
    files = {"first": [bad, *goods], "middle": [goods[0], bad, goods[1]], "last": [*goods, bad]}[position]
    mtimes = [g.stat().st_mtime_ns for g in goods]
    result = run(["fix", "--in-place", *map(str, files), *MINI_ARGS])
    assert result.exit_code == 2
    assert one_line(result.stderr) and str(bad) in result.stderr
    assert [g.read_bytes() for g in goods] == [AWKWARD, AWKWARD]
    assert [g.stat().st_mtime_ns for g in goods] == mtimes
    assert not [p for p in tmp_path.iterdir() if "respin-tmp" in p.name]


def test_in_place_rewrites_only_the_files_that_change(tmp_path):
    spun = tmp_path / "spun.txt"
    spun.write_bytes(AWKWARD)
    clean = tmp_path / "clean.txt"
    clean.write_bytes(b"Nothing to see here.\r\n")
    before = clean.stat()
    result = run(["fix", "--in-place", str(spun), str(clean), *MINI_ARGS])
    assert result.exit_code == 0 and result.stdout_bytes == b""
    assert spun.read_bytes() == respin.fix(AWKWARD.decode(), config=MINI).text.encode()
    after = clean.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_in_place_writes_nothing_when_a_later_file_crashes(tmp_path, monkeypatch):
    import respin.pipeline

    real_fix = respin.pipeline.fix

    def crashing_fix(text, *args, **kwargs):
        if text.startswith("CRASH"):
            raise RuntimeError("simulated bug")
        return real_fix(text, *args, **kwargs)

    monkeypatch.setattr(respin.pipeline, "fix", crashing_fix)
    good = tmp_path / "good.txt"
    good.write_bytes(SPUN.encode())
    crash = tmp_path / "crash.txt"
    crash.write_bytes(b"CRASH " + SPUN.encode())
    result = run(["fix", "--in-place", str(good), str(crash), *MINI_ARGS])
    assert result.exit_code == 123
    assert good.read_bytes() == SPUN.encode()


def test_in_place_through_a_symlink_fixes_the_target_or_refuses(tmp_path):
    target = tmp_path / "article.txt"
    target.write_bytes(SPUN.encode())
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    result = run(["fix", "--in-place", str(link), *MINI_ARGS])
    if result.exit_code == 0:  # written through the link
        assert link.is_symlink() and target.read_bytes() == FIXED.encode()
    else:  # or refused, one line, nothing changed
        assert result.exit_code == 2 and one_line(result.stderr)
        assert link.is_symlink() and target.read_bytes() == SPUN.encode()


def test_threshold_nan_is_a_usage_error():
    result = run(["fix", "--threshold", "nan", *MINI_ARGS], input=SPUN.encode())
    assert result.exit_code == 2


def test_check_exit_codes_and_no_writes(tmp_path):
    spun = tmp_path / "spun.txt"
    spun.write_bytes(AWKWARD)
    out = tmp_path / "out.txt"
    result = run(["fix", "--check", str(spun), *MINI_ARGS])
    assert result.exit_code == 1 and result.stdout_bytes == b""
    # --check writes nothing, so a write option beside it is a contradiction, refused.
    result = run(["fix", "--check", str(spun), "-o", str(out), *MINI_ARGS])
    assert result.exit_code == 2 and result.stdout_bytes == b"" and not out.exists()
    result = run(["fix", "--check", "--in-place", str(spun), *MINI_ARGS])
    assert result.exit_code == 2 and spun.read_bytes() == AWKWARD
    assert run(["fix", "--check", *MINI_ARGS], input=FIXED.encode()).exit_code == 0


def test_a_bad_file_among_several_prints_nothing_to_stdout(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(SPUN.encode())
    result = run(["fix", str(good), str(tmp_path / "missing.txt"), *MINI_ARGS])
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert one_line(result.stderr) and "missing.txt: no such file" in result.stderr


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Officers \xe9 mentioned", "<stdin>: not valid UTF-8"),
        (b"\xff\xfeO\x00", "<stdin>: UTF-16 text (it starts with a byte-order mark)"),
        (b"\x00\x00\xfe\xffO", "<stdin>: UTF-32 text (it starts with a byte-order mark)"),
        (b"O\x00f\x00", "<stdin>: looks like a binary file"),
        (b"Officers mentioned \xf0\x9f\x98", "<stdin>: not valid UTF-8"),  # a truncated emoji at the end
    ],
)
def test_bad_stdin_is_one_line(data, message):
    result = run(["fix", *MINI_ARGS], input=data)
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert one_line(result.stderr) and message in result.stderr


def test_bad_reference_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "ref.txt"
    bad.write_bytes(b"\xc3\x28")
    result = run(["fix", "--reference", str(bad), *MINI_ARGS], input=SPUN.encode())
    assert result.exit_code == 2 and one_line(result.stderr) and str(bad) in result.stderr
    missing = run(["fix", "--reference", str(tmp_path / "nope.txt"), *MINI_ARGS], input=SPUN.encode())
    assert missing.exit_code == 2 and one_line(missing.stderr) and "nope.txt: no such file" in missing.stderr


# --------------------------------------------------------------------------
# Phrases whose words are not one space apart.


@pytest.mark.parametrize(
    "text, before, after",
    [
        ("Troops moved to Japanese\u00a0Europe.", "Japanese\u00a0Europe", "Eastern\u00a0Europe"),
        ("Troops moved to Japanese  Europe.", "Japanese  Europe", "Eastern  Europe"),
        ("They held an information\nconvention on Monday.", "an information\nconvention", "a news\nconference"),
        ("They held an information\r\n  convention on Monday.", "an information\r\n  convention",
         "a news\r\n  conference"),
    ],
)
def test_a_phrase_matches_across_any_white_space_and_keeps_it(text, before, after):
    result = respin.fix(text, config=Config(spin_prior=0.0))
    assert [(f.before, f.after) for f in result.fixes] == [(before, after)]
    assert apply_fixes(text, result.fixes) == result.text
    assert respin.fix(result.text, config=Config(spin_prior=0.0)).text == result.text


def test_a_phrase_never_matches_across_a_sentence_or_other_characters():
    config = Config(spin_prior=0.0)
    for text in ("They moved to Japanese.\nEurope was calm.", "It was Japanese\n\neurope.",
                 "It was Japanese\x1feurope.", "It was Japanese - Europe."):
        assert not any("Eastern" in f.after for f in respin.fix(text, config=config).fixes), text
