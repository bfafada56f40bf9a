"""Reading and writing text files without losing a byte.

Text is decoded as strict UTF-8 with no newline translation, so line endings,
a byte-order mark and every other character come back out exactly as they
went in. Writes are atomic: a temp file in the target's directory, then
``os.replace``, so a crash never leaves a half-written output.
:class:`WriteGroup` does the same for several files with one durability
barrier for all of them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

# Temp files of atomic writes are named ".NAME." + 8 random characters
# (mkstemp) + TEMP_SUFFIX, beside their target; batch clean-up relies on it.
TEMP_SUFFIX = ".respin-tmp"


def temp_name_re(target_name: str | None = None) -> re.Pattern[str]:
    """The names of atomic-write temp files (for ``target_name``, or for any file)."""
    name = re.escape(f".{target_name}.") if target_name else r"\..+\."
    return re.compile(name + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


# Byte-order marks of the encodings a user may have without knowing it (UTF-32 first:
# its little-endian mark starts with UTF-16's).
_OTHER_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32", "utf-32"),
    (b"\x00\x00\xfe\xff", "UTF-32", "utf-32"),
    (b"\xff\xfe", "UTF-16", "utf-16"),
    (b"\xfe\xff", "UTF-16", "utf-16"),
)


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8, refusing binary input with a clear reason."""
    sniff(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None


def sniff(data: bytes, name: str) -> None:
    """Refuse ``data`` (a text or its first piece) that is not UTF-8 text by its look."""
    for mark, encoding, iconv_name in _OTHER_UNICODE_BOMS:
        if data.startswith(mark):
            raise InputError(f"{name}: {encoding} text (it starts with a byte-order mark); respin reads UTF-8: "
                             f"convert it first, e.g. iconv -f {iconv_name} -t utf-8")
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file (contains NUL bytes)")


# Streams (stdin, a pipe, a device) are read in pieces of this size, and the
# first is looked at before reading on: "respin fix /dev/urandom" must not
# read for ever before saying the input is binary.
STREAM_PIECE = 1 << 20


def read_stream(stream, name: str) -> str:
    """Read a binary stream to its end as UTF-8 text, refusing binary input at the first bad piece."""
    import codecs

    check = codecs.getincrementaldecoder("utf-8")()
    pieces: list[bytes] = []
    while piece := stream.read(STREAM_PIECE):
        pieces.append(piece)
        try:
            if not pieces[1:]:
                sniff(piece, name)
            if b"\x00" in piece:
                raise UnicodeError
            check.decode(piece)
        except UnicodeError:
            break  # decode() below names the fault exactly
    return decode(b"".join(pieces), name)


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file, or stdin for ``-``."""
    name = os.fspath(path)
    if name == "-":
        return read_stream(sys.stdin.buffer, "<stdin>")
    try:
        if not Path(name).is_file() and Path(name).exists() and not Path(name).is_dir():
            with open(name, "rb") as stream:  # a device or a pipe: it may never end
                return read_stream(stream, name)
        data = Path(name).read_bytes()
    except OSError as exc:
        raise _read_error(name, exc) from None
    return decode(data, name)


def _read_error(name: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a directory (use 'respin batch' for folders)")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied")
    return InputError(f"{name}: cannot read ({exc.strerror})")


# Bytes read at a time by read_chunks.
CHUNK_BYTES = 1 << 20


def read_chunks(path: str | os.PathLike, chunk_bytes: int = CHUNK_BYTES) -> Iterator[str]:
    """A UTF-8 text file, or stdin for ``-``, decoded a piece at a time.

    The pieces join to what :func:`read_text` returns, and a bad input
    raises the same error (a binary file is reported as binary wherever
    its first NUL byte is, as there): once the last piece has been read, so
    a caller that writes only after reading everything writes nothing for
    a bad input.
    """
    import codecs

    name = os.fspath(path)
    label = "<stdin>" if name == "-" else name
    try:
        stream = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _read_error(name, exc) from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    read = 0  # bytes read before this block
    invalid: InputError | None = None
    try:
        while True:
            try:
                block = stream.read(chunk_bytes)
            except OSError as exc:
                raise _read_error(name, exc) from None
            if not read:
                sniff(block, label)  # UTF-16/32 named by its byte-order mark, as read_text names it
            if b"\x00" in block:
                raise InputError(f"{label}: looks like a binary file (contains NUL bytes)")
            if invalid is None:
                held = len(decoder.getstate()[0])  # bytes of a character cut by the last block
                try:
                    text = decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    invalid = InputError(
                        f"{label}: not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                        f"{read - held + exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8"
                    )
                else:
                    if text:
                        yield text
            if not block:
                break
            read += len(block)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if invalid is not None:
        raise invalid


def overwrites_an_input(output: str | None, inputs: Iterable[str]) -> bool:
    """Whether writing ``output`` would replace one of ``inputs``, under any of its names.

    ``-`` (stdin or stdout) is never a file here.
    """
    if not output or output == "-" or not os.path.exists(output):
        return False
    return any(name != "-" and os.path.exists(name) and os.path.samefile(name, output) for name in inputs)


def atomic_write(path: str | os.PathLike, text: str, *, keep_mode_of: str | os.PathLike | None = None) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (temp file + rename)."""
    atomic_write_bytes(path, text.encode("utf-8"), keep_mode_of=keep_mode_of)


# A temp file of a write to the same target that is older than this was left
# by a killed run (a write takes seconds), and the next write removes it.
STALE_TEMP_SECONDS = 600


def remove_temps_of(path: str | os.PathLike, older_than: float | None = None) -> None:
    """Delete the temp files of interrupted writes to ``path`` (those older than ``older_than`` seconds)."""
    import time

    directory, name = os.path.split(os.fspath(path))
    pattern = temp_name_re(name)
    cutoff = None if older_than is None else time.time() - older_than
    try:
        with os.scandir(directory or ".") as entries:
            for entry in entries:
                if pattern.fullmatch(entry.name):
                    try:
                        if cutoff is None or entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            os.unlink(entry.path)
                    except FileNotFoundError:
                        pass
    except OSError:
        pass


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, keep_mode_of: str | os.PathLike | None = None) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename), keeping the file's mode.

    Temp files that a killed earlier write to the same file left behind are removed.
    """
    remove_temps_of(path, older_than=STALE_TEMP_SECONDS)
    with WriteGroup() as group:  # a group of one: the same temp names, modes and clean-up
        write = group.add(path, data, keep_mode_of=keep_mode_of)
        group.sync()
        group.replace(write)
        group.sync_folders()


def _new_file_mode() -> int:
    """The mode a new file gets from open(): mkstemp's 0600 would hide outputs from others."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class AtomicOutput:
    """The pieces written to :func:`atomic_output`, and whether to keep them."""

    def __init__(self, group: WriteGroup, pending: PendingWrite) -> None:
        self._group, self._pending = group, pending
        self.cancelled = False

    def write(self, text: str) -> None:
        self._group.write(self._pending, text.encode("utf-8"))

    def cancel(self) -> None:
        """Leave the target as it is (an output that turned out not to be needed)."""
        self.cancelled = True


