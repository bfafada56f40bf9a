"""The pure core: text in, restored text and its fixes out.

tokenize → find candidates → score → decide → render. The CLI, batch and
review layers all call :func:`fix`; none of them touches a stage directly.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .candidates import find_candidates
from .config import DEFAULT, Config
from .decide import (
    Setting,
    Tally,
    best_singles,
    decide,
    document_setting,
    log_prior,
    spin_density,
    tally,
)
from .lm import Scorer, load_scorer
from .markup import article_clashes, prose_view
from .records import Result, Token
from .render import apply_fixes
from .score import Cluster, score_candidates
from .tables import Tables, load_tables

if TYPE_CHECKING:
    from .channel import BroadChannel
from .tokens import sentence_starts, tokenize

# Below this many characters a text is restored in one process whatever
# ``jobs`` says: starting workers costs more than it saves.
PARALLEL_MIN_CHARS = 256_000


class Engine(NamedTuple):
    """What a restoration needs loaded: the tables and the language model.

    The model is loaded on first use, so a text with no candidates (most
    clean text piped through respin) never pays for it.
    """

    tables: Tables
    lm_path: str | None = None
    channel: BroadChannel | None = None  # the broad second tier, when Config.channel is "broad"

    @property
    def scorer(self) -> Scorer:
        return load_scorer(self.lm_path)

    @property
    def digest(self) -> str:
        """A key of the content of every table in use (batch settings)."""
        return self.tables.digest + (self.channel.digest() if self.channel is not None else "")


def load_engine(config: Config = DEFAULT) -> Engine:
    """The tables (loaded once per process, again when a file changes) and the model's path."""
    channel = None
    if config.channel == "broad":
        from .channel import load_channel  # mapped, not loaded: curated-only runs never see it

        channel = load_channel()
    elif config.channel != "curated":
        raise ValueError(f"unknown channel {config.channel!r} (expected curated or broad)")
    return Engine(load_tables(tuple(config.tables), config.builtin_tables), config.lm_path, channel)


@lru_cache(maxsize=4)
def _reference(texts: tuple[str, ...]):
    from .reference import build_reference  # only runs that have references pay for rapidfuzz

    return build_reference(texts)


def fix(
    text: str, references: Sequence[str] = (), config: Config = DEFAULT, jobs: int = 1, near_misses: bool = True
) -> Result:
    """Restore a spun text.

    ``references`` are clean articles on the same story (their text, not
    paths). Returns a :class:`~respin.records.Result` with the restored text,
    the applied fixes (offsets into ``text``) and the near misses it kept
    (``Result.rejected``; skipped with ``near_misses=False``, which only
    saves time). With ``jobs`` > 1 a long text (``PARALLEL_MIN_CHARS`` and
    more) is analysed in that many worker processes; the result is the same.
    ``config.markup`` says what the text is ("text", "html", "markdown"):
    only its prose is restored; markup, code, URLs and e-mail addresses
    are left byte for byte and do not count as words.
    """
    check_arguments(text, references, config)
    # The stages build many small, acyclic objects: the cyclic garbage
    # collector finds nothing to free and costs a quarter of the run time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        engine = load_engine(config)
        reference = _reference(tuple(references)) if references else None
        source, text = text, prose_view(text, config.markup)  # same length: offsets into one are offsets into both
        pieces = split_text(text, jobs) if jobs > 1 and len(text) >= PARALLEL_MIN_CHARS else [(0, text)]
        if len(pieces) > 1:
            from .parallel import fix_in_parallel  # only long texts with jobs > 1 start processes

            applied, rejected, evidence = fix_in_parallel(
                pieces, lambda piece, offset: analyse(piece, offset, engine, reference),
                lambda tally: settle(tally, config), near_misses,
            )
        else:
            analysis = analyse(text, 0, engine, reference)
            evidence = analysis.tally
            applied, rejected = decide(text, analysis.tokens, analysis.clusters, settle(evidence, config), near_misses)
        if text is not source:  # a fix only ever spans prose, which the view shows as it is
            applied = [f for f in applied if source.startswith(f.before, f.start) and not article_clashes(text, f)]
            rejected = [f for f in rejected if source.startswith(f.before, f.start)]
    finally:
        if collecting:
            gc.enable()
    return Result(
        source=source,
        text=apply_fixes(source, applied),
        fixes=tuple(applied),
        rejected=tuple(rejected),
        words=evidence.words,
        stats={
            "candidates": evidence.candidates,
            "confident": evidence.confident,
            "density": spin_density(evidence.confident, evidence.words),
            "prior": document_prior(evidence, config),
        },
    )


