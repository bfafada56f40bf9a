"""``respin learn``: learn a table from spun texts and their originals.

Each spun text is aligned with its original sentence by sentence (rapidfuzz),
then word by word inside matched sentences (difflib over normalized words).
A substitution only counts when the rest of the sentence matches: a sentence
with any inserted or deleted words, or a replaced run longer than
``MAX_WORDS``, was reworded by a person, not spun, and is skipped whole.
Pairs with digits (dates, figures) are skipped too: a changed number is an
edit of the story, not a synonym.

An n-to-n replacement ("officers mentioned" for "officials said") is split
into single words, because spinners swap words one by one and adjacent
swaps are a coincidence of the text; n-to-m ones ("called for" for
"demanded") stay phrases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher


MAX_WORDS = 4  # longest phrase, on either side, that a substitution may have
SENTENCE_CUTOFF = 60.0  # rapidfuzz ratio (0–100) for two sentences to be paired at all
MIN_SENTENCE_RATIO = 0.5  # share of matching words a paired sentence needs (difflib ratio)


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # as written, except a sentence's first word loses its capital
    norm: str
    gap: str  # the characters between this word and the previous one in its sentence


@dataclass
class Stats:
    """What happened to the sentences and substitutions of the inputs."""

    sentences: int = 0  # spun sentences
    matched: int = 0  # paired with an original sentence and used
    reworded: int = 0  # paired, but rewritten beyond substitutions: skipped
    unmatched: int = 0  # no original sentence close enough
    substitutions: int = 0  # single substitutions seen in used sentences
    digits: int = 0  # skipped: a side contains a digit
    punctuation: int = 0  # skipped: the phrase spans punctuation
    per_pair: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Learned:
    spun: str
    original: str
    count: int  # times the substitution was seen
    occurrences: int  # times the original occurs in the used original sentences

    @property
    def weight(self) -> float:
        # P(spun | original), pulled toward ½ when there is little evidence.
        return min(1.0, (self.count + 0.5) / (self.occurrences + 1))


def sentences(text: str) -> list[list[Word]]:
    """The words of ``text``, sentence by sentence."""
    from .tokens import sentences as token_sentences
    from .tokens import tokenize

    result: list[list[Word]] = []
    for sentence in token_sentences(tokenize(text)):
        first = sentence[0]
        words = [Word(_untitle(text[first.start : first.end]), first.norm, "")]
        words += [Word(text[t.start : t.end], t.norm, text[p.end : t.start]) for p, t in zip(sentence, sentence[1:])]
        result.append(words)
    return result


def _untitle(word: str) -> str:
    # "Officials" opening a sentence is "officials"; "NATO" and "McCain" keep their case.
    return word[0].lower() + word[1:] if word[:1].isupper() and word[1:] == word[1:].lower() else word


def align_sentences(spun: list[list[Word]], original: list[list[Word]]) -> list[tuple[int, int]]:
    """One-to-one pairs (spun index, original index) of similar sentences, in spun order."""
    from rapidfuzz import fuzz, process

    choices = [" ".join(w.norm for w in s) for s in original]
    scored = []
    for i, sentence in enumerate(spun):
        query = " ".join(w.norm for w in sentence)
        for _, score, j in process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=SENTENCE_CUTOFF, limit=5):
            # Ties go to the sentence at the same relative position.
            scored.append((-score, abs(i / len(spun) - j / len(original)), i, j))
    pairs, used_spun, used_original = [], set(), set()
    for _, _, i, j in sorted(scored):
        if i not in used_spun and j not in used_original:
            pairs.append((i, j))
            used_spun.add(i)
            used_original.add(j)
    return sorted(pairs)


def substitutions(spun: list[Word], original: list[Word]) -> list[tuple[list[Word], list[Word]]] | None:
    """The replaced runs of a sentence pair, or ``None`` if it was reworded."""
    matcher = SequenceMatcher(None, [w.norm for w in spun], [w.norm for w in original], autojunk=False)
    if matcher.ratio() < MIN_SENTENCE_RATIO:
        return None
    runs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 > MAX_WORDS or j2 - j1 > MAX_WORDS:
            return None  # words added, dropped or rewritten at length: not a spinner's work
        runs.append((spun[i1:i2], original[j1:j2]))
    return runs


def learn(pairs: Sequence[tuple[str, str]], names: Sequence[tuple[str, str]] = ()) -> tuple[list[Learned], Stats]:
    """Substitutions learned from (spun text, original text) pairs, sorted as a table is."""
    from .tableformat import sort_key

    stats = Stats()
    counts: Counter[tuple[str, str]] = Counter()
    spellings: dict[tuple[str, str], str] = {}
    used_originals: list[list[str]] = []
    for number, (spun_text, original_text) in enumerate(pairs):
        spun, original = sentences(spun_text), sentences(original_text)
        aligned = align_sentences(spun, original)
        before = (stats.matched, stats.reworded)
        stats.sentences += len(spun)
        stats.unmatched += len(spun) - len(aligned)
        for i, j in aligned:
            runs = substitutions(spun[i], original[j])
            if runs is None:
                stats.reworded += 1
                continue
            stats.matched += 1
            used_originals.append([w.norm for w in original[j]])
            for spun_run, original_run in _split(runs):
                stats.substitutions += 1
                reason = _noise(spun_run, original_run)
                if reason:
                    setattr(stats, reason, getattr(stats, reason) + 1)
                    continue
                spun_phrase = " ".join(w.text for w in spun_run)
                key = (" ".join(w.norm for w in spun_run), " ".join(w.text for w in original_run))
                counts[key] += 1
                spellings.setdefault(key, spun_phrase)
        name = f"{names[number][0]} <- {names[number][1]}" if number < len(names) else f"pair {number + 1}"
        stats.per_pair.append(f"{name}: {stats.matched - before[0]} of {len(spun)} sentences used, "
                              f"{stats.reworded - before[1]} reworded, {len(spun) - len(aligned)} unmatched")
    counts = _drop_reversals(counts)
    occurs = _ngrams(used_originals)
    learned = [
        Learned(spellings[key], key[1], count, max(count, occurs[_norm_words(key[1])]))
        for key, count in counts.items()
    ]
    learned.sort(key=lambda e: (sort_key(e.spun), -e.weight, e.original))
    return learned, stats


def _split(runs: list[tuple[list[Word], list[Word]]]):
    for spun_run, original_run in runs:
        if len(spun_run) == len(original_run):
            for s, o in zip(spun_run, original_run):
                if s.norm != o.norm:
                    yield [s], [o]
        else:
            yield spun_run, original_run


def _noise(spun_run: list[Word], original_run: list[Word]) -> str:
    """Why a substitution must not become an entry ('' if it may)."""
    if any(c.isdigit() for w in (*spun_run, *original_run) for c in w.text):
        return "digits"
    # respin matches a phrase only across white space; a run across
    # punctuation is a sentence edit.
    if any(w.gap.strip() for w in (*spun_run[1:], *original_run[1:])):
        return "punctuation"
    return ""


def _drop_reversals(counts: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Keep only the more frequent of a→b and b→a (neither on a tie): a cycle is an error."""
    from .tokens import normalize

    by_norm = {(spun, normalize(original)): (spun, original) for spun, original in counts}
    kept: Counter[tuple[str, str]] = Counter()
    for key, count in counts.items():
        reverse = by_norm.get((normalize(key[1]), key[0]))
        if reverse is None or count > counts[reverse]:
            kept[key] = count
    return kept


