"""respin diff and respin review: the session, the saved decisions, the views and the CLI contract.

The engine is tuned while these tests exist, so no test counts fixes:
expectations come from ``respin.fix`` itself, run on a small user table
(``--no-builtin-tables``) so that the fixes are the table's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, REFERENCE_SEED, SPUN_SEED_FILES

import respin
from respin.cli import main
from respin.config import Config
from respin.records import Fix, Result
from respin.render import apply_fixes
from respin.review import (
    ACCEPTED,
    EDITED,
    KEY_HELP,
    REJECTED,
    TABLE_HEADER,
    Session,
    decision_rows,
    run_session,
    save_rows,
)
from respin.tables import parse_row, read_table
from respin.terminal import LOW_CONFIDENCE_MARGIN, color_enabled, group_fixes, render_view

SEED = EXAMPLES / SPUN_SEED_FILES[0]
REFERENCE = EXAMPLES / f"{REFERENCE_SEED}.txt"
SPUN_SEEDS = SPUN_SEED_FILES

# Substitutions the seeds use over and over: enough fixes in every seed.
TABLE = "mentioned\tsaid\t0.9\nhad been\twere\t0.5\nvariations\tdifferences\t0.8\nmanagement\tcontrol\t0.5\n"


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "user.tsv"
    path.write_text(TABLE, encoding="utf-8")
    return path


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    shutil.copyfile(SEED, path)
    return path


def user_fix(text: str, table: Path, *extra_tables: Path) -> Result:
    config = Config(tables=tuple(str(t) for t in (table, *extra_tables)), builtin_tables=False)
    return respin.fix(text, config=config)


def invoke(*args, input=None, env=None):
    # Wide, so that rich never wraps a change across lines.
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env={"COLUMNS": "500", **(env or {})})


def make_fix(text: str, word: str, after: str, occurrence: int = 0, score: float = 2.0) -> Fix:
    start = [m.start() for m in re.finditer(re.escape(word), text)][occurrence]
    return Fix(start, start + len(word), word, after, score, -0.05, score)


# --- the review session: one decision per occurrence -----------------------

TEXT = "They mentioned it. He MENTIONED that. She mentioned the plan. The variations grew. Mentioned once more."


def session_fixes() -> list[Fix]:
    return [
        make_fix(TEXT, "mentioned", "said", 0),
        make_fix(TEXT, "MENTIONED", "SAID"),
        make_fix(TEXT, "mentioned", "said", 1),
        make_fix(TEXT, "variations", "differences"),
        make_fix(TEXT, "Mentioned", "Said"),
    ]


def test_each_answer_decides_only_its_own_occurrence():
    session = Session(session_fixes())
    session.reject()
    assert session.position == 1 and session.decisions[1] is None and session.decisions[2] is None
    session.accept()
    assert [d.verdict if d else None for d in session.decisions] == [REJECTED, ACCEPTED, None, None, None]


def test_accept_all_takes_only_later_undecided_occurrences_of_the_same_substitution():
    fixes = session_fixes()
    fixes[2] = fixes[2]._replace(after="stated")  # same spun word, another restoration
    session = Session(fixes)
    session.skip()
    assert session.accept_all() == 2  # this one and "Mentioned" → "Said" (case-insensitive)
    assert session.decisions[0] is None and 0 in session.skipped
    assert session.decisions[2] is None and session.decisions[3] is None
    assert session.decisions[1].verdict == session.decisions[4].verdict == ACCEPTED
    assert session.position == 2
    session.accept()
    session.accept()
    assert session.done  # fix 4 was decided by 'a', so the review is over


def test_undo_goes_back_one_answer_and_forgets_it():
    session = Session(session_fixes())
    assert session.undo() is False
    assert session.accept_all() == 4  # every mentioned → said, whatever the case; not "variations"
    assert session.position == 3
    session.reject()
    assert session.undo() and session.position == 3 and session.decisions[3] is None
    assert session.decisions[4] is not None
    assert session.undo() and session.position == 0
    assert session.decisions == [None] * 5
    session.skip()
    assert session.undo() and session.skipped == set()


def test_edit_writes_the_users_text_and_recognises_plain_answers():
    session = Session(session_fixes())
    session.edit("  told \t ")
    session.edit("SAID")
    session.edit("mentioned")
    assert [(d.verdict, d.text) for d in session.decisions[:3]] == [(EDITED, "told"), (ACCEPTED, "SAID"),
                                                                    (REJECTED, "mentioned")]
    assert apply_fixes(TEXT, session.applied()).startswith("They told it. He SAID that. She mentioned")


def test_counts_separate_skipped_from_not_reviewed():
    session = Session(session_fixes())
    session.accept()
    session.skip()
    session.reject()
    session.quit = True
    assert session.counts() == {ACCEPTED: 1, REJECTED: 1, EDITED: 0, "skipped": 1, "not reviewed": 2}


def scripted(keys: str, answers=()):
    """A key source and prompt that replay a script, and a log of what was said."""
    key_iter, answer_iter, said, shown = iter(keys), iter(answers), [], []
    return (lambda: next(key_iter, ""), lambda fix: next(answer_iter), lambda s: shown.append(s.position),
            said.append, said, shown)


def test_run_session_maps_keys_to_answers():
    session = Session(session_fixes())
    read_key, ask, show, say, said, shown = scripted("YxnE" "eu" "s", answers=["told", None])
    run_session(session, read_key, ask, show, say)  # the script ends: end of input quits
    # Y accepts 0; x is no key; n rejects 1; E edits 2; e is cancelled on 3; u undoes the edit; s skips 2.
    assert [d.verdict if d else None for d in session.decisions] == [ACCEPTED, REJECTED, None, None, None]
    assert session.skipped == {2} and session.quit
    assert said == ["accepted", KEY_HELP, "rejected", "edited: told", "edit cancelled", "undone: back to fix 3",
                    "skipped"]
    assert shown == [0, 1, 2, 3, 3, 2, 3], "an unknown key does not redraw the card"


def test_run_session_stops_on_q_and_raises_on_ctrl_c():
    session = Session(session_fixes())
    read_key, ask, show, say, *_ = scripted("yqy")
    run_session(session, read_key, ask, show, say)
    assert session.quit and session.position == 1
    read_key, ask, show, say, *_ = scripted("\x03")
    with pytest.raises(KeyboardInterrupt):
        run_session(Session(session_fixes()), read_key, ask, show, say)


# --- decisions as table rows -------------------------------------------------


def decided(text: str, fixes: list[Fix], answers: str) -> Session:
    session = Session(fixes)
    for answer in answers:
        {"y": session.accept, "n": session.reject, "s": session.skip}[answer]()
    return session


def test_rows_accepts_are_strong_rows_and_rejections_keep_rows_for_the_previous_word():
    text = "NATO’s mentioned plans. Mentioned first. Japanese Europe waits."
    fixes = [make_fix(text, "mentioned", "said"), make_fix(text, "Mentioned", "Said"),
             make_fix(text, "Japanese Europe", "Eastern Europe")]
    rows = decision_rows(text, decided(text, fixes, "nyy"))
    assert rows == ["mentioned\t-\t1.0\tprev=nato's", "mentioned\tsaid\t1.0", "japanese europe\tEastern Europe\t1.0"]
    for row in rows:
        assert parse_row(row, "test") is not None


def test_rows_at_the_start_use_the_next_word_and_skips_record_nothing():
    text = "Mentioned here, variations there."
    fixes = [make_fix(text, "Mentioned", "Said"), make_fix(text, "variations", "differences")]
    assert decision_rows(text, decided(text, fixes, "ns")) == ["mentioned\t-\t1.0\tnext=here"]


def test_rows_leave_out_an_article_the_fix_rechose():
    text = "It was a large crowd."
    start = text.index("a large")
    fix = Fix(start, start + len("a large"), "a large", "an enormous", 2.0, -0.1, 2.0)
    assert decision_rows(text, decided(text, [fix], "y")) == ["large\tenormous\t1.0"]
    assert decision_rows(text, decided(text, [fix], "n")) == ["large\t-\t1.0\tprev=a"]


def test_save_rows_creates_the_table_with_a_header_and_appends_only_new_rows(tmp_path):
    path = tmp_path / "decisions.tsv"
    assert save_rows(str(path), ["a\tb\t1.0"]) == 1
    assert path.read_text(encoding="utf-8") == TABLE_HEADER + "a\tb\t1.0\n"
    path.write_text(path.read_text(encoding="utf-8").replace("1.0", "0.5").rstrip("\n"), encoding="utf-8")
    rows = ["z\ty\t1.0", "a\tb\t1.0", "c\t-\t1.0\tprev=d", "z\ty\t1.0"]
    assert save_rows(str(path), rows, "second review") == 2  # "a → b" is there already, at another weight
    assert path.read_text(encoding="utf-8").endswith("a\tb\t0.5\n# second review\nc\t-\t1.0\tprev=d\nz\ty\t1.0\n")
    assert [(e.spun, e.original, e.context) for e in read_table(path)] == [
        ("a", "b", ()), ("c", "-", ("prev=d",)), ("z", "y", ())]
    assert save_rows(str(path), rows) == 0
    assert sorted(os.listdir(tmp_path)) == ["decisions.tsv"], "no temp file left behind"


def test_saved_table_passes_tables_check(tmp_path):
    from respin.tablecheck import check_table_files

    text = "Officials mentioned it. Mentioned again, variations remained. Japanese Europe waits."
    fixes = [make_fix(text, "mentioned", "said"), make_fix(text, "Mentioned", "Said"),
             make_fix(text, "variations", "differences"), make_fix(text, "Japanese Europe", "Eastern Europe")]
    path = tmp_path / "decisions.tsv"
    save_rows(str(path), decision_rows(text, decided(text, fixes, "ynyy")), "first")
    save_rows(str(path), decision_rows(text, decided(text, fixes[::-1], "yyny")), "second")
    assert check_table_files([path]) == []


def test_saved_rejection_is_honoured_by_fix_and_other_contexts_still_fixed(tmp_path, table):
    text = SEED.read_text(encoding="utf-8")
    result = user_fix(text, table)
    said = [f for f in result.fixes if f.before == "mentioned"]
    assert len(said) >= 2
    rejected = said[0]
    session = Session(result.fixes)
    while not session.done:
        session.reject() if session.current is rejected else session.skip()
    saved = tmp_path / "saved.tsv"
    save_rows(str(saved), decision_rows(text, session))
    again = user_fix(text, table, saved)
    assert rejected.start not in {f.start for f in again.fixes}
    previous = re.findall(r"(\S+)\s+$", text[: rejected.start])[0].lower()
    other = [f for f in said if not re.search(rf"{re.escape(previous)}\s+$", text[: f.start], re.IGNORECASE)]
    assert {f.start for f in other} & {f.start for f in again.fixes}, "the keep row only holds in its context"


# --- the rendered view ---------------------------------------------------------

VIEW_TEXT = ("Headline without spin\n\nThey mentioned the plan.\n\nNothing here.\n\nStill nothing.\n\n"
             "Officials mentioned variations.\n")


def view_result(score: float = 3.0) -> Result:
    fixes = (make_fix(VIEW_TEXT, "mentioned", "said", 0, score=score),
             make_fix(VIEW_TEXT, "mentioned", "said", 1), make_fix(VIEW_TEXT, "variations", "differences"))
    return Result(VIEW_TEXT, apply_fixes(VIEW_TEXT, fixes), fixes)


def test_view_without_color_spells_out_each_change_with_its_score():
    out = render_view(view_result(), "a.txt", threshold=1.0)
    assert "\x1b" not in out
    assert "They [-mentioned-]{+said+}(3.00) the plan." in out
    assert "Officials [-mentioned-]{+said+}(2.00) [-variations-]{+differences+}(2.00)." in out
    assert "Headline" not in out and "Nothing here" not in out, "only paragraphs with fixes by default"
    assert "⋯ 1 paragraph without fixes ⋯" in out and "⋯ 2 paragraphs without fixes ⋯" in out
    assert out.index("¶2 · line 3") < out.index("¶5 · line 9")


def test_view_text_is_the_input_outside_the_changes():
    out = render_view(view_result(), "a.txt", threshold=1.0, width=500)
    restored = re.sub(r"\[-(.*?)-\]\{\+.*?\+\}\(\d+\.\d\d\??\)", r"\1", out)
    for paragraph in ("They mentioned the plan.", "Officials mentioned variations."):
        assert paragraph in restored.splitlines()


def test_a_fix_across_a_paragraph_break_joins_the_paragraphs():
    text = "Intro.\n\nThere is an\n\nactual danger.\n\nEnd.\n"
    start = text.index("an\n")
    fix = Fix(start, text.index(" danger"), "an\n\nactual", "a\n\nreal", 2.0, -0.1, 2.0)
    groups = group_fixes(text, [fix])
    assert [(text[s:e], fixes) for s, e, fixes in groups] == [
        ("Intro.", []), ("There is an\n\nactual danger.", [fix]), ("End.", [])]
    out = render_view(Result(text, apply_fixes(text, [fix]), (fix,)), "a.txt", threshold=1.0)
    assert "There is [-an\n\nactual-]{+a\n\nreal+}(2.00) danger." in out


def test_view_context_shows_neighbouring_paragraphs():
    out = render_view(view_result(), "a.txt", threshold=1.0, context=1)
    assert "Headline without spin" in out and "Nothing here." in out and "Still nothing." in out
    assert "without fixes" not in out


def test_low_confidence_fixes_are_marked():
    threshold = 1.0
    low = render_view(view_result(score=threshold + LOW_CONFIDENCE_MARGIN - 0.01), "a.txt", threshold=threshold)
    high = render_view(view_result(score=threshold + LOW_CONFIDENCE_MARGIN), "a.txt", threshold=threshold)
    assert "{+said+}(1.49?)" in low and "1 low-confidence" in low
    assert "{+said+}(1.50)" in high and "low-confidence" not in high


def test_side_by_side_puts_spun_left_and_restored_right():
    out = render_view(view_result(), "a.txt", threshold=1.0, side_by_side=True, width=120)
    line = next(line for line in out.splitlines() if "They" in line)
    assert line.index("They [-mentioned-] the plan.") < line.rindex("They {+said+}(3.00) the plan.")


def test_view_with_color_strikes_and_colours_instead_of_brackets():
    out = render_view(view_result(), "a.txt", threshold=1.0, color=True)
    assert "\x1b[9;31mmentioned" in out and "\x1b[1;32msaid" in out
    assert "[-" not in out


def test_control_characters_in_the_input_never_reach_the_terminal():
    text = "Evil \x1b[2J mentioned it\r\n"
    fix = make_fix(text, "mentioned", "said")
    out = render_view(Result(text, apply_fixes(text, [fix]), (fix,)), "a.txt", threshold=1.0)
    assert "\x1b" not in out and "\r" not in out and "␛[2J" in out


def test_color_follows_flags_then_no_color_then_the_terminal(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert color_enabled(None, Tty()) and not color_enabled(None, object())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color_enabled(None, Tty())
    assert color_enabled(True, object()) and not color_enabled(False, Tty())


def test_diff_cli_view_no_color(seed, table):
    result = invoke("diff", seed, "--table", table, "--no-builtin-tables", "--format", "view", "--no-color")
    assert result.exit_code == 0, result.stderr
    fixes = user_fix(seed.read_text(encoding="utf-8"), table).fixes
    assert "\x1b" not in result.stdout
    assert f"[-{fixes[0].before}-]{{+{fixes[0].after}+}}({fixes[0].score:.2f}" in result.stdout
    assert result.stdout.startswith(f"{seed}: {len(fixes)} fixes in ")


def test_diff_cli_honours_no_color_env_when_forced_to_the_view(seed, table):
    args = ("diff", seed, "--table", table, "--no-builtin-tables", "--format", "view")
    assert "\x1b[" not in invoke(*args, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" in invoke(*args, "--color", env={"NO_COLOR": "1"}).stdout


# --- respin diff | patch gives respin fix ------------------------------------


def run_respin(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "respin", *map(str, args)], capture_output=True, check=False,
                          **kwargs)


PATCH_CASES = [(name, "user") for name in SPUN_SEEDS] + [
    ("000_61a0575f8c2cb013.txt", "builtin"), ("crlf", "user"), ("no-final-newline", "user"),
    ("line-separator", "user"),  # U+2028 is not a line end for patch
]


@pytest.mark.skipif(shutil.which("patch") is None, reason="the 'patch' program is not installed")
@pytest.mark.parametrize(("name", "tables"), PATCH_CASES)
def test_diff_piped_into_patch_gives_fix_output(tmp_path, table, name, tables):
    data = {"crlf": b"They mentioned it.\r\n\r\nThe variations remained.\r\n",
            "no-final-newline": b"Line one.\n\nOfficials mentioned the arms management",
            "line-separator": "They mentioned it.\u2028The variations grew.\n".encode()}.get(name)
    source = tmp_path / "input.txt"
    source.write_bytes(data if data is not None else (EXAMPLES / name).read_bytes())
    options = ["--table", table, "--no-builtin-tables", "--assume-spun"] if tables == "user" else ["--reference", REFERENCE]
    diff = run_respin("diff", source, *options)  # stdout is a pipe: a unified diff
    fixed = run_respin("fix", source, *options)
    assert diff.returncode == 0 and fixed.returncode == 0, diff.stderr + fixed.stderr
    copy = tmp_path / "copy.txt"
    shutil.copyfile(source, copy)
    if diff.stdout:
        assert diff.stdout.startswith(b"--- a/")
        patched = subprocess.run(["patch", "--quiet", str(copy)], input=diff.stdout, capture_output=True)
        assert patched.returncode == 0, patched.stdout + patched.stderr
    else:
        assert tables == "builtin", "the user table always finds something to fix"
    assert copy.read_bytes() == fixed.stdout


def test_diff_cli_not_on_a_terminal_is_fix_format_diff(seed, table):
    options = ("--table", table, "--no-builtin-tables")
    piped = invoke("diff", seed, *options)
    assert piped.exit_code == 0
    assert piped.stdout == invoke("fix", seed, "--format", "diff", *options).stdout
    assert piped.stdout.startswith(f"--- a/{seed}")


# --- bad input: exit 2 and one line ------------------------------------------


def one_line_error(result, code=2) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("respin: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["diff", "review"])
def test_bad_input_files_fail_with_one_line(tmp_path, command):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"abc\x00def")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1"))
    for path in (tmp_path / "missing.txt", tmp_path, binary, latin):
        assert str(path) in one_line_error(invoke(command, path))


def test_review_refuses_stdin_an_existing_backup_and_a_broken_decisions_table(tmp_path, seed, table):
    assert "needs a FILE" in one_line_error(invoke("review", "-", input="y"))
    backup = Path(f"{seed}.orig")
    backup.write_text("older backup", encoding="utf-8")
    assert "backup already exists" in one_line_error(invoke("review", seed, "--table", table, input="y"))
    assert backup.read_text(encoding="utf-8") == "older backup"
    broken = tmp_path / "broken.tsv"
    broken.write_text("only-one-field\n", encoding="utf-8")
    line = one_line_error(invoke("review", seed, "--no-backup", "--save-decisions", broken, input="y"))
    assert "broken.tsv:1" in line
    assert seed.read_bytes() == SEED.read_bytes()
    assert "input file" in one_line_error(invoke("review", seed, "-o", seed, input="y"))


def test_diff_side_by_side_cannot_be_a_unified_diff(seed):
    assert "--side-by-side" in one_line_error(invoke("diff", seed, "--side-by-side", "--format", "unified"))


# --- respin review through the CLI --------------------------------------------


def review_args(path: Path, table: Path, *more) -> list:
    return ["review", path, "--table", table, "--no-builtin-tables", "--no-color", *more]


def test_review_in_place_keeps_a_backup_and_prints_a_summary(seed, table):
    text = seed.read_text(encoding="utf-8")
    fixes = user_fix(text, table).fixes
    result = invoke(*review_args(seed, table), input="ynsq")
    assert result.exit_code == 0, result.stderr
    assert seed.read_text(encoding="utf-8") == apply_fixes(text, [fixes[0]])
    assert Path(f"{seed}.orig").read_bytes() == SEED.read_bytes()
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("respin review: 1 accepted, 1 rejected, 0 edited, 1 skipped, ")
    assert f"wrote {seed} (backup {seed}.orig)" in summary


def test_review_card_shows_where_and_the_sentence_before_the_change(seed, table):
    text = seed.read_text(encoding="utf-8")
    fix = user_fix(text, table).fixes[0]
    line = text.count("\n", 0, fix.start) + 1
    column = fix.start - text.rfind("\n", 0, fix.start)
    out = invoke(*review_args(seed, table, "--no-backup"), input="q").stdout
    where = out.index(f"{seed}:{line}:{column}")
    sentence = out.index(f"[-{fix.before}-]{{+{fix.after}+}}")
    change = out.index(f"{fix.before} → {fix.after}   score {fix.score:.2f}")
    assert where < sentence < change < out.index("y accept")
    assert seed.read_bytes() == SEED.read_bytes(), "nothing accepted: the file is left alone"


def test_review_accept_all_covers_the_same_substitution(seed, table, tmp_path):
    text = seed.read_text(encoding="utf-8")
    fixes = user_fix(text, table).fixes
    first = fixes[0]
    same = [f for f in fixes if (f.before.lower(), f.after.lower()) == (first.before.lower(), first.after.lower())]
    out = tmp_path / "out.txt"
    result = invoke(*review_args(seed, table, "-o", out), input="aq")
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == apply_fixes(text, same)
    assert seed.read_bytes() == SEED.read_bytes() and not Path(f"{seed}.orig").exists()


def test_review_ctrl_c_confirmed_writes_nothing(seed, table, tmp_path):
    decisions = tmp_path / "d.tsv"
    for confirm in ("y", "Y", "\x03"):  # y, or a second Ctrl-C
        result = invoke(*review_args(seed, table, "--save-decisions", decisions), input="yy\x03" + confirm)
        assert (result.exit_code, result.stderr) == (130, "respin: interrupted\n")
        assert "  → Discard 2 answers? [y/N]\n" in result.stdout
        assert "respin review:" not in result.stdout
        assert seed.read_bytes() == SEED.read_bytes() and not decisions.exists()
        assert not Path(f"{seed}.orig").exists()


def test_review_ctrl_c_declined_goes_on_and_q_writes_the_answers(seed, table, tmp_path):
    text = seed.read_text(encoding="utf-8")
    fixes = user_fix(text, table).fixes
    out = tmp_path / "out.txt"
    for decline in ("n", "\r", "x"):
        result = invoke(*review_args(seed, table, "-o", out), input="y\x03" + decline + "nq")
        assert (result.exit_code, result.stderr) == (0, "")
        after = result.stdout.split("  → Discard 1 answer? [y/N]\n", 1)[1]
        assert after.startswith("  → kept: the review goes on (q writes your answers)\n")
        assert f"fix 2 of {len(fixes)}" in after, "the current fix is shown again"
        assert result.stdout.strip().splitlines()[-1].startswith("respin review: 1 accepted, 1 rejected, 0 edited")
        assert out.read_text(encoding="utf-8") == apply_fixes(text, fixes[:1])


def test_review_ctrl_c_before_any_answer_stops_without_asking(seed, table):
    result = invoke(*review_args(seed, table), input="s\x03")
    assert (result.exit_code, result.stderr) == (130, "respin: interrupted\n")
    assert "Discard" not in result.stdout and seed.read_bytes() == SEED.read_bytes()


def test_run_session_asks_before_discarding_answers():
    read_key, ask, show, say, said, shown = scripted("y\x03nq")
    session = Session(session_fixes())
    run_session(session, read_key, ask, show, say)
    assert said == ["accepted", "Discard 1 answer? [y/N]", "kept: the review goes on (q writes your answers)"]
    assert shown == [0, 1, 1] and session.quit and session.decisions[0].verdict == ACCEPTED

    def interrupted():  # the terminal delivers Ctrl-C as SIGINT rather than as a key
        raise KeyboardInterrupt

    keys = iter([lambda: "a", interrupted, interrupted])
    with pytest.raises(KeyboardInterrupt):
        run_session(Session(session_fixes()), lambda: next(keys)(), ask, show, say)


def test_run_session_does_not_ask_when_stopped_by_a_signal():
    from respin.signals import Stopped

    def sigterm():
        raise Stopped(15)

    keys = iter([lambda: "y", sigterm])
    said = []
    with pytest.raises(Stopped):
        run_session(Session(session_fixes()), lambda: next(keys)(), lambda fix: None, lambda s: None, said.append)
    assert said == ["accepted"]


# Two fixes in each sentence with the review table: the second card shows the first's answer.
TWO_PER_SENTENCE = ("Officials mentioned the variations in arms management were small.\n"
                    "Leaders mentioned that they had been ready to talk.\n")


@pytest.mark.parametrize("keys, card, expected", [
    ("y", 2, "Officials said the variations in arms [-management-]{+control+}"),
    ("n", 2, "Officials mentioned the variations in arms [-management-]{+control+}"),
    ("estated\n", 2, "Officials stated the variations in arms [-management-]{+control+}"),
    ("yu", 1, "Officials [-mentioned-]{+said+}"),  # undone: no answer any more
    ("ayy", 4, "Leaders said that they [-had been-]{+were+}"),  # 'a' answered the later 'mentioned' too
    ("yys", 4, "Leaders mentioned that they [-had been-]{+were+}"),  # skipped: no answer
])
def test_review_card_shows_earlier_answers_in_the_sentence(tmp_path, table, keys, card, expected):
    path = tmp_path / "two.txt"
    path.write_text(TWO_PER_SENTENCE, encoding="utf-8")
    fixes = user_fix(TWO_PER_SENTENCE, table).fixes
    assert [f.before for f in fixes] == ["mentioned", "management", "mentioned", "had been"]
    result = invoke(*review_args(path, table, "--no-backup"), input=keys + "q")
    assert (result.exit_code, result.stderr) == (0, "")
    last_card = result.stdout.rsplit(f"── fix {card} of 4", 1)[1]
    assert last_card.splitlines()[1].startswith(expected)


def test_review_card_colours_accepted_words_in_the_sentence(tmp_path, table):
    path = tmp_path / "two.txt"
    path.write_text(TWO_PER_SENTENCE, encoding="utf-8")
    result = invoke("review", path, "--table", table, "--no-builtin-tables", "--color", "--no-backup", input="yq")
    assert (result.exit_code, result.stderr) == (0, "")
    second = result.stdout.split("fix 2 of 4", 1)[1]
    assert "Officials \x1b[32msaid\x1b[0m the variations" in second


def _spawn_review(path: Path, table: Path, *more: str):
    pexpect = pytest.importorskip("pexpect")
    import signal

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    # A Ctrl-C that lands before the terminal is raw is SIGINT: as a user's shell does, let it through
    # (a test runner started in the background passes SIGINT on ignored).
    return pexpect, pexpect.spawn(sys.executable, ["-m", "respin", "review", str(path), "--table", str(table),
                                                   "--no-builtin-tables", *more],
                                  env=env, encoding="utf-8", timeout=30, dimensions=(50, 200),
                                  preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_review_in_a_pseudo_terminal_ctrl_c_asks_then_goes_on_with_answers_in_context(tmp_path, table):
    path = tmp_path / "two.txt"
    path.write_text(TWO_PER_SENTENCE, encoding="utf-8")
    fixes = user_fix(TWO_PER_SENTENCE, table).fixes
    pexpect, child = _spawn_review(path, table)
    child.expect("q quit")
    child.send("y")
    child.expect(re.escape("Officials said the variations in arms [-management-]{+control+}"))
    child.expect("q quit")
    child.sendintr()  # Ctrl-C as the terminal sends it
    child.expect(re.escape("Discard 1 answer? [y/N]"))
    child.send("\r")  # Enter: no
    child.expect(re.escape("kept: the review goes on (q writes your answers)"))
    child.expect(re.escape("fix 2 of 4"))
    child.expect(re.escape("Officials said the variations in arms [-management-]{+control+}"))
    child.expect("q quit")
    child.send("n")
    child.expect("q quit")
    child.send("q")
    child.expect(re.escape("respin review: 1 accepted, 1 rejected, 0 edited, 0 skipped, 2 not reviewed"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert path.read_text(encoding="utf-8") == apply_fixes(TWO_PER_SENTENCE, fixes[:1])
    assert Path(f"{path}.orig").read_text(encoding="utf-8") == TWO_PER_SENTENCE


def test_review_in_a_pseudo_terminal_ctrl_c_twice_writes_nothing(tmp_path, table):
    path = tmp_path / "two.txt"
    path.write_text(TWO_PER_SENTENCE, encoding="utf-8")
    decisions = tmp_path / "d.tsv"
    pexpect, child = _spawn_review(path, table, "--save-decisions", str(decisions))
    child.expect("q quit")
    child.send("y")
    child.expect("q quit")
    child.send("n")
    child.expect("q quit")
    child.sendintr()
    child.expect(re.escape("Discard 2 answers? [y/N]"))
    child.sendintr()
    child.expect("respin: interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert path.read_text(encoding="utf-8") == TWO_PER_SENTENCE
    assert sorted(os.listdir(tmp_path)) == ["two.txt", "user.tsv"]


def test_ctrl_c_while_a_card_is_drawn_asks_too():
    # SIGINT can arrive before the terminal is in raw mode, while the card is printed.
    drawn = []

    def show(session):
        drawn.append(session.position)
        if len(drawn) == 2:
            raise KeyboardInterrupt

    said = []
    session = Session(session_fixes())
    keys = iter("ynq")
    run_session(session, lambda: next(keys, ""), lambda fix: None, show, said.append)
    assert said == ["accepted", "Discard 1 answer? [y/N]", "kept: the review goes on (q writes your answers)"]
    assert drawn == [0, 1, 1] and session.quit and session.position == 1
