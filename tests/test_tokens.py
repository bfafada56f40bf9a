import pytest
from hypothesis import given
from hypothesis import strategies as st

from respin.tokens import ASCII_WORD_RE, case_decides_break, normalize_text, sentence_starts, tokenize, word_re


def test_words_keep_offsets_and_normalize():
    text = "NATO’s Secretary-General said: “Won’t\u00a0happen.”"
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == ["NATO’s", "Secretary-General", "said", "Won’t", "happen"]
    assert [t.norm for t in tokens] == ["nato's", "secretary-general", "said", "won't", "happen"]


def test_numbers_stay_one_token():
    assert [t.norm for t in tokenize("about 100,000 troops, 3.5 per cent")] == ["about", "100,000", "troops", "3.5", "per", "cent"]


def test_sentences_break_at_stops_and_lines_not_abbreviations():
    tokens = tokenize("Mr. Li met the U.S. team. They left!\r\nNext line")
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 0, 0, 1, 1, 2, 2]


def test_lowercase_after_a_stop_does_not_start_a_sentence():
    assert len(set(t.sentence for t in tokenize("It cost 3 p.m. prices and more"))) == 1


def test_normalize_text_keeps_length_even_for_expanding_characters():
    text = "İstanbul ’quote’ ǅ"
    assert len(normalize_text(text)) == len(text)


@given(st.text())
def test_tokens_are_ordered_non_overlapping_spans(text):
    tokens = tokenize(text)
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(text)
        previous_end = token.end
    assert sentence_starts(text) == sorted(sentence_starts(text))


# Written down from the tokenizer as it was on the `regex` module, kept
# through the stdlib-re years and back on regex: every one must hold.
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("cafe\u0301 cafe", ["cafe\u0301", "cafe"]),  # a combining mark belongs to its word
        ("\u0301abc", ["\u0301abc"]),  # even at its start
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # spacing marks (Mc) too
        ("a\U000e0100b \U0001d165", ["a\U000e0100b", "\U0001d165"]),  # and above U+FFFF
        ("1½ cups, x², Ⅻ.", ["1½", "cups", "x²", "Ⅻ"]),  # numbers are more than decimal digits
        ("٣٤,٥ and 𝟎𝟏", ["٣٤,٥", "and", "𝟎𝟏"]),
        ("10:30 3.5 100,000 1,a", ["10:30", "3.5", "100,000", "1", "a"]),
        ("123abc 1.5kg", ["12", "3abc", "1", "5kg"]),  # a number backs off rather than run into a letter
        ("a_b x·y -x- U.S.", ["a", "b", "x", "y", "x", "U.S"]),
        ("won't ǅemal", ["won't", "ǅemal"]),
    ],
)
def test_word_spans(text, words):
    found = [text[t.start : t.end] for t in tokenize(text)]
    assert found == words
    if text.isascii():
        assert [m.group() for m in word_re().finditer(text)] == words


@given(st.text(alphabet="aZ09.,:'-_ \n\x00é½\u0301"))
def test_ascii_word_pattern_matches_the_unicode_one_on_ascii_text(text):
    text = text.encode("ascii", "ignore").decode()
    assert [m.span() for m in ASCII_WORD_RE.finditer(text)] == [m.span() for m in word_re().finditer(text)]


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("He left.  She stayed.", [10]),
        ("“Go!” He went. Really?) Yes", [6, 15, 24]),
        ("wait… Then", [6]),
        ("It ended.\nnext line", [10]),  # a line break after a stop ends the sentence
        ("a line, wrapped\n  onto the next", []),  # a soft wrap does not
        ("a line, wrapped\r\nonto the next", []),
        ("word;\n\tlower", []),
        ("word\t \nlower", []),
        ("word\n\u0301", [5]),  # a mark is not lower case
        ("Title\n\nnew paragraph", [6, 7]),
        ("a\n\nb", [2, 3]),
        ("\n", [1]),
        ("ends here\rNext", []),  # a lone CR is only white space
        ("end. éx", []),  # lower case after a stop
        ("end. Éx", [5]),
        ("end. ǅx", [5]),  # title case is not lower case
        ("end. ªb", [5]),  # nor is "ª" (a letter str.islower counts)
        ("end.\u2028Next", [5]),
        ("end.\xa0Next", [5]),
        ("end.\x1cNext", []),  # \x1c is not white space, though str.isspace says so
        ("x.\xa0\n y", [4]),
        ("end.", []),
        ("end. ", []),
        ("", []),
        ("Mr.\nSmith came", []),  # an abbreviation holds even across a line break
        ("the U.S. Army, e.g. This", []),
        ("U.\u212a. Army", []),  # the Kelvin sign lower-cases to "k"
        ("İ. Next", [3]),
        ("xMr. Smith", [5]),  # the whole word before the stop is looked up
        ("_Mr. Smith", [5]),
        ("ⓜr. Smith", [4]),
        ("²Mr. Smith", []),  # "²" is not part of the word
    ],
)
def test_sentence_starts(text, starts):
    assert sentence_starts(text) == starts


def test_words_are_letters_marks_and_numbers_for_every_code_point():
    """Each code point alone is a word exactly when it is a letter, mark or number (this Python's Unicode)."""
    import sys
    import unicodedata

    chars = [chr(c) for c in range(sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    text = "\x00".join(chars)  # NUL is in no class: one test string per code point
    words = [m.group() for m in word_re().finditer(text)]  # tokenize() would first fold "ʼ" into "'"
    assert words == [c for c in chars if unicodedata.category(c)[0] in "LMN"]


@pytest.mark.parametrize(
    ("text", "decides"),
    [
        ("advice of\n", True),  # a soft wrap before lower case, a sentence end before a capital
        ("advice of\n  ", True),  # the sentence starts at the line, before its indent
        ("left. ", True),  # ". " ends a sentence before anything but lower case
        ("left.\n\n", False),  # a blank line ends it whatever follows
        ("advice of ", False),  # a space never does
        ("Mr. ", False),  # nor an abbreviation's full stop
        ('advice of\n"', False),  # the quote, not the letter, follows the break
    ],
)
def test_case_decides_break_where_the_next_letter_s_case_moves_a_sentence_end(text, decides):
    assert case_decides_break(text + "x", 0, len(text)) is decides
