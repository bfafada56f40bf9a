"""What the review shows about one fix: its sentence as the answers so far leave it, and the reference's."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..records import Fix, Token
from .session import Session

# Sentences longer than this (characters) are cut to a window around the fix.
SENTENCE_WINDOW = 400


def sentence_span(text: str, tokens: Sequence[Token], start: int) -> tuple[int, int]:
    """The sentence around offset ``start``, with its opening and closing punctuation."""
    from ..tokens import sentences

    starts = [t.start for t in tokens]
    number = tokens[max(0, bisect.bisect_right(starts, start) - 1)].sentence
    words = next(s for s in sentences(tokens) if s[0].sentence == number)
    return _widen(text, words[0].start, words[-1].end)


def _widen(text: str, begin: int, end: int) -> tuple[int, int]:
    """``begin``/``end`` moved out over the punctuation touching them, up to whitespace."""
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def _window(text: str, begin: int, end: int, fix: Fix) -> tuple[int, int]:
    """Cut a long sentence to about ``SENTENCE_WINDOW`` characters around ``fix``, at spaces."""
    if end - begin <= SENTENCE_WINDOW:
        return begin, end
    half = max(0, (SENTENCE_WINDOW - (fix.end - fix.start)) // 2)
    left = max(begin, fix.start - half)
    right = min(end, fix.end + half)
    if left > begin:
        space = text.find(" ", left, fix.start)
        left = space + 1 if space != -1 else left
    if right < end:
        space = text.rfind(" ", fix.end, right)
        right = space if space != -1 else right
    return left, right


class ReferenceSentences:
    """The sentences of the reference articles, matched with rapidfuzz."""

    def __init__(self, texts: Sequence[str]) -> None:
        from ..tokens import sentences, tokenize

        self.sentences: list[str] = []
        for text in texts:
            for words in sentences(tokenize(text)):
                begin, end = _widen(text, words[0].start, words[-1].end)
                self.sentences.append(" ".join(text[begin:end].split()))

    def match(self, sentence: str) -> tuple[str, float] | None:
        """The reference sentence that clearly matches ``sentence``, with its score (0–100), or None."""
        from rapidfuzz import utils

        from ..reference import clear_match  # the engine's own rule for "the matching sentence"

        best = clear_match(sentence, self.sentences, processor=utils.default_process)
        return (self.sentences[best[0]], best[1]) if best else None


def make_card(session: Session, name: str, source: str, tokens: Sequence[Token],
              result_fixes: Sequence[Fix], references: ReferenceSentences | None):
    """What to show about the current fix."""
    from ..render import apply_fixes
    from ..terminal import Card, line_column

    fix = session.current
    begin, end = sentence_span(source, tokens, fix.start)
    line, column = line_column(source, fix.start)
    match = None
    if references is not None:
        # The restored sentence is closer to the clean reference than the spun one.
        inside = [f._replace(start=f.start - begin, end=f.end - begin) for f in result_fixes
                  if begin <= f.start and f.end <= end]
        match = references.match(apply_fixes(source[begin:end], inside))
    left, right = _window(source, begin, end, fix)
    sentence, offset, answers = _sentence_as_answered(session, source, left, right)
    return Card(
        name=name, line=line, column=column, number=session.position + 1, total=len(session.fixes),
        sentence=sentence, offset=offset, fix=fix, same_later=len(session.same_later()),
        reference=match[0] if match else None, reference_score=match[1] if match else 0.0, answers=answers,
    )


def _sentence_as_answered(session: Session, source: str, left: int, right: int):
    """``source[left:right]`` as the answers so far leave it, where the current fix starts, and the answered spans.

    An accepted or edited fix reads as its new words, a rejected one as the
    words kept; fixes not answered (skipped, or still to come) as the input.
    The answered spans are ``(start, end, verdict)`` in the returned text.
    """
    pieces: list[str] = []
    answers: list[tuple[int, int, str]] = []
    position, length, offset = left, 0, 0
    for j, (fix, decision) in enumerate(zip(session.fixes, session.decisions)):
        if not (left <= fix.start and fix.end <= right) or (decision is None and j != session.position):
            continue
        pieces.append(source[position : fix.start])
        length += fix.start - position
        if j == session.position:
            offset, words = length, fix.before
        else:
            words = decision.text
            answers.append((length, length + len(words), decision.verdict))
        pieces.append(words)
        length += len(words)
        position = fix.end
    pieces.append(source[position:right])
    return "".join(pieces), offset, tuple(answers)
