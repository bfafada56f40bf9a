"""Spinner profiles: tables learned from spun text alone, and which one a text matches.

The learning itself is :mod:`respin.decipher`; this module makes its result
a respin table and puts it to use, for the commands that need it:

* ``learn --unsupervised`` — :func:`learn_unsupervised` and :func:`render_profile`;
* ``batch --adapt`` — :func:`adapted_profile`: learn over the input files,
  keep the profile in the cache folder named by its content;
* ``check --profile`` — :func:`match_profiles`: the profile (or the built-in
  tables) under which a document shows the most spin.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config
    from .decipher import Learned, Options, Summary
    from .tables import Tables
    from .thesaurus import CandidateSource

# Text read to learn a profile for ``batch --adapt``: a few thousand articles, bounded memory.
ADAPT_MAX_CHARS = 20_000_000
BUILTIN_PROFILE = "built-in"


def render_profile(learned: list[Learned], summary: Summary, options: Options) -> str:
    """The table text of an unsupervised profile: a provenance header, then sorted rows."""
    from importlib.metadata import version

    from .records import Entry
    from .tableformat import format_row, sort_key

    header = [
        f"# Learned by respin learn --unsupervised {version('respin')} from {summary.documents} spun text(s), "
        f"{summary.words} words, no originals:",
        f"#   {summary.considered} of {summary.types} word types with candidates occur at least "
        f"{options.min_occurrences} times; substitutions after each round: "
        + ", ".join(map(str, summary.rounds)),
        f"#   kept: corpus score >= {options.min_score:g} log10 odds over the word itself, >= {options.min_margin:g} "
        f"over the next original, mean gain >= {options.min_gain:g} and context lift >= {options.min_lift:g} "
        f"per occurrence, weight >= "
        f"{options.min_weight:g}; {len(learned)} entries",
        *([f"#   only {summary.not_spun} confident swap(s): the texts do not look spun, so nothing is "
           f"learned (a spinner swaps dozens of words)"] if summary.not_spun is not None else []),
        "# weight = estimated P(spun | original) in those texts: occurrences restored to the original /",
        "#          (restored + the original's plain uses + 1), from 0.05 to 1",
        "# Format: spun<TAB>original<TAB>weight (wordlists/README.md). Review before use: each row follows",
        "#   its evidence (score and margin in log10 odds over the corpus, gain and lift per occurrence).",
    ]
    rows = sorted(learned, key=lambda e: (sort_key(e.spun), e.original))
    body = []
    for e in rows:  # the evidence above each row, for the person who reviews it
        body += [f"# {e.spun} <- {e.original}: {e.occurrences} occurrences ({e.favoured} prefer the original), "
                 f"score {e.score:+.1f}, margin {e.margin:+.1f}, mean gain {e.gain:+.2f}, lift {e.lift:+.2f}",
                 format_row(Entry(e.spun, e.original, e.weight))]
    return "\n".join(header + body) + "\n"


def spun_files(paths: Sequence[str]) -> list[str]:
    """The files named, and every ``*.txt`` under the folders named (sorted); raises on a missing path."""
    from pathlib import Path

    from .textio import InputError

    found: list[str] = []
    for name in paths:
        if os.path.isdir(name):
            found += sorted(str(p) for p in Path(name).rglob("*.txt") if p.is_file() and not p.name.startswith("."))
        elif os.path.exists(name) or name == "-":
            found.append(name)
        else:
            raise InputError(f"{name}: no such file or folder")
    return found


def profile_path(table: str) -> str:
    """Where a learned profile is kept for ``batch --adapt``: the cache, named by its content.

    The path goes into the batch settings key, the content into the tables
    digest: a re-run over the same inputs learns the same profile, finds the
    same path and resumes; changed inputs give a new profile, and every file is
    redone, so an output folder never mixes profiles.
    """
    import hashlib

    from .tables import _cache_path
    from .textio import atomic_write

    digest = hashlib.sha256(table.encode("utf-8")).hexdigest()[:16]
    path = _cache_path("x").with_name(f"profile-{digest}.tsv")
    if not path.is_file():
        os.makedirs(path.parent, exist_ok=True)
        atomic_write(path, table)
    return str(path)


def learn_unsupervised(
    texts: Sequence[str], options: Options | None = None, tables: Tables | None = None,
    source: CandidateSource | None = None,
) -> tuple[list[Learned], Summary]:
    """Learn a profile from spun texts alone: :func:`respin.decipher.learn_channel` with respin's channel.

    Rows the tables already have, rows that would chain with them (an
    original the tables list as a spun form, a spun form they list as an
    original) and protected spun words are left out; and all rows are when
    so few swaps were confident that the texts do not look spun
    (``decipher.looks_spun``).
    """
    from .decipher import Options, learn_channel, looks_spun
    from .lm import load_scorer
    from .tables import load_tables
    from .thesaurus import BroadCandidates

    tables = load_tables() if tables is None else tables
    scorer = load_scorer()
    options = options or Options()
    source = BroadCandidates(tables, scorer) if source is None else source  # any thesaurus.CandidateSource
    learned, summary = learn_channel(texts, source, scorer, options)
    known = {(words[0], entry.original.lower()) for phrases in tables.index.values()
             for words, entries in phrases if len(words) == 1 for entry in entries}
    protected = {phrase[0] for phrases in tables.protected.values() for phrase in phrases if len(phrase) == 1}
    spun_words = {words[0].lower() for phrases in tables.index.values() for words, entries in phrases
                  if len(words) == 1 and any(not entry.keeps for entry in entries)}
    kept = [e for e in learned
            if (e.spun, e.original) not in known and e.original not in spun_words and e.spun not in tables.originals
            and e.spun not in protected]
    if not looks_spun(len(learned), summary.words):
        summary.not_spun = len(learned)
        kept = []
    return kept, summary


def adapted_profile(paths: Sequence[str], tables: Sequence[str] = (), builtin_tables: bool = True) -> tuple[str, int, Summary]:
    """Learn a profile from the spun files at ``paths`` (``batch --adapt``): its path, entries and summary.

    Files that cannot be read are left out (the batch reports them when
    their turn comes); only the first ``ADAPT_MAX_CHARS`` of text are read.
    """
    from .decipher import Options
    from .tables import load_tables
    from .textio import InputError, read_text

    texts, size = [], 0
    for path in paths:
        if size >= ADAPT_MAX_CHARS:
            break
        try:
            texts.append(read_text(path))
        except (InputError, OSError):
            continue
        size += len(texts[-1])
    learned, summary = learn_unsupervised(texts, tables=load_tables(tuple(os.path.abspath(t) for t in tables),
                                                                    builtin_tables))
    return profile_path(render_profile(learned, summary, Options())), len(learned), summary


def profile_configs(config: Config, paths: Sequence[str]) -> dict[str, Config]:
    """The built-in tables and each profile, as the configurations that restore with it alone.

    Each profile is loaded here, so a bad table fails before any verdict.
    """
    from .tables import load_tables

    configs = {BUILTIN_PROFILE: config.with_(tables=(), builtin_tables=True)}
    for path in paths:
        load_tables((os.path.abspath(path),), False)
        configs[path] = config.with_(tables=(os.path.abspath(path),), builtin_tables=False)
    return configs


def match_profiles(text: str, profiles: dict[str, Config], references: Sequence[str] = ()) -> list[tuple[str, float]]:
    """Each profile's spin density on ``text`` (restored alone with it), best first.

    ``profiles`` maps a name to the :class:`~respin.config.Config` that
    restores with that profile only. A spinner's own profile explains the
    most of its text: the highest density is the best match.
    """
    from .pipeline import fix

    densities = [(name, float(fix(text, references, config, near_misses=False).stats["density"]))
                 for name, config in profiles.items()]
    return sorted(densities, key=lambda item: -item[1])


def render_profiles(densities: list[tuple[str, float]]) -> str:
    """The ``profile:`` line of ``respin check``."""
    best, density = densities[0]
    others = ", ".join(f"{name} {d:.1f}" for name, d in densities[1:])
    return f"  profile: {best} (density {density:.1f}" + (f"; {others}" if others else "") + ")\n"


def profiles_json(densities: list[tuple[str, float]]) -> dict:
    return {"best": densities[0][0], "densities": {name: round(d, 2) for name, d in densities}}
