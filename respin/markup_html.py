"""HTML for the markup layer: which characters of a page are not its text.

The page is tokenized by the standard library's ``html.parser`` (no
regular expressions of ours): each event — a tag, a run of text, an entity,
a comment — starts where the parser stands when it reports it, and ends
where the next one starts, so together they cover the input exactly. Text
outside ``<script>``, ``<style>``, ``<pre>``, ``<code>`` and the like is
prose; everything else is protected. Imported only for HTML input.
"""

from __future__ import annotations

from html.parser import HTMLParser

from .markup import BREAK, FILLER, Protected, entity_shown_as

# Elements whose content is not prose: code, scripts, and embedded vector
# markup. Their text is protected as well as their tags.
PROTECTED_ELEMENTS = frozenset("script style pre code kbd samp var textarea svg math template".split())

# Elements that start or end a block of text: a sentence never runs across
# them, so their tags are shown as a line break. Other tags (<a>, <em>,
# <span>) only break a phrase.
BLOCK_ELEMENTS = frozenset(
    """address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main menu nav noscript ol option p
    section select summary table tbody td tfoot th thead title tr ul""".split()
)

TEXT, TAG, ENTITY, OTHER = "text", "tag", "entity", "other"


class _Events(HTMLParser):
    """Records (offset, kind, tag name or raw entity) for every construct of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)  # entities as their own events, text as written
        self.events: list[tuple[int, str, str]] = []
        self._line_starts = [0]
        self._line_starts += [i + 1 for i, char in enumerate(text) if char == "\n"]

    def _at(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self.events.append((self._at(), TAG, tag))

    def handle_startendtag(self, tag, attrs):
        self.events.append((self._at(), TAG, "/" + tag))

    def handle_endtag(self, tag):
        self.events.append((self._at(), TAG, "/" + tag))

    def handle_data(self, data):
        self.events.append((self._at(), TEXT, ""))

    def handle_entityref(self, name):
        self.events.append((self._at(), ENTITY, ""))

    def handle_charref(self, name):
        self.events.append((self._at(), ENTITY, ""))

    def handle_comment(self, data):
        self.events.append((self._at(), OTHER, ""))

    def handle_decl(self, decl):
        self.events.append((self._at(), OTHER, ""))

    def handle_pi(self, data):
        self.events.append((self._at(), OTHER, ""))

    def unknown_decl(self, data):
        self.events.append((self._at(), OTHER, ""))


def html_protected(text: str) -> list[Protected]:
    """The protected ranges of an HTML page: tags, attributes, comments, code, entities."""
    parser = _Events(text)
    parser.feed(text)
    parser.close()
    events = parser.events
    ranges: list[Protected] = []
    if not events:
        return [(0, len(text), FILLER)] if text else []
    if events[0][0] > 0:  # nothing should precede the first event; protect it if it does
        ranges.append((0, events[0][0], FILLER))
    inside: dict[str, int] = {}  # open protected elements by name
    ends = [offset for offset, _, _ in events[1:]] + [len(text)]
    for (start, kind, name), end in zip(events, ends):
        if end <= start:
            continue
        protected = any(inside.values())
        if kind == TAG:
            tag = name.lstrip("/")
            if tag in PROTECTED_ELEMENTS:
                if name.startswith("/"):
                    inside[tag] = max(0, inside.get(tag, 0) - 1)
                else:
                    inside[tag] = inside.get(tag, 0) + 1
            ranges.append((start, end, BREAK if tag in BLOCK_ELEMENTS else FILLER))
        elif kind == TEXT:
            if protected:
                ranges.append((start, end, FILLER))
        elif kind == ENTITY:
            ranges.append((start, end, FILLER if protected else entity_shown_as(text[start:end])))
        else:
            ranges.append((start, end, FILLER))
    return ranges
