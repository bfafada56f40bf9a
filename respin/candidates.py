"""Stage 2 — find candidates: spans the tables say a spinner may have written.

Matching is longest-first and case-insensitive (unless a row says
``case=exact``); a span never crosses punctuation or a sentence end (white
space of any kind between its words is kept as it is), never touches a
protected phrase, and is dropped when a keep row's context holds. The
broad channel (``--channel broad``) is a second tier behind the tables.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .records import Candidate, Entry, Token
from .tableformat import context_holds
from .tables import Tables
from .tokens import SPACE, case_decides_break, is_lower

if TYPE_CHECKING:
    from .channel import BroadChannel


def find_candidates(
    text: str, tokens: list[Token], tables: Tables, channel: BroadChannel | None = None
) -> list[Candidate]:
    """Every non-overlapping candidate span, leftmost-longest, in text order.

    With a broad ``channel`` it is a second tier: where the curated tables
    match, their originals come first and the channel's other originals for
    the same span are added after them; where they do not, the channel is
    looked up; where a curated keep row holds (or a protected term stands),
    neither proposes anything.
    """
    words = [t.norm for t in tokens]
    protected = _protected_mask(words, tables)
    candidates: list[Candidate] = []
    index = tables.by_length
    i = 0
    while i < len(tokens):
        word = words[i]
        if word not in index and not (word.endswith("'s") and word[:-2] in index):  # the common case
            broad = channel.lookup(_stem(word)) if channel is not None else None
            candidate = None
            if broad is not None:
                if word.endswith("'s"):  # only the word itself can match, without its "'s"
                    broad = tuple((n, phrases) for n, phrases in broad if n == 1)
                candidate = _match_at(text, tokens, words, protected, i, tables, broad)
        else:
            before = candidates[-1] if candidates and candidates[-1].last == i - 1 else None
            candidate = _match_at(text, tokens, words, protected, i, tables, before=before)
            if channel is not None and candidate is not VETOED:
                if candidate is None:  # the tables list longer phrases from here, none that matched
                    broad = channel.lookup(_stem(word))
                    if broad is not None:
                        candidate = _match_at(text, tokens, words, protected, i, tables, broad)
                else:
                    candidate = _with_broad(text, tokens, words, protected, candidate, tables, channel)
        if candidate is None or candidate is VETOED:
            i += 1
            continue
        if candidates and candidate.article >= 0 and candidate.article <= candidates[-1].last:
            candidate = candidate._replace(article=-1)  # that "a" belongs to the phrase before
        candidates.append(candidate)
        i = candidate.last + 1
    return candidates


# What _match_at says when a keep row held at the word: no tier may propose there.
VETOED = Candidate(-1, -1, -1, -1, "", ())


def _with_broad(
    text: str, tokens: list[Token], words: list[str], protected: list[bool], candidate: Candidate,
    tables: Tables, channel: BroadChannel,
) -> Candidate:
    """A curated candidate with the broad channel's other originals for the same span added after its own."""
    broad = channel.lookup(_stem(words[candidate.first]))
    length = candidate.last - candidate.first + 1
    same_length = tuple((n, phrases) for n, phrases in broad or () if n == length)
    if not same_length:
        return candidate
    have = {restored.lower() for restored, _ in candidate.originals}
    entries = same_length[0][1].get((_stem(words[candidate.first]),)) if length == 1 else None
    if entries is not None and all(len(e.context) == 1 for e in entries):
        # The common case, a word whose broad rows have no condition (only src=): no second match.
        options = [(apply_case(e.original, candidate.spun), e) for e in entries]
        options = [(keep_sentences(text, tokens, candidate.first, candidate.spun, r), e) for r, e in options]
        options = [(r, e) for r, e in options if r is not None]
    else:
        extra = _match_at(text, tokens, words, protected, candidate.first, tables, same_length)
        if extra is None or extra is VETOED or extra.end != candidate.end:
            return candidate
        options = list(extra.originals)
    added = tuple(
        option for option in options if option[0].lower() not in have and option[0].lower() != candidate.spun.lower()
    )
    return candidate._replace(originals=candidate.originals + added) if added else candidate


def _protected_mask(words: list[str], tables: Tables) -> list[bool]:
    mask = [False] * len(words)
    if not tables.protected:
        return mask
    for i, word in enumerate(words):
        for phrase in tables.protected.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                mask[i : i + len(phrase)] = [True] * len(phrase)
    return mask


