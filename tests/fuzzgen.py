"""Fuzz inputs for ``respin.fix()`` and the contracts every output must keep.

Shared by the derandomised hypothesis test (``tests/test_fuzz.py``, which
hands in hypothesis's controlled ``random.Random``) and the long run
``benchmarks/fuzz.py`` (a seeded ``random.Random``), so both try the same
kinds of text: random Unicode, and team-written articles mutated with mixed
line endings, combining marks, right-to-left text, emoji, no-break and
zero-width spaces, soft wraps, case changes and inserted spun phrases.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import respin
from respin.config import Config
from respin.render import apply_fixes, render_json

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
MINI_TABLE = str(TESTS / "data" / "tables" / "mini.tsv")

# The configurations fuzzed: the fixed mini table assuming spin (many fixes,
# fast), and the built-in tables as `respin fix` and `respin fix --assume-spun` run.
CONFIGS = {
    "mini": Config(tables=(MINI_TABLE,), builtin_tables=False, spin_prior=0.0),
    "default": Config(),
    "assume-spun": Config(spin_prior=0.0),
}

SPUN_PHRASES = ["mentioned", "Mentioned", "MENTIONED", "safety", "assembly", "an assembly", "calls for",
                "however", "However", "officers", "Secretary-Common", "information convention",
                "Japanese Europe", "a actual danger", "had been", "the officers mentioned",
                "take heed to", "simply like", "with out", "on site", "critical", "management"]
LINE_ENDS = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"]
COMBINING = ["\u0301", "\u0300", "\u0308", "\u0327", "\u0323", "\u0303", "\u20dd", "\u0301\u0323", "\u034f"]
RTL = ["שלום", "مرحبا", "עולם", "\u200f", "\u200e", "\u202e", "\u202c", "\u2067", "\u2069",
       "\u202bمرحبا\u202c", "\u05d0\u05b8"]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧", "🇺🇦", "❤\ufe0f", "1\ufe0f\u20e3", "🏳\ufe0f\u200d🌈", "𝐀𝐁𝐂", "🙂"]
SPACES = ["\u00a0", "\u202f", "\u2007", "\u2009", "\u3000", "\t", "  ", "\u200b", "\u200c", "\u200d", "\ufeff",
          "\u00ad"]
QUOTES = ["’", "'", "“", "”", "‘", "«", "»", "—", "–", "…"]


@lru_cache(maxsize=1)
def article_lines() -> tuple[str, ...]:
    """Non-empty lines of the team's clean texts and the spun seeds (the fuzz's raw material)."""
    files = sorted((TESTS / "data" / "clean").glob("*.txt"))
    files += [ROOT / "examples" / f"{name}.txt" for name in ("000_61a0575f8c2cb013", "001_1bbe2db73775effa",
                                                              "003_83ece18359cce910")]
    lines = []
    for path in files:
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(lines)


def random_unicode(rng: random.Random, max_size: int = 60) -> str:
    """Any code points (no surrogates: input is decoded UTF-8), weighted towards the ones text has."""
    pieces = []
    for _ in range(rng.randrange(max_size + 1)):
        kind = rng.randrange(10)
        if kind < 3:
            pieces.append(chr(rng.randrange(0x20, 0x7F)))
        elif kind == 3:
            pieces.append(rng.choice(LINE_ENDS))
        elif kind == 4:
            pieces.append(rng.choice(SPUN_PHRASES) + " ")
        elif kind == 5:
            pieces.append(rng.choice(COMBINING + RTL + EMOJI + SPACES + QUOTES))
        else:
            code = rng.randrange(0x110000) if kind == 9 else rng.randrange(0x3000)
            if not 0xD800 <= code <= 0xDFFF:
                pieces.append(chr(code))
    return "".join(pieces)


def _insert(text: str, rng: random.Random, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def _replace_some(text: str, old: str, choices: list[str], rng: random.Random, rate: float) -> str:
    parts = text.split(old)
    out = [parts[0]]
    for part in parts[1:]:
        out.append(rng.choice(choices) if rng.random() < rate else old)
        out.append(part)
    return "".join(out)


def _combining(text: str, rng: random.Random) -> str:
    return "".join(ch + rng.choice(COMBINING) if ch.isalpha() and rng.random() < 0.05 else ch for ch in text)


def _case(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    words[i] = rng.choice([str.upper, str.lower, str.title, str.capitalize, str.swapcase])(words[i])
    return " ".join(words)


def _cut(text: str, rng: random.Random) -> str:
    a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
    return text[:a] + text[b:] if rng.random() < 0.5 else text[a:] or text


MUTATIONS = {
    "line_ends": lambda t, r: _replace_some(t, "\n", LINE_ENDS, r, 0.7),
    "soft_wrap": lambda t, r: _replace_some(t, " ", ["\n", "\r\n", "\n  "], r, 0.08),
    "combining": _combining,
    "rtl": lambda t, r: _insert(t, r, r.choice(RTL) + r.choice(["", " "])),
    "emoji": lambda t, r: _insert(t, r, r.choice(EMOJI)),
    "no_break": lambda t, r: _replace_some(t, " ", SPACES, r, 0.15),
    "quotes": lambda t, r: _insert(t, r, r.choice(QUOTES)),
    "spun": lambda t, r: _insert(t, r, r.choice(["", " "]) + r.choice(SPUN_PHRASES) + r.choice(["", " ", ". "])),
    "case": _case,
    "noise": lambda t, r: _insert(t, r, random_unicode(r, 4)),
    "cut": _cut,
}


def mutated_article(rng: random.Random, max_lines: int = 3) -> str:
    """A few consecutive lines of an article, mutated 0-6 times."""
    lines = article_lines()
    start = rng.randrange(len(lines))
    text = "\n".join(lines[start : start + 1 + rng.randrange(max_lines)]) + rng.choice(["", "\n"])
    names = sorted(MUTATIONS)
    for _ in range(rng.randrange(7)):
        text = MUTATIONS[rng.choice(names)](text, rng)
    return text


def fuzz_input(rng: random.Random) -> str:
    """One input: a mutated article three times in four, random Unicode otherwise."""
    return random_unicode(rng) if rng.random() < 0.25 else mutated_article(rng)


@dataclass
class Outcome:
    """What one input did: the contracts it broke (none is the goal)."""

    crash: str | None = None
    bytes_changed: str | None = None
    replay: str | None = None
    idempotence: str | None = None


def run_contracts(text: str, config: Config, idempotence: bool = True) -> Outcome:
    """Fix ``text`` and check README's promises; never raises for a broken one."""
    outcome = Outcome()
    try:
        result = respin.fix(text, config=config)
    except Exception as error:  # noqa: BLE001 - a crash is what we count
        outcome.crash = f"{type(error).__name__}: {error}"
        return outcome
    outcome.bytes_changed = outside_fixes_problem(text, result)
    # JSON fixes replay: what `fix --format json` prints, applied to the input, gives its text.
    payload = json.loads(render_json(result))
    replayed = _apply_dict_fixes(text, payload["fixes"])
    if payload["text"] != result.text or replayed != result.text:
        outcome.replay = f"replayed {replayed!r} != text {payload['text']!r}"
    if idempotence:
        try:
            again = respin.fix(result.text, config=config).text
        except Exception as error:  # noqa: BLE001
            outcome.crash = f"second run: {type(error).__name__}: {error}"
            return outcome
        if again != result.text:
            outcome.idempotence = f"fix(x) = {result.text!r}, fix(fix(x)) = {again!r}"
    return outcome


def outside_fixes_problem(text: str, result: respin.Result) -> str | None:
    """Where the output differs from the input outside the fixed spans, or None."""
    position = out = 0
    for fix in result.fixes:
        if fix.start < position or text[fix.start : fix.end] != fix.before:
            return f"fix {fix.start}-{fix.end} {fix.before!r} does not match the input"
        gap = text[position : fix.start]
        if result.text[out : out + len(gap)] != gap:
            return f"bytes before offset {fix.start} changed"
        out += len(gap) + len(fix.after)
        position = fix.end
    if result.text[out:] != text[position:]:
        return f"bytes after offset {position} changed"
    if apply_fixes(text, result.fixes) != result.text:
        return "the fixes applied to the input do not give the text"
    return None


def _apply_dict_fixes(text: str, fixes: list[dict]) -> str:
    pieces, position = [], 0
    for fix in sorted(fixes, key=lambda f: f["start"]):
        if text[fix["start"] : fix["end"]] != fix["before"]:
            return f"<fix {fix['start']}-{fix['end']} does not match the input>"
        pieces += [text[position : fix["start"]], fix["after"]]
        position = fix["end"]
    return "".join(pieces) + text[position:]
