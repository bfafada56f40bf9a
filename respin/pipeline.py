"""The pure core: text in, restored text and its fixes out.

tokenize → find candidates → score → decide → render. The CLI, batch and
review layers all call :func:`fix`; none of them touches a stage directly.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from .candidates import find_candidates
from .config import DEFAULT, Config
from .decide import best_singles, confident_slots, decide, log_prior, spin_density
from .lm import Scorer, load_scorer
from .records import Result
from .render import apply_fixes
from .score import score_candidates
from .tables import Tables, load_tables
from .tokens import tokenize


class Engine(NamedTuple):
    """What a restoration needs loaded: the tables and the language model.

    The model is loaded on first use, so a text with no candidates (most
    clean text piped through respin) never pays for it.
    """

    tables: Tables
    lm_path: str | None = None

    @property
    def scorer(self) -> Scorer:
        return load_scorer(self.lm_path)


def load_engine(config: Config = DEFAULT) -> Engine:
    """The tables (loaded once per process, again when a file changes) and the model's path."""
    return Engine(load_tables(tuple(config.tables), config.builtin_tables), config.lm_path)


@lru_cache(maxsize=4)
def _reference(texts: tuple[str, ...]):
    from .reference import build_reference  # only runs that have references pay for rapidfuzz

    return build_reference(texts)


def fix(text: str, references: Sequence[str] = (), config: Config = DEFAULT) -> Result:
    """Restore a spun text.

    ``references`` are clean articles on the same story (their text, not
    paths). Returns a :class:`~respin.records.Result` with the restored text,
    the applied fixes (offsets into ``text``) and the near misses it kept.
    """
    # The stages build many small, acyclic objects: the cyclic garbage
    # collector finds nothing to free and costs a quarter of the run time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _fix(text, references, config)
    finally:
        if collecting:
            gc.enable()


def _fix(text: str, references: Sequence[str], config: Config) -> Result:
    engine = load_engine(config)
    tokens = tokenize(text)
    candidates = find_candidates(text, tokens, engine.tables)
    reference = _reference(tuple(references)) if references else None
    clusters = score_candidates(tokens, candidates, engine.scorer, reference) if candidates else []
    singles = best_singles(clusters)
    confident = confident_slots(singles)
    density = spin_density(confident, len(tokens))
    prior = config.spin_prior if config.spin_prior is not None else log_prior(density)
    applied, rejected = decide(text, tokens, clusters, singles, prior, config.threshold)
    return Result(
        source=text,
        text=apply_fixes(text, applied),
        fixes=tuple(applied),
        rejected=tuple(rejected),
        words=len(tokens),
        stats={"candidates": len(candidates), "confident": confident, "density": density, "prior": prior},
    )


def fix_text(text: str, references: Sequence[str] = (), config: Config = DEFAULT) -> str:
    """Just the restored text."""
    return fix(text, references, config).text
