"""textio.WriteGroup: atomic writes of several files behind one durability barrier.

Each file ends whole or untouched, whatever happens to the others: a failing
item leaves no temp file and no partial target; the rest are still written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from respin import textio
from respin.batch.files import is_temp_name
from respin.textio import WriteGroup


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".respin-tmp" in p.name]


def write_all(items: list[tuple[Path, bytes]], **kwargs) -> list[OSError | None]:
    """Write ``items`` as one group, as the batch workers do; the error of each, None when written."""
    results: list[OSError | None] = []
    with WriteGroup() as group:
        pending = []
        for path, data in items:
            try:
                pending.append(group.add(path, data, **kwargs))
            except OSError as exc:
                pending.append(exc)
        group.sync()
        for write in pending:
            if isinstance(write, OSError):
                results.append(write)
                continue
            try:
                group.replace(write)
                results.append(None)
            except OSError as exc:
                results.append(exc)
    return results


def test_targets_get_their_contents_and_no_temp_is_left(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = tmp_path / "b" / "old.txt"
    old.write_bytes(b"previous content")
    items = [(tmp_path / "a" / "one.txt", "café\r\n".encode()), (old, b"replaced"),
             (tmp_path / "empty.txt", b""), (tmp_path / "big.bin", os.urandom(3_000_000))]
    assert write_all(items) == [None] * len(items)
    for path, data in items:
        assert path.read_bytes() == data
    assert temps(tmp_path) == []


def test_the_mode_of_keep_mode_of_or_of_the_old_target_is_kept(tmp_path):
    source = tmp_path / "source.txt"
    source.write_text("input")
    source.chmod(0o640)
    existing = tmp_path / "existing.sh"
    existing.write_text("old")
    existing.chmod(0o751)
    with WriteGroup() as group:
        copies = group.add(tmp_path / "copy.txt", b"output", keep_mode_of=source)
        keeps = group.add(existing, b"new")
        group.sync()
        group.replace(copies)
        group.replace(keeps)
    assert (tmp_path / "copy.txt").stat().st_mode & 0o7777 == 0o640
    assert existing.stat().st_mode & 0o7777 == 0o751 and existing.read_text() == "new"


def test_a_write_that_fails_leaves_no_temp_and_the_others_are_written(tmp_path, monkeypatch):
    target = tmp_path / "full.txt"
    target.write_bytes(b"the old content stays whole")
    real_write = os.write

    def disk_full_for_one(fd, data):
        if bytes(data[:4]) == b"FULL":
            real_write(fd, bytes(data[:3]))  # part of it reached the temp file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full_for_one)
    items = [(tmp_path / "first.txt", b"first"), (target, b"FULL of new words"), (tmp_path / "last.txt", b"last"),
             (tmp_path / "no such folder" / "x.txt", b"nowhere to go")]
    results = write_all(items)
    assert results[0] is None and results[2] is None
    assert results[1].errno == errno.ENOSPC and isinstance(results[3], FileNotFoundError)
    assert target.read_bytes() == b"the old content stays whole"
    assert (tmp_path / "first.txt").read_bytes() == b"first" and (tmp_path / "last.txt").read_bytes() == b"last"
    assert temps(tmp_path) == []


@pytest.mark.parametrize("call", ["fsync", "close"])
def test_a_file_whose_barrier_fails_never_replaces_its_target(tmp_path, monkeypatch, call):
    if call == "fsync":
        monkeypatch.setattr(textio, "_syncfs", False)  # a file fsync fails in the fallback only
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"old")
    with WriteGroup() as group:
        good = group.add(tmp_path / "good.txt", b"good")
        failing = group.add(bad, b"maybe lost in a write error")
        failing_fd, real = failing.fd, getattr(os, call)

        def eio_for_one(fd):
            result = real(fd)
            if fd == failing_fd:
                raise OSError(errno.EIO, "Input/output error")  # as a write error reported late
            return result

        monkeypatch.setattr(os, call, eio_for_one)
        group.sync()
        monkeypatch.setattr(os, call, real)
        assert temps(tmp_path) == [Path(good.temp)]  # the failed one is gone already
        with pytest.raises(OSError) as caught:
            group.replace(failing)
        assert caught.value.errno == errno.EIO
        group.replace(good)
    assert bad.read_bytes() == b"old" and (tmp_path / "good.txt").read_bytes() == b"good"
    assert temps(tmp_path) == []


def test_a_rename_that_fails_removes_its_temp(tmp_path):
    (tmp_path / "folder.txt").mkdir()  # a folder where the file should go
    with WriteGroup() as group:
        blocked = group.add(tmp_path / "folder.txt", b"x")
        fine = group.add(tmp_path / "fine.txt", b"fine")
        group.sync()
        with pytest.raises(IsADirectoryError):
            group.replace(blocked)
        assert temps(tmp_path) == [Path(fine.temp)]  # at once, not only when the group ends
        group.replace(fine)
    assert (tmp_path / "folder.txt").is_dir() and (tmp_path / "fine.txt").read_bytes() == b"fine"
    assert temps(tmp_path) == []


@pytest.mark.parametrize("stage", ["before sync", "after sync", "between replaces"])
def test_an_interruption_leaves_no_temp_and_no_partial_target(tmp_path, stage):
    targets = [tmp_path / f"f{i}.txt" for i in range(4)]
    for path in targets:
        path.write_bytes(b"old " + path.name.encode())
    with pytest.raises(KeyboardInterrupt), WriteGroup() as group:
        pending = [group.add(path, b"new " + path.name.encode()) for path in targets]
        if stage != "before sync":
            group.sync()
        if stage == "between replaces":
            group.replace(pending[0])
            group.replace(pending[1])
        raise KeyboardInterrupt
    done = 2 if stage == "between replaces" else 0
    for i, path in enumerate(targets):
        assert path.read_bytes() == (b"new " if i < done else b"old ") + path.name.encode()
    assert temps(tmp_path) == []


@pytest.mark.parametrize("barrier", ["syncfs", "fsync", "syncfs fails"])
def test_every_file_is_durable_before_any_is_renamed(tmp_path, monkeypatch, barrier):
    events = []
    textio._sync_file_systems([])  # resolves libc's syncfs
    real_syncfs, real_fsync, real_replace = textio._syncfs, os.fsync, os.replace
    if barrier == "fsync":
        monkeypatch.setattr(textio, "_syncfs", False)  # no syncfs (not Linux)
    elif not real_syncfs:
        pytest.skip("no syncfs on this system")
    else:
        failing = barrier == "syncfs fails"
        monkeypatch.setattr(textio, "_syncfs", lambda fd: (events.append("syncfs"), -1 if failing else real_syncfs(fd))[1])
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    assert write_all([(tmp_path / f"f{i}.txt", b"data") for i in range(5)]) == [None] * 5
    barriers = {"syncfs": ["syncfs"], "fsync": ["fsync"] * 5, "syncfs fails": ["syncfs"] + ["fsync"] * 5}[barrier]
    assert events == barriers + ["replace"] * 5


def test_sync_folders_makes_the_renames_durable_once_per_folder(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    synced = []
    real_fsync = os.fsync
    with WriteGroup() as group:
        pending = [group.add(tmp_path / folder / f"{i}.txt", b"x") for folder in ("a", ".") for i in (1, 2)]
        group.sync()
        for write in pending[:3]:  # both of "a", one of tmp_path
            group.replace(write)
        monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd))[1])
        group.sync_folders()
        monkeypatch.setattr(os, "fsync", real_fsync)
    assert sorted(synced) == sorted([str(tmp_path / "a"), str(tmp_path)])


def test_replace_before_sync_is_a_programming_error(tmp_path):
    with WriteGroup() as group:
        write = group.add(tmp_path / "x.txt", b"x")
        with pytest.raises(RuntimeError):
            group.replace(write)
    assert not (tmp_path / "x.txt").exists() and temps(tmp_path) == []


def test_temp_names_are_those_batch_cleans_up(tmp_path):
    with WriteGroup() as group:
        write = group.add(tmp_path / "story.txt", b"text")
        assert is_temp_name(os.path.basename(write.temp))
        assert os.path.dirname(write.temp) == str(tmp_path)  # beside its target: the rename stays atomic


def test_overwrites_an_input_sees_every_name_of_a_file(tmp_path):
    from respin.textio import overwrites_an_input

    source = tmp_path / "in.txt"
    source.write_text("x")
    (tmp_path / "link.txt").symlink_to(source)
    os.link(source, tmp_path / "hard.txt")
    (tmp_path / "other.txt").write_text("x")
    for name in ("in.txt", "link.txt", "hard.txt", "./sub/../in.txt"):
        os.makedirs(tmp_path / "sub", exist_ok=True)
        assert overwrites_an_input(str(tmp_path / name), ["-", str(source)])
    assert not overwrites_an_input(str(tmp_path / "other.txt"), [str(source)])
    assert not overwrites_an_input(str(tmp_path / "new.txt"), [str(source)])
    assert not overwrites_an_input("-", ["-", str(source)])
    assert not overwrites_an_input(None, [str(source)])


@pytest.mark.parametrize("data", [
    "plain ascii\n".encode(), "héllo — “quoted” 日本語 😀\r\n".encode() * 3, "\ufeffbom first".encode(),
    "ok é".encode() + b"\xff" + b"tail", "é".encode() * 5 + b"\xc3", b"abc\x00def" + b"\xff", b"\xffabc\x00",
])
@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 1 << 20])
def test_read_chunks_joins_to_read_text_and_fails_alike(tmp_path, data, chunk_bytes):
    from respin.textio import InputError, read_chunks, read_text

    path = tmp_path / "input.txt"
    path.write_bytes(data)
    try:
        expected = read_text(path)
    except InputError as exc:
        with pytest.raises(InputError) as caught:
            list(read_chunks(path, chunk_bytes))
        assert str(caught.value) == str(exc)
    else:
        assert "".join(read_chunks(path, chunk_bytes)) == expected
