"""Stage 1 — tokenize: find the words of a text and keep every other character.

Only words become tokens; the text between them (spaces, punctuation, curly
quotes, dashes, line endings, a BOM) is never touched, which is what lets
every later stage promise byte-identical output outside the spans it fixes.
"""

from __future__ import annotations

import regex

from .records import Token

# A word is a run of letters/marks/digits, possibly joined by inner
# apostrophes, hyphens or dots ("won’t", "Secretary-General", "U.S").
# Numbers keep their separators ("100,000", "3.5") so they stay one token.
WORD_RE = regex.compile(
    r"""
    \p{N}+(?:[.,:]\p{N}+)*(?![\p{L}\p{M}])      # numbers: 100,000  3.5  10:30
    | [\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+)*   # words
    """,
    regex.VERBOSE,
)

# Between two words, a sentence ends at . ! ? (maybe followed by closing
# quotes or brackets) and whitespace, or at a line break.
SENTENCE_END_RE = regex.compile(r"[.!?…][\"'”’)\]]*\s|\n")

# Words after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st sen rep gov gen lt col sgt prof jr sr vs no u.s u.k u.n e.g i.e etc inc corp co".split()
)

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def normalize(word: str) -> str:
    """The form used to look words up: straight apostrophes, lower case."""
    return word.translate(APOSTROPHES).lower()


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word tokens with offsets and sentence numbers.

    >>> [t.text for t in tokenize("NATO’s chief — Jens Stoltenberg — said.")]
    ['NATO’s', 'chief', 'Jens', 'Stoltenberg', 'said']
    >>> [t.sentence for t in tokenize("He left. She stayed\\nThen")]
    [0, 0, 1, 1, 2]
    """
    tokens: list[Token] = []
    sentence = 0
    previous_end = 0
    previous_word = ""
    for index, match in enumerate(WORD_RE.finditer(text)):
        start = match.start()
        if index and _ends_sentence(text[previous_end:start], previous_word, text, start):
            sentence += 1
        word = match.group()
        tokens.append(Token(start, match.end(), word, index, sentence))
        previous_end = match.end()
        previous_word = word
    return tokens


def _ends_sentence(gap: str, previous_word: str, text: str, next_start: int) -> bool:
    if "\n" in gap:
        return True
    if not SENTENCE_END_RE.search(gap):
        return False
    if gap.startswith(".") and previous_word.lower() in ABBREVIATIONS:
        return False
    return not text[next_start].islower()
