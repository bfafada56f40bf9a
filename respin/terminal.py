"""Terminal rendering for ``respin diff`` and ``respin review``.

Every function returns a string, so a view can be tested without a
terminal; the commands decide where it goes. rich is imported inside the
functions that use it: importing this module stays cheap.

Without colour, changes are spelled out the way ``wdiff`` does —
``[-spun-]{+restored+}`` — because strike-through and red/green are the
only other cues and a plain terminal shows neither.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from .records import CHANNEL, CONSISTENCY, COUNTER_EVIDENCE, LM, PRIOR, Fix, Result, Term

# A fix that beats the threshold by less than this (log10 odds, ~3×) is
# marked "?": the decoder barely preferred it, so a person should look.
LOW_CONFIDENCE_MARGIN = 0.5

# Blank lines separate paragraphs (CRLF files too).
PARAGRAPH_BREAK_RE = re.compile(r"\r?\n(?:[ \t]*\r?\n)+")

# Control characters other than tab and newline could move the cursor or
# recolour the user's terminal; they are shown as visible symbols instead.
_CONTROL = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_CONTROL.update({0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}})


def term_reasons(terms: Sequence[Term]) -> tuple[str, ...]:
    """A fix's score terms as the reasons a person reads, one line each (JSON ``evidence``).

    The table row, the language model and the prior always speak; the
    document's own evidence only when it counts; then what the scoring
    stage noted (reference sentences, an article that does not fit).
    """
    reasons = []
    for term in terms:
        if term.name == CHANNEL and term.entry is not None:
            entry = term.entry
            # A table row, or the reference's own words ("reference alignment ...").
            origin = entry.source if entry.source.startswith("reference alignment") else f"table {entry.source}"
            reasons.append(f"{origin}: {entry.spun!r} ← {entry.original!r} (weight {entry.weight:g})")
        elif term.name == LM:
            reasons.append(f"language model {term.value:+.2f}")
        elif term.name == PRIOR:
            reasons.append(f"document spin prior {term.value:+.2f}")
        elif term.name == CONSISTENCY and term.value:
            reasons.append(f"swapped the same way elsewhere in this document ({term.value:+.2f})")
        elif term.name == COUNTER_EVIDENCE and term.value:
            reasons.append(f"the text uses {term.phrase!r} unchanged elsewhere ({term.value:+.2f})")
        reasons += term.notes
    return tuple(reasons)


def is_low_confidence(fix: Fix, threshold: float) -> bool:
    """Whether ``fix`` scored below ``threshold + LOW_CONFIDENCE_MARGIN``."""
    return fix.score < threshold + LOW_CONFIDENCE_MARGIN


def color_enabled(flag: bool | None, stream: IO) -> bool:
    """``--color``/``--no-color`` when given, else NO_COLOR, TERM=dumb and whether ``stream`` is a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def visible(text: str) -> str:
    """``text`` safe to print: CRLF shown as a line break, other control characters as symbols."""
    return text.replace("\r\n", "\n").translate(_CONTROL)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blocks between blank lines, or lines when there are none."""
    breaks = list(PARAGRAPH_BREAK_RE.finditer(text))
    if not breaks:
        breaks = list(re.finditer(r"\r?\n", text))
    spans = []
    position = 0
    for match in breaks:
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    # Trailing blanks (the file's last newline) are not part of the paragraph.
    spans = [(s, s + len(text[s:e].rstrip())) for s, e in spans]
    return [(s, e) for s, e in spans if e > s] or [(0, len(text))]


def group_fixes(text: str, fixes: Sequence[Fix]) -> list[tuple[int, int, list[Fix]]]:
    """Each paragraph with the fixes that start in it; a fix across a break joins the paragraphs."""
    spans: list[tuple[int, int]] = []
    for start, end in paragraphs(text):
        if spans and any(spans[-1][0] <= f.start < spans[-1][1] < f.end for f in fixes):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return [(s, e, [f for f in fixes if s <= f.start < e]) for s, e in spans]


def shown_paragraphs(groups: Sequence[tuple[int, int, list[Fix]]], context: int) -> list[int]:
    """Indices of paragraphs with fixes and ``context`` paragraphs around each."""
    keep: set[int] = set()
    for i, (_, _, fixes) in enumerate(groups):
        if fixes:
            keep.update(range(max(0, i - context), min(len(groups), i + context + 1)))
    return sorted(keep)


def render_view(
    result: Result,
    name: str,
    *,
    threshold: float,
    context: int = 0,
    side_by_side: bool = False,
    color: bool = False,
    width: int = 100,
) -> str:
    """The inline (or side-by-side) view of ``result``'s fixes, paragraph by paragraph."""
    from rich.table import Table
    from rich.text import Text

    console = _console(color, width)
    groups = group_fixes(result.source, result.fixes)
    shown = shown_paragraphs(groups, context)
    console.print(_headline(result, name, threshold, len([i for i in shown if groups[i][2]])))
    table = None
    if side_by_side and shown:
        table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1, 1, 0))
        table.add_column("¶", justify="right", style="dim", no_wrap=True)
        table.add_column(visible(name), ratio=1)
        table.add_column("restored", ratio=1)
    previous = -1
    for i in shown:
        start, end, fixes = groups[i]
        gap = i - previous - 1
        previous = i
        if table is not None:
            if gap:
                table.add_row("", Text(_gap_label(gap), style="dim"), "")
            table.add_row(str(i + 1),
                          _paragraph(result.source, start, end, fixes, threshold, color, show_after=False),
                          _paragraph(result.source, start, end, fixes, threshold, color, show_before=False))
            continue
        if gap:
            console.print(Text(_gap_label(gap), style="dim"))
        line = line_column(result.source, start)[0]
        console.print(Text(f"¶{i + 1} · line {line}", style="bold cyan" if color else ""))
        console.print(_paragraph(result.source, start, end, fixes, threshold, color))
        console.print()
    if table is not None:
        console.print(table)
    if len(groups) - previous - 1 > 0 and shown:
        console.print(Text(_gap_label(len(groups) - previous - 1), style="dim"))
    return _output(console)


