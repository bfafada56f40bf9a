"""The markup layer: which characters of a document are prose.

The engine restores prose and nothing else. A document — plain text, an
HTML page, Markdown — is shown to it as a *prose view*: a string of the same
length as the input in which every protected character (a tag, an attribute,
a comment, a script, code, a link target, a URL, an e-mail address, an
entity) is replaced by a filler that is neither a word nor white space. So:

- offsets into the view are offsets into the input: fixes, JSON and the
  parallel split need no mapping;
- protected characters make no words, so they are never candidates and do
  not count as words for the document's evidence;
- a filler between two words is not white space, so no phrase spans it
  (tags are phrase breaks), while the language model still reads the words
  on either side as neighbours; a block-level tag starts with a line break,
  so a sentence never runs from one paragraph (list item, cell) into the next.

The HTML tokenizer (``html.parser``) and Markdown parser (``markdown-it-py``)
are imported only when a document of that kind comes.
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config

MARKUPS = ("text", "html", "markdown")
CHOICES = ("auto", *MARKUPS)

# Protected characters become FILLER; the first character of a block-level
# construct becomes BREAK (a line break: the sentence ends there). Inside an
# entity, ENTITY_PAD follows the character it stands for. All three are not
# white space to the tokenizer (tokens.SPACE leaves out \x1c-\x1f) and not
# word characters. ENTITY_PAD differs from FILLER only so that a URL written
# with "&amp;" in a page is still seen as one run of characters.
FILLER = "\x1f"
ENTITY_PAD = "\x1e"
BREAK = "\n"

# A protected range: (start, end, kind), kind being how its characters are
# shown — FILLER, BREAK (a block-level construct) or the one character an
# entity stands for (followed by ENTITY_PAD).
Protected = tuple[int, int, str]

_EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown"}


def markup_for(name: str | None, requested: str = "auto") -> str:
    """The markup of a document: ``requested`` unless "auto", else by the name's extension.

    >>> markup_for("page.HTML"), markup_for("notes.md"), markup_for("-"), markup_for("a.md", "text")
    ('html', 'markdown', 'text', 'text')
    """
    if requested != "auto":
        if requested not in MARKUPS:
            raise ValueError(f"unknown markup {requested!r} (choose from {', '.join(CHOICES)})")
        return requested
    if not name or name == "-":
        return "text"
    return _EXTENSIONS.get(os.path.splitext(name)[1].lower(), "text")


def for_file(config: Config, name: str | None) -> Config:
    """``config`` with its markup resolved for the file ``name`` ("auto" goes by the extension)."""
    markup = markup_for(name, config.markup)
    return config if markup == config.markup else config.with_(markup=markup)


def prose_view(text: str, markup: str = "text") -> str:
    """``text`` with every protected character replaced (same length; prose as it is).

    >>> prose_view("see https://x.org/said now") == "see " + FILLER * 18 + " now"
    True
    """
    return _mask(text, protected_ranges(text, markup))


def protected_ranges(text: str, markup: str = "text") -> list[Protected]:
    """Every protected range of ``text``: its markup's, then the web addresses in the rest."""
    if markup == "html":
        from .markup_html import html_protected

        ranges = html_protected(text)
    elif markup == "markdown":
        from .markup_markdown import markdown_protected

        ranges = markdown_protected(text)
    elif markup in ("text", "auto"):
        ranges = []
    else:
        raise ValueError(f"unknown markup {markup!r} (choose from {', '.join(CHOICES)})")
    # Addresses are looked for in the text the markup leaves: a tag ends a
    # run of characters, an entity (a URL's "&amp;") does not.
    web = web_ranges(_mask(text, ranges) if ranges else text)
    return sorted(ranges + web) if ranges else web


def protected_spans(text: str, markup: str = "text") -> list[tuple[int, int]]:
    """The input ranges the engine may not touch, merged, in order (for tests and tools)."""
    merged: list[tuple[int, int]] = []
    for start, end, _ in protected_ranges(text, markup):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    return merged


# "a"/"an" and what may stand between it and the next word in a view: white
# space, quotes, and markup — at least one protected character, or the
# candidate stage would have seen the article itself.
_ARTICLE_ACROSS_MARKUP_RE = re.compile(
    rf"(?<![^\W_])([aA][nN]?)(?=[\s\"“‘'(\[]*[{FILLER}{ENTITY_PAD}])[\s\"“‘'(\[{FILLER}{ENTITY_PAD}]+\Z"
)