@contextmanager
def atomic_output(path: str | os.PathLike, *, keep_mode_of: str | os.PathLike | None = None) -> Iterator[AtomicOutput]:
    """An output written piece by piece that replaces ``path`` atomically when the block ends.

    Nothing replaces ``path`` if the block raises or cancels the output.
    Temp files that a killed earlier write to the same file left behind are removed.
    """
    remove_temps_of(path, older_than=STALE_TEMP_SECONDS)
    with WriteGroup() as group:
        output = AtomicOutput(group, group.open(path, keep_mode_of=keep_mode_of))
        yield output
        if not output.cancelled:
            group.sync()
            group.replace(output._pending)
            group.sync_folders()


class PendingWrite:
    """One file of a :class:`WriteGroup`: its temp file, written, waiting for the barrier."""

    __slots__ = ("error", "fd", "target", "temp")

    def __init__(self, target: str, temp: str, fd: int) -> None:
        self.target = target
        self.temp: str | None = temp  # None once renamed over the target or removed
        self.fd: int | None = fd  # open until the barrier has made it durable
        self.error: OSError | None = None  # the barrier failed for this file


class WriteGroup:
    """Atomic writes of several files, made durable by one barrier instead of one fsync each.

    An fsync per file costs a journal commit and a device flush each, and
    they queue behind each other across processes. Here each temp file
    (named as :func:`atomic_write_bytes` names them) is written and its
    writeback started at once, so the disk works while the caller goes on;
    :meth:`sync` then makes them all durable with one wait (``syncfs`` on
    Linux, else an fsync each). Only then is each renamed over its target,
    and :meth:`sync_folders` makes the renames durable.

    Every file succeeds or fails alone: :meth:`add` and :meth:`replace`
    raise ``OSError`` for their file only, and leaving the ``with`` block
    removes every temp file not renamed (an error, Ctrl-C)::

        with WriteGroup() as group:
            pending = [group.add(path, data) for path, data in items]
            group.sync()
            for write in pending:
                group.replace(write)
            group.sync_folders()

    Each pending file holds an open descriptor until :meth:`sync`: group
    tens of files, not thousands.
    """

    def __init__(self) -> None:
        self._pending: list[PendingWrite] = []
        self._replaced: list[str] = []  # targets renamed since the last sync_folders()

    def __enter__(self) -> WriteGroup:  # typing.Self needs Python 3.11
        return self

    def __exit__(self, *exc_info) -> None:
        for write in self._pending:
            self.discard(write)
        self._pending.clear()

    def add(self, path: str | os.PathLike, data: bytes, *,
            keep_mode_of: str | os.PathLike | None = None) -> PendingWrite:
        """Write ``data`` to a temp file beside ``path``, with the mode of ``keep_mode_of`` or of ``path``."""
        write = self.open(path, keep_mode_of=keep_mode_of)
        try:
            self.write(write, data)
            _start_writeback(write.fd)
        except BaseException:
            self.discard(write)
            raise
        return write

    def open(self, path: str | os.PathLike, *, keep_mode_of: str | os.PathLike | None = None) -> PendingWrite:
        """An empty temp file beside ``path`` for :meth:`write`, with the mode :meth:`add` gives."""
        import tempfile

        target = Path(path)
        directory = target.parent if str(target.parent) else Path(".")
        try:
            fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
        except OSError as exc:
            raise _naming(exc, target) from None
        write = PendingWrite(os.fspath(target), temp, fd)
        try:
            source = Path(keep_mode_of) if keep_mode_of else target
            os.fchmod(fd, source.stat().st_mode & 0o7777 if source.exists() else _new_file_mode())
        except OSError as exc:
            self.discard(write)
            raise _naming(exc, target) from None
        except BaseException:
            self.discard(write)
            raise
        self._pending.append(write)
        return write

    def write(self, write: PendingWrite, data: bytes) -> None:
        """Append ``data`` to ``write``'s temp file (an error names the target, not the temp file)."""
        assert write.fd is not None, "write() after sync()"
        view = memoryview(data)
        try:
            while view:  # os.write may write less than asked
                view = view[os.write(write.fd, view):]
        except OSError as exc:
            raise _naming(exc, write.target) from None

    def sync(self) -> None:
        """The barrier: every file added so far is on disk, or has its error kept for :meth:`replace`.

        On Linux one ``syncfs`` per file system makes them all durable in one
        wait; where there is none, or it reports an error (which it cannot
        pin on a file), each file is fsynced, so each fails alone.
        """
        writes = [write for write in self._pending if write.fd is not None]
        synced = _sync_file_systems([write.fd for write in writes])
        for write in writes:
            fd, write.fd = write.fd, None
            try:
                try:
                    if not synced:
                        os.fsync(fd)
                finally:
                    os.close(fd)  # some file systems (NFS) report write errors only here
            except OSError as exc:  # this file's data may be lost: it must not replace its target
                write.error = exc
                self.discard(write)

    def sync_folders(self) -> None:
        """Make the renames done so far durable: fsync each target's folder once (best effort)."""
        folders = {os.path.dirname(os.path.abspath(target)) for target in self._replaced}
        self._replaced.clear()
        for folder in folders:
            try:
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue
            try:
                os.fsync(fd)
            except OSError:  # a file system that cannot sync a folder (EINVAL): nothing more to do
                pass
            finally:
                os.close(fd)

    def replace(self, write: PendingWrite) -> None:
        """Rename ``write``'s temp file over its target; raises its error if it has none to rename."""
        if write.error is not None:
            raise write.error
        if write.fd is not None:
            raise RuntimeError(f"{write.target}: replace() before sync()")
        if write.temp is None:
            raise RuntimeError(f"{write.target}: already replaced or discarded")
        try:
            os.replace(write.temp, write.target)
        except BaseException:
            self.discard(write)
            raise
        write.temp = None
        self._replaced.append(write.target)

    def discard(self, write: PendingWrite) -> None:
        """Drop ``write``: close and remove its temp file; its target is left as it is."""
        if write.fd is not None:
            try:
                os.close(write.fd)
            except OSError:
                pass
            write.fd = None
        if write.temp is not None:
            try:
                os.unlink(write.temp)
            except FileNotFoundError:
                pass
            write.temp = None