def _console(color: bool, width: int):
    from rich.console import Console

    # Colour is decided by the caller (flags, NO_COLOR, isatty), never by rich's own guess.
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


def _output(console) -> str:
    """What the console printed, without the spaces rich pads wrapped lines and tables with."""
    return "\n".join(line.rstrip(" ") for line in console.file.getvalue().split("\n"))


def _headline(result: Result, name: str, threshold: float, paragraphs_with_fixes: int):
    from rich.text import Text

    fixes = result.fixes
    if not fixes:
        return Text(f"{visible(name)}: no fixes")
    low = sum(is_low_confidence(f, threshold) for f in fixes)
    noun = "fix" if len(fixes) == 1 else "fixes"
    line = f"{visible(name)}: {len(fixes)} {noun} in {paragraphs_with_fixes} paragraph"
    line += "" if paragraphs_with_fixes == 1 else "s"
    if low:
        line += f"; {low} low-confidence (?: score below {threshold + LOW_CONFIDENCE_MARGIN:.2f})"
    return Text(line + "\n", style="bold")


def _gap_label(count: int) -> str:
    return f"⋯ {count} paragraph{'' if count == 1 else 's'} without fixes ⋯"


def _score_text(fix: Fix, threshold: float, color: bool):
    from rich.text import Text

    if is_low_confidence(fix, threshold):
        return Text(f"({fix.score:.2f}?)", style="bold yellow" if color else "")
    return Text(f"({fix.score:.2f})", style="dim" if color else "")


def change_text(fix: Fix, threshold: float, color: bool, *, show_before: bool = True, show_after: bool = True):
    """One change: the spun words struck through in red, the restoration in green, its score."""
    from rich.text import Text

    text = Text()
    if show_before:
        if color:
            text.append(visible(fix.before), style="strike red")
        else:
            text.append(f"[-{visible(fix.before)}-]")
    if show_after:
        if color:
            text.append(visible(fix.after), style="bold green")
        else:
            text.append(f"{{+{visible(fix.after)}+}}")
        text.append_text(_score_text(fix, threshold, color))
    return text


