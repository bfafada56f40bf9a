"""What users of black, codespell and ruff expect: -h, --check's report, refused flag clashes,
check carrying on past a bad file, and a library that says what it wants."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import DATA, EXAMPLES, REFERENCE_SEED, SPUN_SEEDS

import respin
from respin.cli import main

SPUN_FILE = str(EXAMPLES / f"{SPUN_SEEDS[2]}.txt")
CLEAN_FILE = str(EXAMPLES / f"{REFERENCE_SEED}.txt")


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input)


@pytest.mark.parametrize("command", [[], ["fix"], ["check"], ["batch"], ["tables", "show"], ["eval"]])
def test_dash_h_is_help_everywhere(command):
    result = run([*command, "-h"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


def test_fix_check_names_each_file_that_would_change_and_sums_up():
    result = run(["fix", "--check", SPUN_FILE, CLEAN_FILE])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"would restore {SPUN_FILE} (") and lines[0].endswith(" fixes)")
    assert lines[1:] == ["1 file would be restored, 1 file would be left unchanged."]


def test_fix_check_quiet_and_clean_input():
    result = run(["fix", "--check", "-q", CLEAN_FILE])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_fix_check_with_diff_prints_the_diff():
    result = run(["fix", "--check", "--format", "diff", SPUN_FILE])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"--- a/{SPUN_FILE}\n+++ b/{SPUN_FILE}\n@@ ")
    assert "would restore" in result.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--in-place", "--format", "json"], "--in-place writes the restored text; it cannot be used with --format json"),
        (["--in-place", "--format", "diff"], "--in-place writes the restored text; it cannot be used with --format diff"),
        (["--check", "--in-place"], "--check writes nothing; it cannot be used with --in-place"),
        (["--check", "-o", "out.txt"], "--check writes nothing; it cannot be used with -o"),
    ],
)
def test_conflicting_fix_flags_are_refused(tmp_path, flags, message):
    path = tmp_path / "a.txt"
    path.write_text("They mentioned it.\n", encoding="utf-8")
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["fix", str(path), *flags], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == f"respin: error: {message}\n"
    assert path.read_bytes() == before


def test_check_reports_every_file_and_exits_with_the_worst(tmp_path):
    binary = tmp_path / "bad.bin"
    binary.write_bytes(b"\x00\x01binary")
    result = run(["check", "--format", "json", CLEAN_FILE, str(binary), SPUN_FILE])
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [CLEAN_FILE, str(binary), SPUN_FILE]
    assert [r["verdict"] for r in records] == ["clean", None, "spun"]
    assert "binary" in records[1]["error"]
    assert result.stderr == f"respin: error: {binary}: looks like a binary file (contains NUL bytes)\n"


def test_check_text_summary_counts_failures(tmp_path):
    missing = tmp_path / "missing.txt"
    result = run(["check", CLEAN_FILE, str(missing)])
    assert result.exit_code == 2
    assert result.stdout.endswith("2 documents: 0 spun, 0 uncertain, 1 clean, 1 failed\n")


def test_library_check_matches_the_command():
    text = (EXAMPLES / f"{SPUN_SEEDS[2]}.txt").read_text(encoding="utf-8")
    verdict = respin.check(text)
    assert verdict.label == "spun" and verdict.spun
    assert respin.check((EXAMPLES / f"{REFERENCE_SEED}.txt").read_text(encoding="utf-8")).label == "clean"


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"references": "a clean story"}, TypeError, "not one string"),
        ({"references": [b"bytes"]}, TypeError, "texts (str)"),
        ({"config": respin.Config(tables="my.tsv")}, TypeError, "Config(tables=('my.tsv',))"),
        ({"config": respin.Config(threshold=float("nan"))}, ValueError, "finite number"),
        ({"config": {"threshold": 1}}, TypeError, "respin.Config"),
    ],
)
def test_library_arguments_are_checked(kwargs, error, words):
    with pytest.raises(error, match=None) as caught:
        respin.fix("They mentioned it.", **kwargs)
    assert words in str(caught.value)


def test_library_refuses_bytes_text():
    with pytest.raises(TypeError, match="decode bytes first"):
        respin.fix(b"They mentioned it.")


def test_the_package_is_typed():
    from importlib.resources import files

    assert files("respin").joinpath("py.typed").is_file()


def test_an_endless_binary_stream_is_refused_not_read_for_ever():
    import subprocess
    import sys
    from pathlib import Path

    if not Path("/dev/urandom").exists():
        pytest.skip("no /dev/urandom")
    done = subprocess.run([sys.executable, "-m", "respin", "fix", "/dev/urandom"], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.decode() == "respin: error: /dev/urandom: looks like a binary file (contains NUL bytes)\n"


def test_a_utf16_file_is_named_as_such(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("They mentioned it.\n".encode("utf-16"))
    result = run(["fix", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"respin: error: {path}: UTF-16 text (it starts with a byte-order mark); respin reads "
                             "UTF-8: convert it first, e.g. iconv -f utf-16 -t utf-8\n")


def test_fix_table_with_a_chain_loads_with_a_warning(tmp_path):
    table = tmp_path / "chained.tsv"
    table.write_text("mentioned\tsaid\t0.9\nsaid\ttold\t0.5\n", encoding="utf-8")
    result = run(["fix", "--no-builtin-tables", "--assume-spun", "--table", str(table)], input="They mentioned it.\n")
    assert result.exit_code == 0
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"respin: warning: {table}:1: error: chain: 'mentioned' → 'said'")


def test_write_errors_name_the_users_file_not_a_temp_file(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    spun = tmp_path / "a.txt"
    spun.write_text("They mentioned it.\n", encoding="utf-8")
    if Path("/proc/self").is_dir():  # a folder nobody can create files in, even root
        result = run(["fix", str(spun), "-o", "/proc/out.txt"])
        assert (result.exit_code, result.stderr) == (2, "respin: error: /proc/out.txt: No such file or directory\n")
    if Path("/dev/full").exists():
        with open("/dev/full", "wb") as full:
            done = subprocess.run([sys.executable, "-m", "respin", "fix", str(spun)], stdout=full,
                                  stderr=subprocess.PIPE, timeout=60)
        assert done.returncode == 2
        assert done.stderr.decode() == "respin: error: <stdout>: No space left on device\n"


def test_a_folder_as_reference_or_table_is_a_one_line_error(tmp_path):
    for option, message in (("--reference", "is a directory"), ("--table", "cannot read table")):
        result = run(["fix", option, str(tmp_path)], input="They mentioned it.\n")
        assert result.exit_code == 2
        assert result.stderr.startswith(f"respin: error: {tmp_path}: {message}")
        assert len(result.stderr.splitlines()) == 1


def test_a_killed_writes_temp_file_is_removed_by_the_next_write_to_that_file(tmp_path):
    import os
    import time

    spun = tmp_path / "a.txt"
    spun.write_text("They mentioned it.\n", encoding="utf-8")
    out = tmp_path / "clean.txt"
    stale = tmp_path / ".clean.txt.abcd1234.respin-tmp"  # as kill -9 during 'fix -o clean.txt' leaves it
    fresh = tmp_path / ".clean.txt.wxyz5678.respin-tmp"  # another write under way right now
    other = tmp_path / ".other.txt.abcd1234.respin-tmp"
    for path in (stale, fresh, other):
        path.write_text("half", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(other, (an_hour_ago, an_hour_ago))
    assert run(["fix", str(spun), "-o", str(out)]).exit_code == 0
    assert out.exists() and not stale.exists()
    assert fresh.exists() and other.exists()
