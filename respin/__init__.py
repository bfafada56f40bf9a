"""respin: restore synonym-spun articles.

>>> import respin
>>> result = respin.fix("The Secretary-Common spoke at an information convention.")
>>> result.text
'The Secretary-General spoke at a news conference.'
>>> [(fix.before, fix.after) for fix in result.fixes]
[('Secretary-Common', 'Secretary-General'), ('an information convention', 'a news conference')]

Words a spinner also uses are left alone where the text gives no reason to
doubt them:

>>> respin.fix("They mentioned the safety talks.").text
'They mentioned the safety talks.'

The names below are imported on first use, so ``import respin`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Config", "Fix", "Result", "Verdict", "check", "fix", "fix_text"]

if TYPE_CHECKING:
    from .detect import Verdict, check
    from .config import Config
    from .pipeline import fix, fix_text
    from .records import Fix, Result

_HOMES = {
    "Config": "config",
    "Fix": "records",
    "Result": "records",
    "Verdict": "detect",
    "check": "detect",
    "fix": "pipeline",
    "fix_text": "pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module 'respin' has no attribute {name!r}")