def _paragraph(source: str, start: int, end: int, fixes: Sequence[Fix], threshold: float, color: bool, *,
               show_before: bool = True, show_after: bool = True):
    """``source[start:end]`` with its changes: inline (both sides), or one column of the side-by-side view."""
    from rich.text import Text

    text = Text()
    position = start
    for fix in fixes:
        text.append(visible(source[position : fix.start]))
        text.append_text(change_text(fix, threshold, color, show_before=show_before, show_after=show_after))
        position = fix.end
    text.append(visible(source[position:end]))
    return text


@dataclass(frozen=True)
class Card:
    """What ``respin review`` shows about one fix, in the order it is shown."""

    name: str
    line: int
    column: int
    number: int  # 1-based position among the fixes
    total: int
    sentence: str  # the sentence around the fix, from the input
    offset: int  # where the fix starts within ``sentence``
    fix: Fix
    same_later: int  # undecided later occurrences of the same substitution ('a')
    reference: str | None = None  # the matching reference sentence
    reference_score: float = 0.0
    # Fixes in ``sentence`` already answered, as (start, end, verdict): ``sentence``
    # holds their accepted or edited words, or the words a rejection kept.
    answers: tuple[tuple[int, int, str], ...] = ()


def render_card(card: Card, *, threshold: float, color: bool = False, width: int = 100) -> str:
    """The review screen for one fix: where, the sentence, then the change and why."""
    from rich.rule import Rule
    from rich.text import Text

    console = _console(color, width)
    fix = card.fix
    where = f"fix {card.number} of {card.total} · {visible(card.name)}:{card.line}:{card.column}"
    console.print(Rule(where, align="left", style="cyan" if color else "") if color else Text(f"── {where} ──"))
    console.print(_card_sentence(card, threshold, color))
    change = Text("  ")
    change.append(visible(fix.before), style="red" if color else "")
    change.append(" → ")
    change.append(visible(fix.after), style="bold green" if color else "")
    change.append(f"   score {fix.score:.2f}")
    if is_low_confidence(fix, threshold):
        change.append(f"  ? low confidence (below {threshold + LOW_CONFIDENCE_MARGIN:.2f})",
                      style="bold yellow" if color else "")
    console.print(change)
    if fix.alternatives:
        others = " · ".join(f"{visible(text)} {score:.2f}" for text, score in fix.alternatives)
        console.print(Text(f"  other candidates: {others}"))
    for reason in fix.evidence:
        console.print(Text(f"  · {visible(reason)}", style="dim" if color else ""))
    if card.reference is not None:
        label = Text()
        label.append(f"  reference ({card.reference_score:.0f}% match): ", style="bold" if color else "")
        label.append_text(_highlight(card.reference, fix.after, color))
        console.print(label)
    same = f" · a accept all {card.same_later + 1}" if card.same_later else " · a accept"
    keys = f"y accept · n reject · e edit{same} · s skip · u undo · q quit"
    console.print(Text(keys, style="bold" if color else ""))
    return _output(console)


def _card_sentence(card: Card, threshold: float, color: bool):
    """The card's sentence with the current change marked and earlier answers in colour (green: new words)."""
    from rich.text import Text

    current = (card.offset, card.offset + len(card.fix.before), "current")
    text = Text()
    position = 0
    for start, end, verdict in sorted([*card.answers, current]):
        text.append(visible(card.sentence[position:start]))
        if verdict == "current":
            text.append_text(change_text(card.fix, threshold, color))
        else:
            text.append(visible(card.sentence[start:end]), style="green" if color and verdict != "rejected" else "")
        position = end
    text.append(visible(card.sentence[position:]))
    return text


def _highlight(sentence: str, phrase: str, color: bool):
    """``sentence`` with the first whole-word occurrence of ``phrase`` emphasised."""
    from rich.text import Text

    text = Text(visible(sentence))
    match = re.search(rf"(?<!\w){re.escape(visible(phrase))}(?!\w)", text.plain, re.IGNORECASE)
    if match:
        if color:
            text.stylize("bold green underline", match.start(), match.end())
        else:
            text = Text(f"{text.plain[: match.start()]}{{{text.plain[match.start() : match.end()]}}}"
                        f"{text.plain[match.end() :]}")
    return text
