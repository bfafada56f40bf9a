"""Stage 5 — render: turn fixes into the restored text, JSON or a diff.

Only the characters inside applied fixes change; everything else is copied
from the input as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from .records import Fix, Result


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    """Splice each fix's ``after`` over its span of ``text``.

    >>> from respin.records import Fix
    >>> apply_fixes("they mentioned it", [Fix(5, 14, "mentioned", "said", 2.0, 0.0, 2.0)])
    'they said it'
    """
    pieces = []
    position = 0
    for fix in sorted(fixes, key=lambda f: f.start):
        if fix.start < position:
            raise ValueError(f"overlapping fixes at offset {fix.start}")
        pieces.append(text[position : fix.start])
        pieces.append(fix.after)
        position = fix.end
    pieces.append(text[position:])
    return "".join(pieces)


def render_json(result: Result, name: str | None = None) -> str:
    """One JSON object: ``{"text", "fixes"}``, led by ``"file"`` when named.

    Named results are printed one per line (JSON Lines), so several files
    stream through ``jq`` or a line reader; a lone result is indented.
    """
    import json

    payload = result.to_dict()
    if name is None:
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return json.dumps({"file": name, **payload}, ensure_ascii=False) + "\n"


def render_diff(result: Result, name: str = "-") -> str:
    """A unified diff (``patch`` applies it) from the input to the restored text."""
    # Split at "\n" only: str.splitlines also breaks at U+2028, form feeds
    # and the like, which patch does not see as line ends.
    before = _lines(result.source)
    after = _lines(result.text)
    import difflib

    lines = list(difflib.unified_diff(before, after, fromfile=f"a/{name}", tofile=f"b/{name}"))
    # A last line without a newline needs patch's marker, or patch adds one.
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    with_ends = [line + "\n" for line in lines[:-1]]
    return with_ends + [lines[-1]] if lines[-1] else with_ends
