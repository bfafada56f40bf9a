"""Reference articles: a clean text on the same story as extra evidence.

A restoration that puts back a word the reference uses in the matching
sentence (found with rapidfuzz) is far more likely right; one that only
exists in the thesaurus is not. Evidence is additive log10 odds, and every
bonus carries a sentence saying where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lm import lm_words
from .tokens import sentences as token_sentences
from .tokens import tokenize

# log10 bonuses; a matching sentence is much stronger evidence than the
# article as a whole, and a word pair stronger than a lone word.
ALIGNED_BIGRAM = 2.0
ALIGNED_WORD = 1.0
ANY_BIGRAM = 0.6
ANY_WORD = 0.2
# rapidfuzz token_sort_ratio (0–100) above which two sentences are "the same"
ALIGN_CUTOFF = 60.0
# ...and by this much more than the runner-up: unrelated sentences of a
# same-topic article reach 60–66 by chance.
ALIGN_LEAD = 10.0


def clear_match(query: str, sentences: list[str], processor=None) -> tuple[int, float] | None:
    """The sentence that matches ``query``: (index, score 0–100), or None.

    "The matching sentence" scores at least ``ALIGN_CUTOFF`` and clearly
    beats the runner-up; the engine and ``respin review`` both use this rule.
    """
    from rapidfuzz import fuzz, process

    found = process.extract(query, sentences, scorer=fuzz.token_sort_ratio, processor=processor, limit=2)
    if not found or found[0][1] < ALIGN_CUTOFF:
        return None
    if len(found) > 1 and found[0][1] - found[1][1] < ALIGN_LEAD:
        return None  # two sentences match about as well: neither is "the" sentence
    return found[0][2], found[0][1]


@dataclass
class Reference:
    sentences: list[list[str]]
    joined: list[str]
    words: set[str]
    bigrams: set[tuple[str, str]]
    _alignment: dict[str, int | None] = field(default_factory=dict)

    def align(self, sentence_words: list[str]) -> int | None:
        """Index of the reference sentence that matches, or None."""
        query = " ".join(sentence_words)
        if query not in self._alignment:
            best = clear_match(query, self.joined)
            self._alignment[query] = best[0] if best else None
        return self._alignment[query]

    def support(self, words: list[str], before: str, after: str, aligned: int | None) -> tuple[float, str]:
        """log10 support for ``words`` standing between ``before`` and ``after``."""
        phrase = " ".join(words)
        pairs = {(before, words[0]), (words[-1], after)} if words else set()
        if aligned is not None:
            sentence = self.sentences[aligned]
            sentence_pairs = set(zip(sentence, sentence[1:]))
            if pairs & sentence_pairs:
                return ALIGNED_BIGRAM, f"reference sentence {aligned + 1} has {phrase!r} in the same place"
            if set(words) <= set(sentence):
                return ALIGNED_WORD, f"reference sentence {aligned + 1} uses {phrase!r}"
        if pairs & self.bigrams:
            return ANY_BIGRAM, f"reference uses {phrase!r} next to the same word"
        if words and set(words) <= self.words:
            return ANY_WORD, f"reference uses {phrase!r}"
        return 0.0, ""


def build_reference(texts: list[str] | tuple[str, ...]) -> Reference | None:
    """Index reference texts by sentence; ``None`` when there are none."""
    if not texts:
        return None
    sentences = [
        words
        for text in texts
        for sentence in token_sentences(tokenize(text))
        if (words := [word for token in sentence for word in lm_words(token.norm)])
    ]
    words = {w for s in sentences for w in s}
    bigrams = {pair for s in sentences for pair in zip(s, s[1:])}
    return Reference(sentences, [" ".join(s) for s in sentences], words, bigrams)
