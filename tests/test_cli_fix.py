"""respin fix on the command line: outputs, safety of writes, and errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import DATA, SPUN_SEEDS, read_seed

from respin.cli import main

MINI = ["--table", str(DATA / "tables" / "mini.tsv"), "--no-builtin-tables", "--assume-spun"]
SPUN = "NATO Secretary-Common Jens Stoltenberg mentioned the assembly.\r\n"


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input)


def test_stdin_to_stdout_keeps_line_endings():
    result = run(["fix", *MINI], input=SPUN.encode())
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == "NATO Secretary-General Jens Stoltenberg said the meeting.\r\n".encode()


def test_dash_reads_stdin():
    assert run(["fix", "-", *MINI], input=SPUN.encode()).stdout.startswith("NATO Secretary-General")


def test_json_fixes_replay_to_the_text(tmp_path):
    path = tmp_path / "spun.txt"
    path.write_text(read_seed(SPUN_SEEDS[2]), encoding="utf-8", newline="")
    result = run(["fix", str(path), "--format", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    source = path.read_bytes().decode()
    assert payload["fixes"], "seed 003 is heavily spun"
    text = source
    for fix in sorted(payload["fixes"], key=lambda f: -f["start"]):
        assert source[fix["start"] : fix["end"]] == fix["before"]
        assert isinstance(fix["score"], float)
        text = text[: fix["start"]] + fix["after"] + text[fix["end"] :]
    assert text == payload["text"]


def test_output_file_and_in_place(tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(SPUN.encode())
    out = tmp_path / "out.txt"
    assert run(["fix", str(source), "-o", str(out), *MINI]).exit_code == 0
    assert out.read_bytes().startswith(b"NATO Secretary-General")
    assert source.read_bytes() == SPUN.encode()  # the input is never touched without --in-place
    assert run(["fix", "--in-place", str(source), *MINI]).exit_code == 0
    assert source.read_bytes() == out.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if "respin-tmp" in p.name] == []


def test_check_answers_through_the_exit_code():
    assert run(["fix", "--check", *MINI], input=SPUN.encode()).exit_code == 1
    assert run(["fix", "--check", *MINI], input=b"Nothing to see here.\n").exit_code == 0


def test_diff_format_is_a_unified_diff():
    result = run(["fix", "--format", "diff", *MINI], input=SPUN.encode())
    assert result.stdout.startswith("--- a/stdin\n+++ b/stdin\n@@")
    assert "+NATO Secretary-General" in result.stdout


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (p.write_bytes(b"abc\x00def"), p)[1], "binary"),
        (lambda p: (p.write_bytes("caf\xe9".encode("latin-1")), p)[1], "not valid UTF-8"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, make, message):
    path = make(tmp_path / "input.txt")
    result = run(["fix", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and str(path) in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_bad_file_among_good_ones_writes_nothing(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(SPUN.encode())
    result = run(["fix", "--in-place", str(good), str(tmp_path / "missing.txt"), *MINI])
    assert result.exit_code == 2
    assert good.read_bytes() == SPUN.encode()


def test_usage_errors(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    assert run(["fix", "--in-place"], input=b"x").exit_code == 2
    assert run(["fix", str(path), "-o", str(path)]).exit_code == 2
    assert run(["fix", str(path), "--in-place", "-o", str(tmp_path / "b")]).exit_code == 2
    bad_table = tmp_path / "t.tsv"
    bad_table.write_text("only-one-field\n")
    result = run(["fix", str(path), "--table", str(bad_table)])
    assert result.exit_code == 2 and "t.tsv:1" in result.stderr


def test_a_short_ambiguous_snippet_is_left_alone_unless_assumed_spun():
    snippet = b"She mentioned her grandfather often.\n"
    table = ["--table", str(DATA / "tables" / "mini.tsv"), "--no-builtin-tables"]
    assert run(["fix", *table], input=snippet).stdout_bytes == snippet
    assert run(["fix", *table, "--assume-spun"], input=snippet).stdout_bytes != snippet


def test_dash_output_is_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["fix", "-o", "-", *MINI], input=SPUN.encode())
    assert result.exit_code == 0 and result.stdout.startswith("NATO Secretary-General")
    assert not (tmp_path / "-").exists()


@pytest.fixture
def small_stretches(monkeypatch):
    """Stretches of a few kB, all spilled: the streaming path on a text the size of the seeds."""
    import respin.pipeline as pipeline

    monkeypatch.setattr(pipeline, "STRETCH_CHARS", 4000)
    monkeypatch.setattr(pipeline, "KEPT_CHARS", 0)


def test_a_long_input_streams_to_every_text_output_as_fix_gives_it(tmp_path, small_stretches):
    import os

    import respin

    text = "".join(read_seed(seed) for seed in SPUN_SEEDS)
    expected = respin.fix(text).text
    path = tmp_path / "long.txt"
    path.write_bytes(text.encode("utf-8"))
    assert run(["fix", str(path), "--jobs", "2"]).stdout_bytes == expected.encode("utf-8")
    assert run(["fix", "-"], input=text.encode("utf-8")).stdout_bytes == expected.encode("utf-8")
    out = tmp_path / "out.txt"
    assert run(["fix", str(path), "-o", str(out)]).exit_code == 0 and out.read_text(encoding="utf-8") == expected
    assert run(["fix", str(path), "--check"]).exit_code == 1
    assert run(["fix", str(path), "--in-place"]).exit_code == 0 and path.read_text(encoding="utf-8") == expected
    # Unchanged now (respin's own output): --in-place leaves the file alone.
    os.utime(path, (1, 1))
    assert run(["fix", str(path), "--in-place"]).exit_code == 0 and os.stat(path).st_mtime == 1
    assert not [p for p in tmp_path.iterdir() if ".respin-tmp" in p.name]


def test_a_bad_byte_at_the_end_of_a_long_input_writes_nothing(tmp_path, small_stretches):
    path = tmp_path / "long.txt"
    path.write_bytes("".join(read_seed(seed) for seed in SPUN_SEEDS).encode("utf-8") + b"\xff")
    out = tmp_path / "out.txt"
    result = run(["fix", str(path), "-o", str(out)])
    assert result.exit_code == 2 and "not valid UTF-8" in result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["long.txt"]
    assert run(["fix", str(path)]).stdout_bytes == b""