_syncfs = None  # resolved on first use: libc's syncfs, or False where there is none


def _sync_file_systems(fds: list[int]) -> bool:
    """``syncfs`` once for each file system holding one of ``fds``: whether all succeeded (Linux)."""
    global _syncfs
    if _syncfs is None:
        _syncfs = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).syncfs
                function.argtypes = (ctypes.c_int,)
                _syncfs = function
            except (OSError, AttributeError):  # pragma: no cover - no syncfs in this libc
                pass
    if not _syncfs or not fds:
        return False
    try:
        one_per_device = {os.fstat(fd).st_dev: fd for fd in fds}
    except OSError:
        return False
    return all(_syncfs(fd) == 0 for fd in one_per_device.values())


_sync_file_range = None  # resolved on first use: libc's, or False where there is none


def _start_writeback(fd: int) -> None:
    """Ask the kernel to start writing ``fd``'s data out now, without waiting (Linux).

    Only a head start for the later fsync, which still does and checks the
    real work: failures here are ignored.
    """
    global _sync_file_range
    if _sync_file_range is None:
        _sync_file_range = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).sync_file_range
                function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
                _sync_file_range = function
            except (OSError, AttributeError):  # pragma: no cover - no sync_file_range in this libc
                pass
    if _sync_file_range:
        _sync_file_range(fd, 0, 0, 2)  # the whole file, SYNC_FILE_RANGE_WRITE


def write_stdout(text: str) -> None:
    """Write text to stdout as UTF-8 bytes, whatever the locale says."""
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # the reader went away: the command layer ends quietly
    except OSError as exc:
        raise _naming(exc, "<stdout>") from None


def _naming(error: OSError, target: str | os.PathLike) -> OSError:
    """The same error about the file the user named, not respin's temp file beside it."""
    return type(error)(error.errno, error.strerror, os.fspath(target))