def check_arguments(text: str, references: Sequence[str], config: Config) -> None:
    """Refuse arguments of the wrong kind with a message that says what to pass instead."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__} (decode bytes first)")
    if isinstance(references, (str, bytes)):
        raise TypeError("references must be a sequence of texts, not one string: write references=[text]")
    if not all(isinstance(reference, str) for reference in references):
        raise TypeError("references must be texts (str), not paths or bytes: read the files first")
    if not isinstance(config, Config):
        raise TypeError(f"config must be a respin.Config, not {type(config).__name__}")
    config.validate()


class Analysis(NamedTuple):
    """Stages 1–3 over one stretch of text, and its document-level tally."""

    tokens: list[Token]
    clusters: list[Cluster]
    tally: Tally


def analyse(text: str, offset: int, engine: Engine, reference) -> Analysis:
    """Tokenize, find candidates and score one stretch that starts at ``offset`` in the document."""
    tokens = tokenize(text)
    candidates = find_candidates(text, tokens, engine.tables, engine.channel)
    if reference is not None:
        from .reference import with_reference_candidates

        candidates = with_reference_candidates(text, tokens, candidates, reference, engine.tables)
    clusters = score_candidates(tokens, candidates, engine.scorer, reference) if candidates else []
    counted = engine.tables if engine.channel is None else engine.channel.counting_tables(engine.tables)
    return Analysis(tokens, clusters, tally(tokens, clusters, best_singles(clusters), counted, offset))


def settle(evidence: Tally, config: Config) -> Setting:
    """The setting every stretch of a document is decided under, from its merged tally."""
    return document_setting(evidence, document_prior(evidence, config), config.threshold)


def document_prior(evidence: Tally, config: Config) -> float:
    """The configured prior, or the one the document's density implies."""
    if config.spin_prior is not None:
        return config.spin_prior
    return log_prior(spin_density(evidence.confident, evidence.words))


def _sentence_line_start_after(text: str, position: int) -> int | None:
    """The first offset at or after ``position`` where a sentence starts a line."""
    # The sentence rules look a word and some white space around a break, so
    # a window with margins on both sides decides as the whole text would.
    window, margin = 4096, 256
    while position < len(text):
        start = max(0, position - margin)
        chunk = text[start : position + window + margin]
        limit = len(chunk) if start + len(chunk) == len(text) else len(chunk) - margin
        for found in sentence_starts(chunk):
            at = start + found
            if at >= position and found < limit and text[at - 1] == "\n":
                return at
        position += window
    return None


def split_text(text: str, parts: int) -> list[tuple[int, str]]:
    """Cut ``text`` into about ``parts`` stretches at line breaks that start a sentence.

    Nothing the stages look at crosses such a cut (phrases, clusters, a/an
    and counts stay inside a sentence), so the stretches can be analysed
    apart and give the decisions the text gives whole.
    """
    cuts = [0]
    for k in range(1, parts):
        cut = _sentence_line_start_after(text, max(len(text) * k // parts, cuts[-1] + 1))
        if cut is not None:
            cuts.append(cut)
    cuts.append(len(text))
    return [(a, text[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def fix_text(text: str, references: Sequence[str] = (), config: Config = DEFAULT) -> str:
    """Just the restored text."""
    return fix(text, references, config).text
