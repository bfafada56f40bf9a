"""A small simulated spinner, built by running respin's own tables backwards.

It exists to make a synthetic evaluation set out of clean paragraphs: where
a table says spun phrase *s* may come from original *o* with weight
P(s | o), the spinner replaces *o* by one of its spun forms (drawn by
weight) at a fixed rate, giving the replacement the case of the words it
replaces. Like the real spinner family, it does not repair "a"/"an".

Numbers measured on its output flatter respin: every substitution it makes
is, by construction, one the tables know. Label them as synthetic.
"""

from __future__ import annotations

import random

from .candidates import apply_case
from .tables import Tables
from .tokens import normalize, tokenize

# Share of listed originals the spinner replaces. The seed articles have
# most listed words spun, but not all.
DEFAULT_RATE = 0.6

Inverse = dict[tuple[str, ...], tuple[tuple[str, float], ...]]


def invert(tables: Tables) -> Inverse:
    """Original phrase (normalized words) → its spun forms with their weights.

    Keep rows and rows with a context condition are left out: a context
    says where a spun form may be read back, not where a spinner writes it.
    Sorted, so the spinner's choices do not depend on table file order.
    """
    forms: dict[tuple[str, ...], dict[str, float]] = {}
    for phrases in tables.index.values():
        for _, entries in phrases:
            for entry in entries:
                if entry.keeps or entry.context:
                    continue
                key = tuple(normalize(word) for word in entry.original.split())
                spun = forms.setdefault(key, {})
                spun[entry.spun] = max(entry.weight, spun.get(entry.spun, 0.0))
    return {key: tuple(sorted(spun.items())) for key, spun in sorted(forms.items())}


def spin(text: str, inverse: Inverse, rate: float = DEFAULT_RATE, seed: int | str = 0) -> str:
    """Spin ``text``: replace listed originals, longest first, at ``rate``.

    Deterministic for a given ``seed``. A phrase matches only within one
    sentence and with single spaces between its words (candidates also
    match across other white space; the simulated spinner keeps it plain).
    """
    rng = random.Random(seed)
    tokens = tokenize(text)
    norms = [normalize(text[t.start : t.end]) for t in tokens]
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key in inverse:
        by_first.setdefault(key[0], []).append(key)
    for keys in by_first.values():
        keys.sort(key=len, reverse=True)
    pieces: list[str] = []
    position = i = 0
    while i < len(tokens):
        key = next((k for k in by_first.get(norms[i], ()) if _matches(text, tokens, norms, i, k)), None)
        if key is None:
            i += 1
            continue
        last = i + len(key) - 1
        if rng.random() < rate:
            spun_forms = inverse[key]
            form = rng.choices([f for f, _ in spun_forms], weights=[w for _, w in spun_forms])[0]
            start, end = tokens[i].start, tokens[last].end
            pieces += [text[position:start], apply_case(form, text[start:end])]
            position = end
        i = last + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _matches(text: str, tokens: list, norms: list[str], i: int, key: tuple[str, ...]) -> bool:
    last = i + len(key) - 1
    if last >= len(tokens) or tuple(norms[i : last + 1]) != key:
        return False
    return all(
        tokens[k].sentence == tokens[i].sentence and text[tokens[k - 1].end : tokens[k].start] == " "
        for k in range(i + 1, last + 1)
    )