def article_clashes(view: str, fix) -> bool:
    """Whether ``fix`` would leave an "a"/"an" that stands across markup before it wrong.

    The candidate stage repairs the article of a restored word by widening
    the fix over it ("an assembly" → "a meeting"); with a tag or an entity
    in between (``an <em>assembly</em>``) the fix cannot be widened without
    touching the markup, so such a restoration is not made: "an meeting"
    would be worse than the spun word.
    """
    from .score import article_fits

    found = _ARTICLE_ACROSS_MARKUP_RE.search(view, max(0, fix.start - 200), fix.start)
    return bool(found) and not article_fits(found.group(1), fix.after)


def entity_shown_as(entity: str) -> str:
    """How an entity ("&amp;", "&#8217;") is shown in the prose view: its
    character if that is punctuation or white space, else a filler, so no
    word is ever made partly of an entity (and none is ever split or rewritten)."""
    import html
    import unicodedata

    character = html.unescape(entity)
    # Punctuation, symbols and spaces only: a letter, digit or combining mark would join a word.
    if len(character) == 1 and unicodedata.category(character)[0] in "PSZ":
        return character
    return FILLER


def _mask(text: str, ranges: list[Protected]) -> str:
    if not ranges:
        return text
    pieces = []
    position = 0
    for start, end, kind in sorted(ranges):
        start = max(start, position)
        if start >= end:
            continue
        pieces.append(text[position:start])
        if kind == FILLER:
            pieces.append(FILLER * (end - start))
        elif kind == BREAK:
            pieces.append(BREAK + FILLER * (end - start - 1))
        else:  # an entity: what it stands for, then padding
            pieces.append(kind + ENTITY_PAD * (end - start - 1))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# --- URLs and e-mail addresses, in every format --------------------------------

# Top-level domains that make "name.tld" a web address without a scheme or
# "www." — common ones that are not also English words a missing space can
# produce ("said.It", "went.to"): lower case only.
_TLDS = (
    "com net org edu gov mil int info biz name pro mobi io co ai app dev tv fm ly gl gg xyz site online news "
    "blog tech shop store uk de fr nl ru cn jp br es ch se eu ca au nz ie za pl dk fi cz gr hu ro pt kr tw hk "
    "sg mx ar cl ua tr il"
).split()

# Where a web address may be: a scheme, "www.", an "@", or a dot before a
# top-level domain. Each is then checked in the run of characters around it.
_ANCHOR = r"://|@|\b[wW]{3}\.|\.(?:" + "|".join(sorted(_TLDS, key=len, reverse=True)) + r")(?![\w-])"

_ADDRESS = (
    r"""
      [A-Za-z][A-Za-z0-9+.\-]*://[^\s]     # a scheme: https://…, ftp://…
    | \b[wW]{3}\.[\w-]                    # www.example…
    | [\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+     # an e-mail address
    | (?:[\w-]+\.)+(?:TLDS)(?![\w-])      # example.com, bbc.co.uk
    """.replace("TLDS", "|".join(sorted(_TLDS, key=len, reverse=True)))
)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The anchor and address patterns, compiled on first use (a few ms: not at start-up)."""
    return re.compile(_ANCHOR), re.compile(_ADDRESS, re.VERBOSE)

_OPENERS = "\"'(<[{“‘«*_`"
_CLOSERS = ".,;:!?\"')>]}”’»*_`" + ENTITY_PAD


def _may_hold_address(text: str) -> bool:
    """Whether ``text`` has anything an anchor could match (plain substring tests, no pattern)."""
    return ("@" in text or "://" in text or "www." in text.lower()
            or any(f".{tld}" in text for tld in _TLDS))


def _in_run(char: str) -> bool:
    """Whether ``char`` belongs to a run of non-blank characters (an entity's padding does)."""
    return not char.isspace() or char == ENTITY_PAD


def web_ranges(text: str) -> list[Protected]:
    """The URLs and e-mail addresses of ``text`` (scheme or not, "www." forms, query strings).

    An address is the whole run of non-blank characters around its anchor,
    without the punctuation that closes a sentence or a bracket around it.
    """
    ranges: list[Protected] = []
    if len(text) < 65536 and not _may_hold_address(text):
        return ranges  # a short text without an anchor: no pattern to compile
    covered = 0
    anchors, addresses = _patterns()
    for anchor in anchors.finditer(text):
        if anchor.start() < covered:
            continue
        start = anchor.start()
        while start > 0 and _in_run(text[start - 1]):
            start -= 1
        end = anchor.end()
        while end < len(text) and _in_run(text[end]):
            end += 1
        start, end = _trim(text, start, end)
        if addresses.search(text, start, end) is None:
            continue
        ranges.append((start, end, FILLER))
        covered = end
    return ranges


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _OPENERS:
        start += 1
    while end > start and text[end - 1] in _CLOSERS:
        closer = text[end - 1]
        # "…/Foo_(bar)" keeps its bracket; "(see x.com/a)" does not.
        if closer == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return start, end
