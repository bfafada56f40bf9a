"""The generated Unicode classes, and the word pattern built on them, over every code point.

The tokenizer's word pattern needs \\p{L}, \\p{M} and \\p{N}, which ``re``
cannot name; these tests hold it to the categories ``unicodedata`` gives,
for all of Unicode. They compare against the Unicode version the classes
were generated from, so they skip under a Python with another version.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

import pytest

from respin.tokens import word_re
from respin.unicode_classes import MARK, OTHER_NUMBER, UNICODE_VERSION

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    unicodedata.unidata_version != UNICODE_VERSION,
    reason=f"respin/unicode_classes.py is from Unicode {UNICODE_VERSION}, this Python has "
    f"{unicodedata.unidata_version}; run tools/build_unicode_classes.py to compare",
)

CHARS = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
SEPARATOR = "\x00"  # in no class; joins one test string per code point into one text


def category(char: str) -> str:
    return unicodedata.category(char)


def test_generated_module_is_up_to_date():
    spec = importlib.util.spec_from_file_location("build_unicode_classes", ROOT / "tools" / "build_unicode_classes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


@pytest.mark.parametrize(("fragment", "categories"), [(MARK, ("Mn", "Mc", "Me")), (OTHER_NUMBER, ("Nl", "No"))])
def test_classes_hold_exactly_their_categories(fragment, categories):
    found = re.findall(fragment, "".join(CHARS))
    assert found == [c for c in CHARS if category(c) in categories]


def test_re_letters_and_numbers_are_the_unicode_ones():
    # The word pattern takes \p{L} and \p{N} from re's [^\W_] and \d, which
    # follow str.isalnum and str.isdecimal.
    assert re.findall(r"[^\W_]", "".join(CHARS)) == [c for c in CHARS if category(c)[0] in "LN"]
    assert re.findall(r"\d", "".join(CHARS)) == [c for c in CHARS if category(c) == "Nd"]


def test_word_pattern_takes_letters_marks_and_numbers():
    words = [m.group() for m in word_re().finditer(SEPARATOR.join(CHARS))]
    assert words == [c for c in CHARS if category(c)[0] in "LMN"]


def test_number_pattern_takes_numbers_and_stops_before_letters_and_marks():
    # "1,x" is one number when x is a number; "1" and the word "x" when x is
    # a letter or a mark; only "1" otherwise.
    found = [m.group() for m in word_re().finditer(SEPARATOR.join("1," + c for c in CHARS))]
    expected = []
    for c in CHARS:
        kind = category(c)[0]
        expected += ["1," + c] if kind == "N" else ["1", c] if kind in "LM" else ["1"]
    assert found == expected