def _ngrams(sentences: list[list[str]]) -> Counter[tuple[str, ...]]:
    """How often each phrase of up to MAX_WORDS words occurs in the sentences."""
    counts: Counter[tuple[str, ...]] = Counter()
    for words in sentences:
        for n in range(1, MAX_WORDS + 1):
            counts.update(tuple(words[k : k + n]) for k in range(len(words) - n + 1))
    return counts


def _norm_words(phrase: str) -> tuple[str, ...]:
    from .tokens import normalize

    return tuple(normalize(w) for w in phrase.split())


def without_chains(learned: list[Learned], min_count: int = 1) -> tuple[list[Learned], list[str]]:
    """The entries minus those whose original is itself a learned spun form, and why each went.

    Both swaps were seen, but a table holding ``a → b`` and ``b → c`` would
    change a text again on a second run (``tables check`` calls it an error),
    so the one whose restoration another row would undo goes, until none is left.
    """
    from .records import Entry
    from .tablecheck import check_tables
    from .tableformat import format_row

    kept = [e for e in learned if e.count >= min_count]
    dropped: list[str] = []
    while True:
        body = "".join(format_row(Entry(e.spun, e.original, e.weight)) + "\n" for e in kept)
        chained = {p.line - 1: p.message for p in check_tables([("learned", body)]) if p.severity == "error"}
        if not chained:
            return kept, dropped
        dropped += [message for _, message in sorted(chained.items())]
        kept = [e for i, e in enumerate(kept) if i not in chained]


def render_table(learned: list[Learned], stats: Stats, min_count: int = 1) -> str:
    """The table text: a provenance header, then sorted rows."""
    from importlib.metadata import version

    from .records import Entry
    from .tableformat import format_row

    rows = [e for e in learned if e.count >= min_count]
    header = [
        f"# Learned by respin learn {version('respin')} from {len(stats.per_pair)} pair(s) of texts (spun <- original):",
        *(f"#   {line}" for line in stats.per_pair),
        f"# {stats.substitutions} substitutions seen; skipped {stats.digits} with digits and "
        f"{stats.punctuation} across punctuation; {len(rows)} entries"
        + (f" seen at least {min_count} times" if min_count > 1 else ""),
        "# weight = (times seen + 0.5) / (times the original occurs in the used sentences + 1)",
        "# Format: spun<TAB>original<TAB>weight (wordlists/README.md). Review before use.",
    ]
    body = [format_row(Entry(e.spun, e.original, e.weight)) for e in rows]
    return "\n".join(header + body) + "\n"
