from hypothesis import given
from hypothesis import strategies as st

from respin.tokens import normalize_text, sentence_starts, tokenize


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