def _match_at(
    text: str, tokens: list[Token], words: list[str], protected: list[bool], i: int, tables: Tables,
    broad=None, before: Candidate | None = None,
) -> Candidate | None:
    """The longest span starting at word i that the tables (or the ``broad`` rows given) list.

    ``VETOED`` when none matched and a keep row held for one of the phrases there.
    ``before`` is the candidate that ends right before word i, if any: a row's
    context reads what its words may become too (see :func:`_context_may_hold`).
    """
    if broad is not None:
        lengths, followed = broad, True
    else:
        lengths = tables.by_length.get(words[i])
        if lengths is None:  # "Secretary-Common’s": only the word itself can match, without its "’s"
            lengths = [(1, phrases) for n, phrases in tables.by_length[_stem(words[i])] if n == 1]
        following = words[i + 1] if i + 1 < len(words) else ""
        followed = (words[i], following) in tables.prefixes or (words[i], _stem(following)) in tables.prefixes
    vetoed = False
    for length, phrases in lengths:
        last = i + length - 1
        if last >= len(tokens) or (length > 1 and not followed):
            continue
        key = tuple(words[i : last + 1])
        entries = phrases.get(key)
        end = tokens[last].end
        if entries is None and key[-1].endswith("'s"):
            # A possessive: the phrase is the words before "'s", which stays as it is.
            entries = phrases.get(key[:-1] + (_stem(key[-1]),))
            end -= 2
        if entries is None or any(protected[i : last + 1]) or not _joined_plainly(text, tokens, i, last):
            continue
        spun = text[tokens[i].start : end]
        gaps = [text[tokens[k - 1].end : tokens[k].start] for k in range(i + 1, last + 1)]
        plain = " ".join(spun.split())  # as the tables write it: one space between words
        exact_spun = plain.replace("’", "'")
        usable = [
            e
            for e in entries
            if ("case=exact" not in e.context or e.spun == exact_spun)
            and (context_holds(e.context, text, tokens, i, last) if broad is not None or not e.context
                 else _context_may_hold(e, text, tokens, words, tables, i, last, before))
        ]
        if not usable:
            continue
        if any(e.keeps for e in usable):
            vetoed = True
            continue
        options: dict[str, Entry] = {}
        for entry in usable:
            restored = apply_case(entry.original, plain)
            if any(gap != " " for gap in gaps):
                restored = _with_gaps(restored, gaps)
            restored = keep_sentences(text, tokens, i, spun, restored)
            if restored is not None and restored.lower() != spun.lower() and (
                restored not in options or options[restored].weight < entry.weight
            ):
                options[restored] = entry
        if options:
            article = _article_before(text, tokens, i)
            return Candidate(i, last, tokens[i].start, end, spun, tuple(options.items()), article)
    return VETOED if vetoed else None


def _context_may_hold(
    entry: Entry, text: str, tokens: list[Token], words: list[str], tables: Tables, first: int, last: int,
    before: Candidate | None,
) -> bool:
    """Whether a restoring row's context holds, reading a neighbour that is a candidate as any of its readings.

    A neighbour this run may restore is not settled: a second run would read
    its restoration. So a restoring row is offered where its context holds
    for some reading of the neighbour (the words as they stand, or restored),
    and a second run, reading one of them, offers no more than this one did.
    Keep rows read the words as they stand: one that held only for some
    readings would have to be checked against the reading the cluster
    chooses, a joint constraint the decision does not have (and keep rows
    also stop junctions: "simply" is kept before "lately" whatever
    "lately" may become).
    """
    if entry.keeps:
        return context_holds(entry.context, text, tokens, first, last)

    def readings(key: str, neighbour: int):
        if key == "prev":
            return _readings_before(before, neighbour)
        return _readings_at(text, tokens, words, tables, neighbour)

    return context_holds(entry.context, text, tokens, first, last, readings)


def _readings_before(before: Candidate | None, neighbour: int) -> list[str]:
    """The last word of each restoration of the candidate that ends at the neighbour."""
    if before is None or before.last != neighbour:
        return []
    return [restored.split()[-1] for restored, _ in before.originals if restored.split()]


def _readings_at(text: str, tokens: list[Token], words: list[str], tables: Tables, k: int) -> list[str]:
    """The first word of every restoration a table row proposes for a phrase starting at word k (context aside)."""
    readings = []
    for length, phrases in tables.by_length.get(words[k], ()):
        last = k + length - 1
        entries = phrases.get(tuple(words[k : last + 1])) if last < len(tokens) else None
        for entry in entries or ():
            if not entry.keeps:
                restored = apply_case(entry.original, " ".join(text[tokens[k].start : tokens[last].end].split()))
                readings.append(restored.split(" ", 1)[0])
    return readings


