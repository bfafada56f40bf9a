"""Markdown for the markup layer: which characters of a document are not prose.

``markdown-it-py`` (a dependency of rich) parses the blocks, and its line
maps say exactly which lines hold prose (paragraphs, headings, list items,
quotes, table cells). Every other line — fenced and indented code, link
reference definitions, front matter — is protected; an HTML block goes
through the HTML layer. Within prose lines a small scanner that follows
CommonMark's inline rules protects code spans, link and image targets,
reference labels, autolinks, inline HTML and entities. Imported only for
Markdown input.
"""

from __future__ import annotations

import re

from .markup import BREAK, FILLER, Protected, entity_shown_as

# CommonMark's autolinks, raw HTML and entity references.
_ANGLE_RE = re.compile(
    r"""<(?:
        [A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*                    # <https://…>
      | [A-Za-z0-9.!\#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*   # <name@host>
      | /?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?                   # a tag, attributes and all
      | !--.*?--
      | \?.*?\?
      | ![A-Za-z][^>]*
      | !\[CDATA\[.*?\]\]
    )>""",
    re.VERBOSE | re.DOTALL,
)
_ENTITY_RE = re.compile(r"&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FRONT_MATTER_RE = re.compile(r"---[ \t]*\r?\n.*?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def markdown_protected(text: str) -> list[Protected]:
    """The protected ranges of a Markdown document."""
    from markdown_it import MarkdownIt

    line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    if line_starts[-1] != len(text):
        line_starts.append(len(text))

    def offset(line: int) -> int:
        return line_starts[min(line, len(line_starts) - 1)]

    front = _FRONT_MATTER_RE.match(text)
    first_prose_line = text.count("\n", 0, front.end()) + (not front.group().endswith("\n")) if front else 0

    env: dict = {}
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text, env)
    labels = {_label(label) for label in env.get("references", {})}
    ranges: list[Protected] = []
    prose_lines: list[tuple[int, int]] = []  # [first, last) lines of each block of inline text
    html_lines: list[tuple[int, int]] = []
    for token in tokens:
        if token.map is None or token.map[0] < first_prose_line:
            continue
        if token.type == "inline":
            prose_lines.append((token.map[0], token.map[1]))
        elif token.type == "html_block":
            from .markup_html import html_protected

            start = offset(token.map[0])
            block = text[start : offset(token.map[1])]
            ranges += [(a + start, b + start, kind) for a, b, kind in html_protected(block)]
            html_lines.append((token.map[0], token.map[1]))
    # Lines in no prose block (code, reference definitions, front matter) are protected whole.
    line = 0
    for first, last in sorted(prose_lines + html_lines) + [(len(line_starts), len(line_starts))]:
        if first > line and offset(first) > offset(line):
            ranges.append((offset(line), offset(first), BREAK))
        line = max(line, last)
    for first, last in _merge_lines(prose_lines):
        ranges += _inline_protected(text, offset(first), offset(last), labels)
    return ranges


def _merge_lines(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _label(label: str) -> str:
    """A reference label as CommonMark compares them: case-folded, white space collapsed."""
    return " ".join(label.split()).casefold()


def _inline_protected(text: str, start: int, end: int, labels: set[str]) -> list[Protected]:
    """Code spans, link targets, reference labels, autolinks, raw HTML and entities in ``text[start:end]``."""
    ranges: list[Protected] = []
    i = start
    while i < end:
        char = text[i]
        if char == "\\":  # an escaped character is literal
            i += 2
            continue
        if char == "`":
            run = i
            while run < end and text[run] == "`":
                run += 1
            close = _closing_backticks(text, run, end, run - i)
            if close is not None:
                ranges.append((i, close, FILLER))
                i = close
            else:
                i = run
            continue
        if char == "<":
            found = _ANGLE_RE.match(text, i, end)
            if found:
                ranges.append((i, found.end(), FILLER))
                i = found.end()
                continue
        elif char == "&":
            found = _ENTITY_RE.match(text, i, end)
            if found:
                ranges.append((i, found.end(), entity_shown_as(found.group())))
                i = found.end()
                continue
        elif char == "]" and i + 1 < end and text[i + 1] in "([":
            close = _link_tail_end(text, i + 1, end) if text[i + 1] == "(" else _bracket_end(text, i + 1, end)
            if close is not None:
                ranges.append((i + 1, close, FILLER))
                i = close
                continue
        elif char == "[" and labels:
            close = _bracket_end(text, i, end)
            # "[Label]" and "[Label][]" link by their text: changing it would break the link
            # ("[text](…)" and "[text][label]" do not).
            after = text[close : close + 2] if close is not None else ""
            if (close is not None and _label(text[i + 1 : close - 1]) in labels
                    and not after.startswith("(") and not (after.startswith("[") and after != "[]")):
                ranges.append((i, close, FILLER))
                i = close
                continue
        i += 1
    return ranges


def _closing_backticks(text: str, position: int, end: int, length: int) -> int | None:
    """The end of the backtick run of exactly ``length`` that closes a code span, if any."""
    while True:
        found = text.find("`" * length, position, end)
        if found < 0:
            return None
        run = found + length
        while run < end and text[run] == "`":
            run += 1
        if run - found == length:
            return run
        position = run


def _bracket_end(text: str, position: int, end: int) -> int | None:
    """The end (after "]") of the bracketed label that opens at ``position``."""
    i = position + 1
    while i < end:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "]":
            return i + 1
        if text[i] == "[":
            return None
        i += 1
    return None


def _link_tail_end(text: str, position: int, end: int) -> int | None:
    """The end (after ")") of a link's "(destination "title")" that opens at ``position``.

    A tail that does not parse is protected to its first ")" anyway: more
    than a link target stays untouched, never less.
    """
    i = position + 1
    while i < end and text[i] in " \t\r\n":
        i += 1
    if i < end and text[i] == "<":
        close = text.find(">", i, end)
        i = close + 1 if close >= 0 else end
    else:
        depth = 0
        while i < end:
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char.isspace():
                break
            i += 1
    while i < end and text[i] in " \t\r\n":
        i += 1
    if i < end and text[i] in "\"'(":
        closer = ")" if text[i] == "(" else text[i]
        i += 1
        while i < end and text[i] != closer:
            i += 2 if text[i] == "\\" else 1
        i += 1
        while i < end and text[i] in " \t\r\n":
            i += 1
    if i < end and text[i] == ")":
        return i + 1
    close = text.find(")", position, end)
    return close + 1 if close >= 0 else None
