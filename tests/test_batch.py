"""respin batch: outputs equal respin.fix file by file, bad files are reported,
a kill -9 then a re-run ends as an uninterrupted run, in place, and refusals."""

from __future__ import annotations

import fcntl
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import DATA, EXAMPLES, ROOT

import respin
from respin.batch import report as batch_report
from respin.batch import workers as batchworkers
from respin.batch.files import JOURNAL_NAME, STATE_NAME, is_temp_name
from respin.batch.state import content_hash
from respin.batch.workers import FAILED, Task, Worker, WorkerSetup
from respin.cli import main
from respin.config import DEFAULT, Config

MINI_TABLE = DATA / "tables" / "mini.tsv"
MINI = ["--table", str(MINI_TABLE), "--no-builtin-tables"]
MINI_CONFIG = Config(tables=(str(MINI_TABLE),), builtin_tables=False)
AN_HOUR_AGO = time.time() - 3600
OWN_FILES = {STATE_NAME, JOURNAL_NAME}


# --- building trees -------------------------------------------------------------


def seed_sentences() -> list[str]:
    text = "\n".join(p.read_bytes().decode("utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[.!?”])\s+", text) if len(s.split()) >= 4]


def make_tree(root: Path, count: int, seed: int = 6) -> dict[str, bytes]:
    """``count`` small articles from seed sentences in nested folders, with odd line endings and names."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    files: dict[str, bytes] = {}
    for i in range(count):
        rel = f"section{i % 5}/day{i % 3}/story{i:04d}.txt"
        paragraphs = ["  ".join(rng.sample(sentences, rng.randint(1, 3))) for _ in range(rng.randint(1, 3))]
        newline = "\r\n" if i % 11 == 0 else "\n"
        text = (newline * 2).join(paragraphs) + (newline if i % 7 else "")
        files[rel] = (("\ufeff" if i % 13 == 0 else "") + text).encode("utf-8")
    files["café au lait/naïve name.txt"] = "The officers mentioned the safety talks.\n".encode("utf-8")
    files["empty.txt"] = b""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "notes.md").write_text("not a *.txt file: never restored\n")
    age(root)
    return files


def age(root: Path) -> None:
    """Inputs made an hour ago, so "output newer than input" never hangs on one clock tick."""
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))


def add_bad_files(root: Path, elsewhere: Path) -> dict[str, str]:
    """Files batch must report and skip, with the words their reason must contain."""
    (root / "bad").mkdir()
    (root / "bad" / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary\x00")
    (root / "bad" / "latin1.txt").write_bytes("Le café était fermé.\n".encode("latin-1"))
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "secret.txt").write_text("outside IN_DIR\n")
    (root / "bad" / "outside.txt").symlink_to(elsewhere / "secret.txt")
    bad = {"bad/binary.txt": "binary", "bad/latin1.txt": "not valid UTF-8", "bad/outside.txt": "leaves IN_DIR"}
    if os.geteuid() != 0:  # root reads anything: no unreadable file to test with
        (root / "bad" / "locked.txt").write_text("no access\n")
        (root / "bad" / "locked.txt").chmod(0)
        bad["bad/locked.txt"] = "permission denied"
    return bad


def expected_outputs(files: dict[str, bytes], config: Config = DEFAULT, references=()) -> dict[str, bytes]:
    """What `respin fix` makes of each file: the library call it is a thin layer over."""
    return {rel: respin.fix(data.decode("utf-8"), references, config).text.encode("utf-8") for rel, data in files.items()}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path; batch's state and temp files aside."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name not in OWN_FILES and not is_temp_name(p.name)
    }


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if is_temp_name(p.name)]


def run(*args: str):
    return CliRunner().invoke(main, ["batch", *map(str, args)])


def read_report(path: Path) -> dict[str, dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    by_path = {r["path"]: r for r in records}
    assert len(by_path) == len(records), "one line per file"
    return by_path


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, str]]:
    root = tmp_path_factory.mktemp("big") / "in"
    files = make_tree(root, 320)
    bad = add_bad_files(root, root.parent / "elsewhere")
    return root, files, bad


# --- the acceptance cases -------------------------------------------------------------


def test_outputs_equal_fix_file_by_file_and_bad_files_are_reported(big_tree, tmp_path):
    in_dir, files, bad = big_tree
    out = tmp_path / "out"
    report = tmp_path / "report.jsonl"
    result = run(in_dir, out, "--jobs", "2", "--report", report)

    assert result.exit_code == 1, result.output  # some files failed
    assert tree(out) == expected_outputs(files)  # byte for byte; no output for bad or non-*.txt files
    failures = [line for line in result.stderr.splitlines() if line.startswith("respin: failed:")]
    assert len(failures) == len(bad)
    for rel, reason in bad.items():
        assert any(rel in line and reason in line for line in failures), (rel, failures)
    assert re.search(rf"{len(files) + len(bad)} files: .* 0 skipped \(resumed\), {len(bad)} failed", result.stderr)

    records = read_report(report)
    assert set(records) == set(files) | set(bad)
    for rel, reason in bad.items():
        assert records[rel]["status"] == "failed" and reason in records[rel]["error"]
    for rel, data in files.items():
        record = records[rel]
        assert record["error"] is None
        assert record["status"] == ("fixed" if record["fixes"] else "unchanged")
        text = data.decode("utf-8")
        for fix in sorted(record["fixes"], key=lambda f: -f["start"]):  # the offsets replay the output
            assert text[fix["start"] : fix["end"]] == fix["before"] and isinstance(fix["score"], float)
            text = text[: fix["start"]] + fix["after"] + text[fix["end"] :]
        assert text.encode("utf-8") == (out / rel).read_bytes()
    assert temp_files(out) == []


def test_jobs_1_and_jobs_2_write_the_same_outputs(tmp_path):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 60, seed=1)
    assert run(in_dir, tmp_path / "one", "--jobs", "1", *MINI).exit_code == 0
    assert run(in_dir, tmp_path / "two", "--jobs", "2", *MINI).exit_code == 0
    expected = expected_outputs(files, MINI_CONFIG)
    assert expected != files, "the mini table restores something in these files"
    assert tree(tmp_path / "one") == tree(tmp_path / "two") == expected


def test_every_fix_option_reaches_the_workers(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 20, seed=4)
    reference = "The officials said the security talks in Eastern Europe were serious.\n"
    (tmp_path / "ref.txt").write_text(reference)
    args = ["--threshold", "0.5", "--assume-spun", "--reference", tmp_path / "ref.txt"]
    assert run(in_dir, out, "--jobs", "2", *MINI, *args).exit_code == 0
    config = MINI_CONFIG.with_(threshold=0.5, spin_prior=0.0)
    expected = expected_outputs(files, config, (reference,))
    assert expected != expected_outputs(files, MINI_CONFIG), "the options change some output"
    assert tree(out) == expected


def wait_for_outputs(out: Path, at_least: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir() and sum(1 for p in out.rglob("*.txt") if p.is_file()) >= at_least:
            return
        time.sleep(0.002)
    raise AssertionError("the batch run ended before it could be interrupted")


def batch_process(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "respin", "batch", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_killed_with_sigkill_then_resumed_equals_an_uninterrupted_run(tmp_path):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 700, seed=9)
    whole, out = tmp_path / "whole", tmp_path / "out"
    # The fixed mini table: built-in tables may be edited between these runs by their authors.
    uninterrupted = batch_process(in_dir, whole, "--jobs", "2", "--quiet", *MINI)
    assert uninterrupted.wait(120) == 0, uninterrupted.stderr.read()

    killed = batch_process(in_dir, out, "--jobs", "2", "--quiet", *MINI)
    wait_for_outputs(out, 20, killed)
    killed.send_signal(signal.SIGKILL)  # the batch process only: its workers must die with it
    killed.wait(10)
    partial = tree(out)
    assert 0 < len(partial) < len(files), "killed mid-way"
    for rel, data in partial.items():  # whatever was written is complete
        assert data == (whole / rel).read_bytes(), rel
    time.sleep(0.2)
    assert not [pid for pid in _processes_mentioning(str(out))], "no orphaned worker keeps running"

    resumed = run(in_dir, out, "--jobs", "2", *MINI)
    assert resumed.exit_code == 0, resumed.output
    skipped = int(re.search(r"(\d+) skipped \(resumed\)", resumed.stderr).group(1))
    assert skipped > 0, "the re-run resumed instead of starting over"
    assert tree(out) == tree(whole) == expected_outputs(files, MINI_CONFIG)
    assert temp_files(out) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_ctrl_c_stops_promptly_and_leaves_no_partial_output(tmp_path):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 700, seed=3)
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    process = batch_process(in_dir, out, "--jobs", "2", "--report", report, *MINI)
    wait_for_outputs(out, 20, process)
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - sent < 5
    assert "interrupted" in stderr.decode()
    assert temp_files(out) == [] and temp_files(tmp_path) == []
    assert not report.exists(), "a report is only written for a complete run"
    expected = expected_outputs(files, MINI_CONFIG)
    written = tree(out)
    assert 0 < len(written) < len(files)
    assert all(data == expected[rel] for rel, data in written.items())
    assert not _processes_mentioning(str(out))


# --- resume ------------------------------------------------------------------------


def test_rerun_skips_complete_outputs_and_redoes_stale_or_missing_ones(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 30)
    assert run(in_dir, out, *MINI).exit_code == 0

    again = run(in_dir, out, *MINI, "--report", tmp_path / "r.jsonl")
    assert again.exit_code == 0
    assert {r["status"] for r in read_report(tmp_path / "r.jsonl").values()} == {"skipped"}

    edited = "section1/day1/story0001.txt"
    (in_dir / edited).write_text("Officers mentioned the assembly.\n")  # newer than its output now
    (out / "section2/day2/story0002.txt").unlink()
    third = run(in_dir, out, *MINI, "--report", tmp_path / "r.jsonl")
    statuses = {rel: r["status"] for rel, r in read_report(tmp_path / "r.jsonl").items()}
    assert sorted(rel for rel, s in statuses.items() if s != "skipped") == [edited, "section2/day2/story0002.txt"]
    assert third.exit_code == 0

    forced = run(in_dir, out, *MINI, "--force", "--report", tmp_path / "r.jsonl")
    assert forced.exit_code == 0
    assert "skipped" not in {r["status"] for r in read_report(tmp_path / "r.jsonl").values()}
    files[edited] = (in_dir / edited).read_bytes()
    assert tree(out) == expected_outputs(files, MINI_CONFIG)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_input_edited_while_it_is_restored_is_redone_by_the_next_run(tmp_path, monkeypatch, jobs):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 12)
    edited = "section1/day1/story0001.txt"
    old = (in_dir / edited).read_bytes()
    new = b"The officers mentioned the safety assembly." + b"." * (len(old) - 43)
    assert len(new) == len(old), "same size: only the modification time tells the edit"
    real_read = batchworkers.read_input

    def user_saves_right_after_the_read(path):
        text = real_read(path)
        if path.endswith("story0001.txt"):
            (in_dir / edited).write_bytes(new)  # the output, written next, is newer than this edit
        return text

    monkeypatch.setattr(batchworkers, "read_input", user_saves_right_after_the_read)
    assert run(in_dir, out, *MINI, "--jobs", jobs).exit_code == 0
    assert (out / edited).read_bytes() == expected_outputs({edited: old}, MINI_CONFIG)[edited]  # what was read
    monkeypatch.undo()

    again = run(in_dir, out, *MINI, "--jobs", jobs, "--report", tmp_path / "r.jsonl")
    assert (again.exit_code, again.stderr.count("\n")) == (0, 1), again.stderr
    redone = [rel for rel, r in read_report(tmp_path / "r.jsonl").items() if r["status"] != "skipped"]
    assert redone == [edited]
    files[edited] = new
    assert tree(out) == expected_outputs(files, MINI_CONFIG)


def test_the_out_dir_journal_records_each_input_as_it_was_read(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 5)
    assert run(in_dir, out, *MINI).exit_code == 0
    header, *lines = (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    assert set(json.loads(header)) == {"key"}
    entries = {item["path"]: item["read"] for item in map(json.loads, lines)}
    assert set(entries) == set(files)
    for rel, value in entries.items():
        info = (in_dir / rel).stat()
        assert value == f"{info.st_size}:{info.st_mtime_ns}"


def test_an_output_of_an_older_version_without_a_journal_is_redone(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 5)
    assert run(in_dir, out, *MINI).exit_code == 0
    (out / JOURNAL_NAME).unlink()
    (out / STATE_NAME).write_text('{"key": "0123456789abcdef", "since_ns": 0}\n')
    again = run(in_dir, out, *MINI)
    assert "settings differ" in again.stderr and " 0 skipped" in again.stderr
    assert not (out / STATE_NAME).exists()


@pytest.mark.parametrize("change", ["threshold", "table", "reference"])
def test_outputs_made_with_other_settings_are_redone(tmp_path, change):
    # In subprocesses, as users run it: tables are read once per process.
    in_dir, out = tmp_path / "in", tmp_path / "out"
    count = len(make_tree(in_dir, 12))
    table = tmp_path / "table.tsv"
    table.write_text(MINI_TABLE.read_text())
    reference = tmp_path / "reference.txt"
    reference.write_text("Officials said the talks were serious.\n")
    args = [in_dir, out, "--table", table, "--no-builtin-tables", "--reference", reference, "--jobs", "1"]

    def stderr_of_run() -> str:
        process = batch_process(*args)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        return stderr.decode()

    stderr_of_run()
    assert f"{count} skipped" in stderr_of_run()
    if change == "threshold":
        args += ["--threshold", "2.5"]
    elif change == "table":
        table.write_text(MINI_TABLE.read_text() + "talks\tdiscussions\t0.5\n")
    else:
        reference.write_text("Officers said the security talks were serious.\n")
    redone = stderr_of_run()
    assert "settings differ" in redone and " 0 skipped" in redone
    assert f"{count} skipped" in stderr_of_run()  # and from then on they count as done


def test_temp_files_of_killed_runs_are_removed_and_never_taken_as_input(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 5)
    (out / "section0").mkdir(parents=True)
    leftover = out / "section0" / ".story0000.txt.ab12cd_9.respin-tmp"
    leftover.write_text("half an output")
    (in_dir / ".story.txt.zz99yy88.respin-tmp").write_text("someone else's temp file")
    user_file = out / "keep.respin-tmp"
    user_file.write_text("not a name respin makes")

    result = run(in_dir, out, "--include", "*", *MINI, "--report", tmp_path / "r.jsonl")
    assert result.exit_code == 0, result.output
    assert not leftover.exists() and user_file.exists()
    assert "removed 1 temp file" in result.stderr
    assert set(read_report(tmp_path / "r.jsonl")) == set(files) | {"notes.md"}


def test_the_temp_names_cleaned_up_are_those_atomic_write_makes(tmp_path, monkeypatch):
    from respin.textio import atomic_write

    seen = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (seen.append(os.path.basename(src)), replace(src, dst)))
    atomic_write(tmp_path / "story.txt", "text")
    assert seen and all(is_temp_name(name) for name in seen)
    assert not is_temp_name("story.txt") and not is_temp_name("notes.respin-tmp")


def test_include_and_exclude_globs(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 15)
    result = run(in_dir, out, "--include", "*.txt", "--include", "*.md", "--exclude", "day1",
                 "--exclude", "section2/*", *MINI)
    assert result.exit_code == 0
    names = set(tree(out))
    assert "notes.md" in names
    assert not any("/day1/" in n or n.startswith("section2/") for n in names)
    assert any("/day0/" in n for n in names)


def test_a_file_name_that_is_not_utf8_is_restored_and_reported(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    in_dir.mkdir()
    name = b"caf\xe9.txt"  # a Latin-1 name, as old scrapes have
    with open(os.path.join(os.fsencode(in_dir), name), "wb") as handle:
        handle.write(b"The officers mentioned it.\n")
    result = run(in_dir, out, *MINI, "--report", tmp_path / "r.jsonl")
    assert result.exit_code == 0, result.output
    [record] = read_report(tmp_path / "r.jsonl").values()
    assert os.fsencode(record["path"]) == name and record["error"] is None
    with open(os.path.join(os.fsencode(out), name), "rb") as handle:
        assert handle.read() == expected_outputs({"x": b"The officers mentioned it.\n"}, MINI_CONFIG)["x"]


# --- in place ----------------------------------------------------------------------


def test_in_place_with_backups_restores_once_and_resumes(tmp_path):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 25)
    expected = expected_outputs(files, MINI_CONFIG)
    unchanged = sorted(rel for rel in files if expected[rel] == files[rel])
    assert unchanged and len(unchanged) < len(files)
    inode = (in_dir / unchanged[0]).stat().st_ino

    result = run("--in-place", in_dir, "--backup-suffix", ".orig", *MINI)
    assert result.exit_code == 0, result.output
    now = tree(in_dir)
    for rel, data in files.items():
        assert now[rel] == expected[rel]
        assert now.get(rel + ".orig") == (None if rel in unchanged else data)
    assert (in_dir / unchanged[0]).stat().st_ino == inode  # unchanged files are not rewritten

    # Nothing is restored twice: restored text can hold words a table lists as spun.
    again = run("--in-place", in_dir, "--backup-suffix", ".orig", *MINI, "--report", tmp_path / "r.jsonl")
    assert again.exit_code == 0
    assert {r["status"] for r in read_report(tmp_path / "r.jsonl").values()} == {"skipped"}
    assert tree(in_dir) == now

    # A file whose content is not what respin left (edited, or a kill between the journal and
    # the replace) is done again; its first backup is kept.
    changed = next(rel for rel in files if rel not in unchanged)
    (in_dir / changed).write_bytes(files[changed] + b"The officers mentioned it.\n")
    third = run("--in-place", in_dir, "--backup-suffix", ".orig", *MINI, "--report", tmp_path / "r.jsonl")
    statuses = {rel: r["status"] for rel, r in read_report(tmp_path / "r.jsonl").items()}
    assert [rel for rel, s in statuses.items() if s != "skipped"] == [changed]
    edited = files[changed] + b"The officers mentioned it.\n"
    assert (in_dir / changed).read_bytes() == expected_outputs({changed: edited}, MINI_CONFIG)[changed]
    assert (in_dir / (changed + ".orig")).read_bytes() == files[changed]
    assert third.exit_code == 0
    assert temp_files(in_dir) == []


def test_in_place_each_file_is_replaced_after_its_backup_and_journal_line(tmp_path, monkeypatch):
    in_dir = tmp_path / "in"
    files = make_tree(in_dir, 40)
    expected = expected_outputs(files, MINI_CONFIG)
    changed = sorted(rel for rel in files if expected[rel] != files[rel])
    journal = in_dir / JOURNAL_NAME
    replaced = []
    real_replace = os.replace

    def check_then_replace(src, dst):
        rel = Path(dst).relative_to(in_dir).as_posix() if Path(dst).is_relative_to(in_dir) else None
        if rel in files:  # an input being replaced: its backup and journal line are there already
            assert (in_dir / (rel + ".orig")).read_bytes() == files[rel]
            lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()[1:]]
            assert {"path": rel, "hash": content_hash(expected[rel].decode("utf-8"))} in lines
            replaced.append(rel)
            if rel == changed[5]:
                raise KeyboardInterrupt  # as a kill between the journal line and the replace
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", check_then_replace)
    interrupted = run("--in-place", in_dir, "--backup-suffix", ".orig", "--jobs", "1", *MINI)
    assert interrupted.exit_code == 130, interrupted.output
    assert replaced == changed[:6]
    assert (in_dir / changed[5]).read_bytes() == files[changed[5]]  # cut off before its replace
    assert temp_files(in_dir) == []

    monkeypatch.setattr(os, "replace", real_replace)
    resumed = run("--in-place", in_dir, "--backup-suffix", ".orig", "--jobs", "1", *MINI,
                  "--report", tmp_path / "r.jsonl")
    assert resumed.exit_code == 0, resumed.output
    statuses = read_report(tmp_path / "r.jsonl")
    assert all(statuses[rel]["status"] == "skipped" for rel in changed[:5])  # never restored twice
    assert statuses[changed[5]]["status"] == "fixed"
    now = tree(in_dir)
    for rel, data in files.items():
        assert now[rel] == expected[rel]
        assert now.get(rel + ".orig") == (data if rel in changed else None)


def test_in_place_leaves_symlinks_alone(tmp_path):
    in_dir = tmp_path / "in"
    make_tree(in_dir, 3)
    link = in_dir / "link.txt"
    link.symlink_to(in_dir / "section0" / "day0" / "story0000.txt")
    assert run("--in-place", in_dir, *MINI).exit_code == 0
    assert link.is_symlink()


# --- safety ------------------------------------------------------------------------


@pytest.mark.parametrize("layout, message", [
    ("out-inside-in", "OUT_DIR is inside IN_DIR"),
    ("same", "OUT_DIR is IN_DIR"),
    ("in-inside-out", "IN_DIR is inside OUT_DIR"),
    ("missing-in", "no such directory"),
    ("in-place-and-out", "give no OUT_DIR"),
    ("no-out", "missing OUT_DIR"),
    ("backup-without-in-place", "--backup-suffix only goes with --in-place"),
    ("jobs-0", "--jobs must be at least 1"),
    ("report-folder-missing", "its folder does not exist"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, layout, message):
    in_dir = tmp_path / "in"
    make_tree(in_dir, 2)
    args = {
        "out-inside-in": [in_dir, in_dir / "out"],
        "same": [in_dir, in_dir / "." / "section0" / ".."],
        "in-inside-out": [in_dir, tmp_path],
        "missing-in": [tmp_path / "nope", tmp_path / "out"],
        "in-place-and-out": ["--in-place", in_dir, tmp_path / "out"],
        "no-out": [in_dir],
        "backup-without-in-place": [in_dir, tmp_path / "out", "--backup-suffix", ".orig"],
        "jobs-0": [in_dir, tmp_path / "out", "--jobs", "0"],
        "report-folder-missing": [in_dir, tmp_path / "out", "--report", tmp_path / "nowhere" / "r.jsonl"],
    }[layout]
    before = tree(tmp_path)
    result = run(*args, *MINI)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert tree(tmp_path) == before


def test_symlinks_inside_are_followed_loops_and_escapes_are_not(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 4)
    (in_dir / "alias.txt").symlink_to(in_dir / "section0" / "day0" / "story0000.txt")
    (in_dir / "section0" / "loop").symlink_to(in_dir)  # a circle back to the top
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.txt").write_text("outside\n")
    (in_dir / "away").symlink_to(tmp_path / "elsewhere")
    result = run(in_dir, out, *MINI)
    assert result.exit_code == 1
    assert "away: symlink leaves IN_DIR" in result.stderr
    written = tree(out)
    assert written["alias.txt"] == written["section0/day0/story0000.txt"]
    assert not any(name.startswith("away/") for name in written)
    assert not (out / "alias.txt").is_symlink()
    assert not any(name.startswith("section0/loop/") for name in written)  # a circle: not entered
    assert set(files) <= set(written)


def test_a_symlink_in_out_dir_never_leads_a_write_into_in_dir(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 6)
    out.mkdir()
    (out / "section1").symlink_to(in_dir / "section1")  # outputs there would overwrite inputs
    result = run(in_dir, out, *MINI)
    assert result.exit_code == 1
    assert "leads out of OUT_DIR" in result.stderr
    assert tree(in_dir / "section1") == {rel[len("section1/"):]: data for rel, data in files.items()
                                         if rel.startswith("section1/")}


def test_a_second_run_on_the_same_out_dir_is_refused(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 2)
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running batch holds it
        result = run(in_dir, out, *MINI)
    finally:
        os.close(fd)
    assert result.exit_code == 2
    assert "another respin batch is writing here" in result.stderr
    assert tree(out) == {}


@pytest.mark.skipif(sys.platform != "linux", reason="workers inherit the patch only when forked")
def test_a_file_that_kills_its_worker_fails_alone_and_the_rest_go_on(tmp_path, monkeypatch):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 80)
    culprit = "section3/day0/story0003.txt"
    read = batchworkers.read_input

    def crash_on_culprit(path):
        if path == str(in_dir / culprit):
            os._exit(9)  # as the OOM killer or a segfault would end it
        return read(path)

    # Mid-chunk: the files before it in its chunk have temp files waiting for the barrier.
    monkeypatch.setattr(batchworkers, "read_input", crash_on_culprit)
    result = run(in_dir, out, "--jobs", "2", *MINI, "--report", tmp_path / "r.jsonl")
    assert result.exit_code == 1, result.output
    failed = {rel: r["error"] for rel, r in read_report(tmp_path / "r.jsonl").items() if r["status"] == "failed"}
    assert list(failed) == [culprit] and "worker process died" in failed[culprit]
    expected = expected_outputs({rel: d for rel, d in files.items() if rel != culprit}, MINI_CONFIG)
    assert tree(out) == expected
    assert temp_files(out) == [], "the dead worker's temp files are removed"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_that_cannot_be_written_fails_alone_and_its_chunk_is_written(tmp_path, jobs):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 60)
    blocked = "section0/day0/story0000.txt"
    (out / blocked).mkdir(parents=True)  # a folder where its output should go
    result = run(in_dir, out, "--jobs", jobs, *MINI, "--report", tmp_path / "r.jsonl")
    assert result.exit_code == 1, result.output
    failed = {rel: r["error"] for rel, r in read_report(tmp_path / "r.jsonl").items() if r["status"] == "failed"}
    assert list(failed) == [blocked] and "cannot write" in failed[blocked]
    assert tree(out) == expected_outputs({rel: d for rel, d in files.items() if rel != blocked}, MINI_CONFIG)
    assert temp_files(out) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_batch_at_once_with_one_line_naming_the_folder(tmp_path, monkeypatch, jobs):
    import errno

    from respin import textio

    in_dir, out = tmp_path / "in", tmp_path / "out"
    files = make_tree(in_dir, 80)
    real_add = textio.WriteGroup.add

    def disk_full_from_section3(self, path, data, **kwargs):
        if "section3" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_add(self, path, data, **kwargs)

    monkeypatch.setattr(textio.WriteGroup, "add", disk_full_from_section3)
    full = run(in_dir, out, *MINI, "--jobs", jobs, "--report", tmp_path / "r.jsonl")
    assert (full.exit_code, full.stderr) == (
        2, f"respin: error: {out}: No space left on device; batch stopped (make room, then run again to resume)\n")
    assert temp_files(out) == [] and not (tmp_path / "r.jsonl").exists()
    assert not any(rel.startswith("section3/") for rel in tree(out))
    monkeypatch.undo()

    resumed = run(in_dir, out, *MINI, "--jobs", jobs)
    assert resumed.exit_code == 0, resumed.stderr
    assert tree(out) == expected_outputs(files, MINI_CONFIG)


def _tiny_mount(path: Path, options: str) -> bool:
    """A 64 KiB tmpfs at ``path`` (root only, where mounting is allowed): a real full or read-only disk."""
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return False
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"{options},size=64k", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("options, message", [
    ("rw", "No space left on device; batch stopped (make room, then run again to resume)"),
    ("ro", "cannot write (Read-only file system)"),
])
def test_a_real_full_or_read_only_out_dir_is_one_line_naming_it(tmp_path, options, message):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 120)
    if not _tiny_mount(out, options):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        process = batch_process(in_dir, out, *MINI, "--jobs", "2")
        _, stderr = process.communicate(timeout=120)
        assert (process.returncode, stderr.decode()) == (2, f"respin: error: {out}: {message}\n")
        assert temp_files(out) == []
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_a_read_only_out_dir_is_named_not_a_file_inside_it(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 3)
    out.mkdir()
    out.chmod(0o555)
    try:
        if os.access(out, os.W_OK):
            pytest.skip("root writes anywhere: see the read-only tmpfs test")
        result = run(in_dir, out, *MINI)
        assert (result.exit_code, result.stderr) == (2, f"respin: error: {out}: cannot write (Permission denied)\n")
    finally:
        out.chmod(0o755)


def test_a_file_that_vanished_since_the_scan_is_reported(tmp_path):
    settings = WorkerSetup(MINI_CONFIG, (), str(tmp_path.resolve()))
    worker = Worker(settings)
    outcome = worker(Task("gone.txt", str(tmp_path / "gone.txt"), str(tmp_path / "out.txt"), 10))
    assert outcome.status == FAILED and "vanished" in outcome.error
    assert not (tmp_path / "out.txt").exists()


def test_bad_reference_or_table_is_a_usage_error_before_anything_is_written(tmp_path):
    in_dir, out = tmp_path / "in", tmp_path / "out"
    make_tree(in_dir, 2)
    bad_table = tmp_path / "bad.tsv"
    bad_table.write_text("one field only\n")
    for extra in (["--reference", tmp_path / "missing.txt"], ["--table", bad_table]):
        result = run(in_dir, out, *MINI, *extra)
        assert result.exit_code == 2 and result.stderr.startswith("respin: error:"), result.stderr
        assert not out.exists()


# --- progress ----------------------------------------------------------------------


def test_plain_progress_lines_when_not_a_terminal_and_quiet_silences_them(tmp_path, monkeypatch):
    in_dir = tmp_path / "in"
    make_tree(in_dir, 10)
    monkeypatch.setattr(batch_report, "PLAIN_PROGRESS_EVERY", 0.0)
    result = run(in_dir, tmp_path / "out", "--jobs", "1", *MINI)
    assert result.exit_code == 0
    assert re.search(r"^respin batch: \d+/12 files, [\d.]+/[\d.]+ MB, .* files/s, .* MB/s, ETA", result.stderr, re.M)
    assert re.search(r"^respin batch: 12 files: \d+ fixed, \d+ unchanged, 0 skipped \(resumed\), 0 failed; "
                     r"\d+ fixes applied; .* MB/s\)$", result.stderr, re.M)
    quiet = run(in_dir, tmp_path / "out2", "--jobs", "1", "--quiet", *MINI)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_progress_bar_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    in_dir = tmp_path / "in"
    make_tree(in_dir, 20)
    child = pexpect.spawn(sys.executable, ["-m", "respin", "batch", str(in_dir), str(tmp_path / "out"),
                                           "--jobs", "2", *MINI], cwd=str(ROOT), timeout=60,
                          dimensions=(24, 160), encoding="utf-8")
    child.expect(r"\d+/22 files +[\d.]+/[\d.]+ MB +[\d.]+ files/s, [\d.]+ MB/s +ETA")  # the bar's fields
    child.expect(r"respin batch: 22 files: \d+ fixed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
