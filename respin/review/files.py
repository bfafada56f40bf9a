"""The reviewed file: refused before any question if it could not be written, written (with a backup) after."""

from __future__ import annotations

import os

from ..errors import OutputError, UsageError


def prepare_review(
    file: str, output: str | None, no_backup: bool, decisions_path: str | None
) -> tuple[str, str | None]:
    """Read FILE and refuse, before any question is asked, what could not be written afterwards."""
    from ..tables import read_table
    from ..textio import overwrites_an_input, read_text

    if file == "-":
        raise UsageError("review needs a FILE: it writes the reviewed text back (or to -o)")
    source = read_text(file)
    if overwrites_an_input(output, [file]):
        raise OutputError(f"{output}: is the input file; leave out -o to review in place")
    backup = None if output or no_backup else file + ".orig"
    if backup and os.path.exists(backup):
        raise OutputError(f"{backup}: a backup already exists; move it away or use --no-backup")
    for target in filter(None, (output, decisions_path)):
        if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
            raise OutputError(f"{target}: its directory does not exist")
    if decisions_path and os.path.exists(decisions_path):
        read_table(decisions_path)  # a broken table fails now, not after the review
    return source, backup


def write_reviewed(file: str, source: str, restored: str, output: str | None, backup: str | None) -> str:
    """Write the reviewed text (to -o, or over FILE after its backup); what was done, for the summary."""
    from ..textio import atomic_write, read_text

    if output:
        atomic_write(output, restored)
        return f"wrote {output}"
    if restored == source:
        return f"{file} unchanged"
    if read_text(file) != source:
        raise OutputError(f"{file}: changed on disk during the review; not overwritten")
    if backup:
        atomic_write(backup, source, keep_mode_of=file)
    atomic_write(file, restored)
    return f"wrote {file}" + (f" (backup {backup})" if backup else "")
