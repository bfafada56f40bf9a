"""Stage 1 — tokenize: find the words of a text and keep every other character.

Only words become tokens; the text between them (spaces, punctuation, curly
quotes, dashes, line endings, a BOM) is never touched, which is what lets
every later stage promise byte-identical output outside the spans it fixes.
"""

from __future__ import annotations

import regex

from .records import Token

# A word is a run of letters/marks/digits, possibly joined by inner
# apostrophes, hyphens or dots ("won't", "secretary-general", "u.s").
# Numbers keep their separators ("100,000", "3.5") so they stay one token.
# It runs over the normalized text, where every apostrophe is "'".
WORD_RE = regex.compile(
    r"""
    \p{N}+(?:[.,:]\p{N}+)*(?![\p{L}\p{M}])              # numbers: 100,000  3.5  10:30
    | [\p{L}\p{M}\p{N}]+(?:['\-.][\p{L}\p{M}\p{N}]+)*   # words
    """,
    regex.VERBOSE,
)

# A sentence ends at . ! ? … (maybe followed by closing quotes or brackets)
# and whitespace before a word that does not start in lower case, or at a
# line break — except a soft wrap: a line ending in a letter, digit, comma
# or semicolon followed by a line starting in lower case. The match ends
# where the next sentence starts.
SENTENCE_BREAK_RE = regex.compile(
    r"""(?<=([\w.]*)([.!?…])["'”’)\]]*)\s+(?=[^\s\p{Ll}])|\n(?!(?<=[\p{L}\p{N},;][ \t]*\r?\n)[ \t]*\p{Ll})"""
)

# Words after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st sen rep gov gen lt col sgt prof jr sr vs u.s u.k u.n e.g i.e etc inc corp co".split()
)

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
    for match in SENTENCE_BREAK_RE.finditer(text):
        word, mark = match.group(1, 2)
        if mark == "." and word.lower() in ABBREVIATIONS:
            continue
        starts.append(match.end())
    return starts


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
    for match in WORD_RE.finditer(normalize_text(text)):
        start, end = match.span()
        while start >= next_start:
            sentence += 1
            next_start = starts[sentence]
        append(Token(start, end, match.group(), sentence))
    return tokens