def _stem(word: str) -> str:
    """A normalized word without a possessive "'s"."""
    return word[:-2] if word.endswith("'s") else word


# What may stand between an article and its word: white space (a soft line
# wrap included; a blank line ends the sentence anyway) and opening quotes
# or brackets ("an “assembly”").
ARTICLE_GAP_RE = re.compile(rf"{SPACE}+[\"“‘'(\[]*")


def _article_before(text: str, tokens: list[Token], i: int) -> int:
    """Index of the "a"/"an" right before token i in its sentence, or -1."""
    if i == 0:
        return -1
    previous = tokens[i - 1]
    if previous.norm not in ("a", "an") or previous.sentence != tokens[i].sentence:
        return -1
    gap = ARTICLE_GAP_RE.fullmatch(text, previous.end, tokens[i].start)
    return i - 1 if gap else -1


# What may stand between the words of a phrase: white space — a no-break
# space or a wrapped line, say — but never a sentence end (checked apart).
WORD_GAP_RE = re.compile(f"{SPACE}+")


def _joined_plainly(text: str, tokens: list[Token], first: int, last: int) -> bool:
    """Whether the words of a phrase stand in one sentence with only white space between them."""
    sentence = tokens[first].sentence
    for k in range(first + 1, last + 1):
        gap_start, gap_end = tokens[k - 1].end, tokens[k].start
        if tokens[k].sentence != sentence or (
            text[gap_start:gap_end] != " " and not WORD_GAP_RE.fullmatch(text, gap_start, gap_end)
        ):
            return False
    return True


def keep_sentences(text: str, tokens: list[Token], first: int, spun: str, restored: str) -> str | None:
    """``restored`` as it may replace ``spun`` (words from ``first`` on) without moving a sentence end, or None.

    Whether a line break or ". " ends a sentence depends on the case of the
    letter after it (:func:`respin.tokens.case_decides_break`): there a
    restoration keeps the spun text's case — "4" → "Four" where a sentence
    starts, a line break inside the span becomes a space — or, for a name
    after a soft wrap ("of\ndocs with out borders" → "Doctors Without
    Borders"), is not proposed, so that a second run reads the same sentences.
    """
    if first > 0 and is_lower(restored[:1] or " ") != is_lower(spun[:1] or " ") and case_decides_break(
        text, tokens[first - 1].start, tokens[first].start
    ):
        capital = restored[:1].upper()
        if is_lower(spun[:1]) or len(capital) != 1 or is_lower(capital):
            return None
        restored = capital + restored[1:]
    if "\n" in restored and _case_moves_a_line_break(spun, restored):
        restored = " ".join(restored.split())
    return restored


def _case_moves_a_line_break(spun: str, restored: str) -> bool:
    """Whether a word after a line break inside the span changes case (a wrap would become a sentence end)."""
    after_breaks = [line.lstrip(" \t")[:1] for line in restored.split("\n")[1:]]
    spun_after = [line.lstrip(" \t")[:1] for line in spun.split("\n")[1:]]
    return len(after_breaks) != len(spun_after) or any(
        is_lower(a or " ") != is_lower(b or " ") for a, b in zip(after_breaks, spun_after)
    )


def _with_gaps(restored: str, gaps: list[str]) -> str:
    """``restored`` with the spun phrase's own white space between its words, word for word.

    A restoration of another length keeps single spaces: there is no telling
    which of its gaps a line break belonged to.
    """
    words = restored.split(" ")
    if len(words) != len(gaps) + 1:
        return restored
    return "".join(word + gap for word, gap in zip(words, [*gaps, ""]))


def apply_case(original: str, spun: str) -> str:
    """Give ``original`` the case pattern of the ``spun`` text it replaces.

    >>> apply_case("said", "Mentioned"), apply_case("said", "MENTIONED")
    ('Said', 'SAID')
    >>> apply_case("news conference", "Information Convention")
    'News Conference'
    >>> apply_case("Eastern Europe", "japanese europe"), apply_case("United States", "US")
    ('Eastern Europe', 'United States')
    """
    if spun.islower():  # the common case
        return original
    if spun.isupper() and (" " in spun or len(spun) > 4 or original.islower()):
        return original.upper()  # shouted text; a short acronym keeps a name's case
    if not original.islower():
        return original  # a name or title: its case is part of the entry
    spun_words = spun.split()
    if len(spun_words) > 1 and all(w[:1].isupper() for w in spun_words):
        return " ".join(w[:1].upper() + w[1:] for w in original.split())
    if spun[:1].isupper():
        return original[:1].upper() + original[1:]
    return original
