"""Reading and writing text files without losing a byte.

Text is decoded as strict UTF-8 with no newline translation, so line endings,
a byte-order mark and every other character come back out exactly as they
went in. Writes are atomic: a temp file in the target's directory, then
``os.replace``, so a crash never leaves a half-written output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class InputError(Exception):
    """An input the user can fix: the message is one line naming the file."""


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8, refusing binary input with a clear reason."""
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file, or stdin for ``-``."""
    name = os.fspath(path)
    if name == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    try:
        data = Path(name).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory (use 'respin batch' for folders)") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    return decode(data, name)


def atomic_write(path: str | os.PathLike, text: str, *, keep_mode_of: str | os.PathLike | None = None) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (temp file + rename)."""
    atomic_write_bytes(path, text.encode("utf-8"), keep_mode_of=keep_mode_of)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, keep_mode_of: str | os.PathLike | None = None) -> None:
    """Write ``data`` to ``path`` atomically (temp file + rename), keeping the file's mode."""
    import tempfile

    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".respin-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        source = Path(keep_mode_of) if keep_mode_of else target
        if source.exists():
            os.chmod(tmp, source.stat().st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_stdout(text: str) -> None:
    """Write text to stdout as UTF-8 bytes, whatever the locale says."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
