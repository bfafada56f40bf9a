"""Stage 1 — tokenize: find the words of a text and keep every other character.

Only words become tokens; the text between them (spaces, punctuation, curly
quotes, dashes, line endings, a BOM) is never touched, which is what lets
every later stage promise byte-identical output outside the spans it fixes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING

from .records import Token

if TYPE_CHECKING:
    import regex

# A word is a run of letters/marks/digits, possibly joined by inner
# apostrophes, hyphens or dots ("won't", "secretary-general", "u.s").
# Numbers keep their separators ("100,000", "3.5") so they stay one token.
# It runs over the normalized text, where every apostrophe is "'".
_WORD_PATTERN = r"""
    {number}+(?:[.,:]{number}+)*(?!{letter_or_mark})    # numbers: 100,000  3.5  10:30
    | {word_char}+(?:['\-.]{word_char}+)*               # words
"""

# The word pattern for ASCII text (a one-line input, say): there it finds
# the same words as word_re(), and a run on ASCII input never imports regex.
ASCII_WORD_RE = re.compile(
    _WORD_PATTERN.format(number="[0-9]", letter_or_mark="[a-zA-Z]", word_char="[a-zA-Z0-9]"), re.VERBOSE
)


@cache
def word_re() -> regex.Pattern[str]:
    """The word pattern for any text: the ``regex`` module's Unicode classes.

    Letters, marks and numbers are \\p{L}, \\p{M} and \\p{N} as the
    installed ``regex`` knows them, so the tokenizer follows each Unicode
    release without tables of our own. Imported on first use (~10 ms).
    """
    import regex

    return regex.compile(
        _WORD_PATTERN.format(number=r"\p{N}", letter_or_mark=r"[\p{L}\p{M}]", word_char=r"[\p{L}\p{M}\p{N}]"),
        regex.VERBOSE,
    )


# White space as Unicode defines it: re's \s (str.isspace) also takes the
# ASCII separators \x1c-\x1f, which are not white space here.
SPACE = r"[^\S\x1c-\x1f]"

# A sentence ends at . ! ? … (maybe followed by closing quotes or brackets)
# and white space before a character that is not lower case, or at a line
# break — except a soft wrap: a line ending in a letter, digit, comma or
# semicolon followed by a line starting in lower case. This finds where
# one may end (a mark and the white space after it, or a line break);
# sentence_starts checks the rest.
SENTENCE_END_RE = re.compile(rf"""([.!?…])["'”’)\]]*({SPACE}+)|\n""")

# Words after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st sen rep gov gen lt col sgt prof jr sr vs u.s u.k u.n e.g i.e etc inc corp co".split()
)

# What the word before a full stop is made of, besides dots: letters, marks,
# decimal digits, letter numbers ("Ⅻ"), connectors ("_"), the zero-width
# joiners and the circled and squared Latin letters ("ⓜ", "🅼"), as in
# Unicode's definition of \w. Not "½" or "²".
_WORD_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc"))
_WORD_SYMBOLS = frozenset(map(chr, (0x200C, 0x200D, *range(0x24B6, 0x24EA), *range(0x1F130, 0x1F14A),
                                    *range(0x1F150, 0x1F16A), *range(0x1F170, 0x1F18A))))

_APOSTROPHES = ("’", "‘", "ʼ")


def normalize(word: str) -> str:
    """The form used to look words up: straight apostrophes, lower case.

    >>> normalize("Won’t")
    "won't"
    """
    for apostrophe in _APOSTROPHES:
        word = word.replace(apostrophe, "'")
    return word.lower()


def normalize_text(text: str) -> str:
    """``normalize`` for a whole text, keeping every character at its offset."""
    folded = normalize(text)
    if len(folded) == len(text):
        return folded
    # A few characters lower-case to two ("İ"); keep those as they are.
    return "".join(folded_char if len(folded_char) == 1 else char for char, folded_char in
                   ((c, normalize(c)) for c in text))


def sentence_starts(text: str) -> list[int]:
    """Offsets at which a new sentence starts."""
    starts = []
    for match in SENTENCE_END_RE.finditer(text):
        mark = match.group(1)
        if mark is None:  # a line break
            if not _soft_wrap(text, match.start()):
                starts.append(match.end())
            continue
        space_start, end = match.span(2)
        if end < len(text) and not _is_lower(text[end]):
            if not (mark == "." and _word_before(text, match.start()).lower() in ABBREVIATIONS):
                starts.append(end)
        else:  # no sentence starts after the space, but a line break in it may end one
            starts += [i + 1 for i in range(space_start, end) if text[i] == "\n" and not _soft_wrap(text, i)]
    return starts


def case_decides_break(text: str, start: int, end: int) -> bool:
    """Whether a sentence starts at ``end`` or not depends on the case of the letter there.

    ``text[start:end]`` should begin at the previous word. A line break is a
    soft wrap only before a lower-case letter, and ". " ends a sentence only
    before one that is not, so a fix that changes that letter's case would
    make a second run read other sentences.
    """
    window = text[start:end]  # any sentence start in it lies between the previous word and the letter
    return bool(sentence_starts(window + "A")) != bool(sentence_starts(window + "a"))


def is_lower(char: str) -> bool:
    """Whether ``char`` is a lower-case letter, as the sentence rule reads it."""
    return _is_lower(char)


def _soft_wrap(text: str, newline: int) -> bool:
    """Whether the line break at ``newline`` only wraps a sentence onto the next line."""
    before = newline - 1 if text[newline - 1 : newline] == "\r" else newline
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    after = newline + 1
    while after < len(text) and text[after] in " \t":
        after += 1
    return (before > 0 and (text[before - 1].isalnum() or text[before - 1] in ",;")  # isalnum: \p{L}, \p{N}
            and after < len(text) and _is_lower(text[after]))


def _is_lower(char: str) -> bool:
    """Whether ``char`` is a lower-case letter (str.islower also takes "ª", "ʰ", "ⓐ")."""
    return unicodedata.category(char) == "Ll"


def _word_before(text: str, end: int) -> str:
    """The word that ends at ``end``, dots included ("U.S")."""
    start = end
    while start > 0 and (text[start - 1] == "." or text[start - 1] in _WORD_SYMBOLS
                         or unicodedata.category(text[start - 1]) in _WORD_CATEGORIES):
        start -= 1
    return text[start:end]


def sentences(tokens: Sequence[Token]) -> list[list[Token]]:
    """The tokens sentence by sentence: each run of one sentence number.

    >>> [[t.norm for t in s] for s in sentences(tokenize("He left. She stayed."))]
    [['he', 'left'], ['she', 'stayed']]
    """
    return [list(run) for _, run in groupby(tokens, key=attrgetter("sentence"))]


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word tokens with offsets and sentence numbers.

    >>> [t.norm for t in tokenize("NATO’s chief — Jens Stoltenberg — said.")]
    ["nato's", 'chief', 'jens', 'stoltenberg', 'said']
    >>> [t.sentence for t in tokenize("He left. She stayed\\nThen Mr. Li came, as\\nwrapped")]
    [0, 0, 1, 1, 2, 2, 2, 2, 2, 2]
    """
    starts = sentence_starts(text)
    starts.append(len(text) + 1)
    tokens: list[Token] = []
    append = tokens.append
    sentence = 0
    next_start = starts[0]
    normalized = normalize_text(text)
    for match in (ASCII_WORD_RE if normalized.isascii() else word_re()).finditer(normalized):
        start, end = match.span()
        while start >= next_start:
            sentence += 1
            next_start = starts[sentence]
        append(Token(start, end, match.group(), sentence))
    return tokens
