"""The pure core: text in, restored text and its fixes out.

tokenize → find candidates → score → decide → render. The CLI, batch and
review layers all call :func:`fix` (or :func:`fix_stream`, for one input of
any size in flat memory); none of them touches a stage directly.
"""

from __future__ import annotations

import gc
import itertools
import pickle
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

from .candidates import find_candidates
from .config import DEFAULT, Config
from .decide import (
    Setting,
    Tally,
    article_tokens,
    best_singles,
    decide,
    document_setting,
    log_prior,
    merge_tallies,
    spin_density,
    tally,
)
from .lm import Scorer, load_scorer
from .markup import FILLER, article_clashes, prose_view
from .records import Fix, Result, Token
from .render import apply_fixes
from .score import Cluster, score_candidates
from .tables import Tables, load_tables
from .tokens import sentence_starts, tokenize

if TYPE_CHECKING:
    from .channel import BroadChannel

# Below this many characters a text is restored in one process whatever
# ``jobs`` says: starting workers costs more than it saves.
PARALLEL_MIN_CHARS = 256_000
# A longer text is analysed and decided this many characters at a time
# (up to the next sentence that starts a line), its analyses spilled to a
# temp file between the two passes: memory stays flat however long it is.
STRETCH_CHARS = 256_000
# ... and keeps the analyses of this many characters in memory between the
# passes (about 60 MB, shared among the worker processes), spilling the rest.
KEPT_CHARS = 1_000_000


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
    saves time). A long text is restored stretch by stretch (see
    :func:`restore_stretches`); with ``jobs`` > 1 a text of
    ``PARALLEL_MIN_CHARS`` and more in that many worker processes. The
    result is always the same.
    """
    check_arguments(text, references, config)
    engine = load_engine(config)
    reference = _reference(tuple(references)) if references else None
    workers = jobs if jobs > 1 and len(text) >= PARALLEL_MIN_CHARS else 1
    size = min(STRETCH_CHARS, -(-len(text) // workers))  # a stretch per worker at least
    # The engine reads a same-length view in which URLs, e-mail addresses
    # and markup are fillers, so a fix's offsets are offsets into the input.
    view = prose_view(text, config.markup)
    pieces: list[str] = []
    applied, rejected, evidence = restore_stretches(
        cut_stretches([view], size), engine, reference, config, pieces.append, workers, near_misses
    )
    if view is text:
        restored = "".join(pieces)
    else:  # a fix only ever spans prose, which the view shows as it is
        applied = [f for f in applied if text.startswith(f.before, f.start) and not article_clashes(view, f)]
        rejected = [f for f in rejected if text.startswith(f.before, f.start)]
        restored = apply_fixes(text, applied)
    return Result(
        source=text,
        text=restored,
        fixes=tuple(applied),
        rejected=tuple(rejected),
        words=evidence.words,
        stats=document_stats(evidence, config),
    )


def fix_stream(
    chunks: Iterable[str],
    write: Callable[[str], object],
    references: Sequence[str] = (),
    config: Config = DEFAULT,
    jobs: int = 1,
    size_hint: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> Restoration:
    """Restore a text read a piece at a time (see ``textio.read_chunks``), in flat memory.

    ``write`` gets the restored text, stretch by stretch, once the whole
    input has been read and analysed: what :func:`fix` gives as
    ``Result.text``. Fix records are not kept; the returned ``applied`` is
    empty exactly when nothing changed. ``size_hint`` (the input's size,
    when known) spreads a text over ``jobs`` workers evenly.
    """
    if config.markup not in ("text", "auto"):
        raise ValueError(f"fix_stream restores plain text; use fix() for {config.markup}")
    check_arguments("", references, config)
    engine = load_engine(config)
    reference = _reference(tuple(references)) if references else None
    workers = jobs if size_hint is None or size_hint >= PARALLEL_MIN_CHARS else 1
    size = STRETCH_CHARS if size_hint is None else max(1, min(STRETCH_CHARS, -(-size_hint // workers)))
    # URLs and e-mail addresses are masked stretch by stretch (neither spans a
    # line break); only what the masks hid is kept until the stretch is written.
    hidden: deque[list[str] | None] = deque()

    def views() -> Iterator[str]:
        for stretch in cut_stretches(chunks, size):
            view = prose_view(stretch, "text")
            hidden.append(None if view is stretch else _masked_runs(stretch, view))
            yield view

    def unmask_and_write(restored: str) -> None:
        runs = hidden.popleft()
        write(restored if runs is None else _FILLER_RUN.sub(lambda _: runs.pop(), restored))

    return restore_stretches(
        views(), engine, reference, config, unmask_and_write, workers,
        near_misses=False, keep_fixes=False, progress=progress,
    )


_FILLER_RUN = re.compile(f"{FILLER}+")


def _masked_runs(source: str, view: str) -> list[str]:
    """What each run of fillers in ``view`` hides in ``source``, last first (to be popped in order).

    A restoration never touches a filler, so the restored view has the same
    runs in the same order.
    """
    return [source[m.start() : m.end()] for m in _FILLER_RUN.finditer(view)][::-1]


def document_stats(evidence: Tally, config: Config) -> dict:
    """``Result.stats``: the document-level numbers behind its decisions."""
    return {
        "candidates": evidence.candidates,
        "confident": evidence.confident,
        "density": spin_density(evidence.confident, evidence.words),
        "prior": document_prior(evidence, config),
    }


class Restoration(NamedTuple):
    """What :func:`restore_stretches` found: fixes in document offsets, and the document's tally."""

    applied: list[Fix]
    rejected: list[Fix]
    evidence: Tally


def restore_stretches(
    stretches: Iterable[str],
    engine: Engine,
    reference,
    config: Config,
    write: Callable[[str], object],
    jobs: int = 1,
    near_misses: bool = True,
    keep_fixes: bool = True,
    progress: Callable[[int], object] | None = None,
) -> Restoration:
    """Restore a document given as consecutive stretches, in memory that does not grow with it.

    The stretches must be cut where a sentence starts a line (as
    :func:`cut_stretches` cuts): nothing the stages look at crosses such a
    cut (phrases, clusters, a/an and counts stay inside a sentence). Two
    passes: the first analyses each stretch (stages 1–3), keeps its
    :class:`~respin.decide.Tally` — two numbers per candidate — and spills
    the stretch with its scored clusters to a temp file; the merged tally
    gives the document's setting; the second reads each stretch back,
    decides it and passes its restored text to ``write``, in order. The
    decisions are those of the text in one piece. With ``jobs`` > 1 each
    pass runs in worker processes. ``keep_fixes=False`` keeps no fix
    records (for a caller that only writes the text; ``applied`` then holds
    only the fixes of the first stretch that has any, to tell whether
    anything changed); ``progress``
    gets the characters of each stretch as each pass finishes it.
    """
    # The stages build many small, acyclic objects: the cyclic garbage
    # collector finds nothing to free and costs a quarter of the run time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        stretches = iter(stretches)
        first = next(stretches, "")
        second = next(stretches, None)
        if second is None:  # one stretch: nothing to spill
            return _restore_whole(first, engine, reference, config, write, near_misses, keep_fixes, progress)
        return _restore_in_two_passes(
            chain([first, second], stretches), engine, reference, config, write, jobs, near_misses, keep_fixes, progress
        )
    finally:
        if collecting:
            gc.enable()


def _restore_whole(text, engine, reference, config, write, near_misses, keep_fixes, progress) -> Restoration:
    analysis = analyse(text, 0, engine, reference)
    evidence = analysis.tally
    setting = settle(evidence, config)
    applied, rejected = decide(text, analysis.tokens, analysis.clusters, setting, near_misses, explain=keep_fixes)
    if progress:
        progress(len(text))
    write(apply_fixes(text, applied))
    if progress:
        progress(len(text))
    return Restoration(applied, rejected, evidence)


def _restore_in_two_passes(
    stretches, engine, reference, config, write, jobs, near_misses, keep_fixes, progress
) -> Restoration:
    import tempfile

    from .parallel import ordered_map

    applied: list[Fix] = []
    rejected: list[Fix] = []
    run_id = next(_runs)
    # Each process keeps its share of KEPT_CHARS of analyses as they are
    # (pickling costs a fifth of the work); ordered_map sends stretch i to the
    # same process in both passes, so a kept analysis is decided where it is.
    state = (engine, reference, run_id, KEPT_CHARS // max(1, jobs))
    try:
        with tempfile.TemporaryFile(prefix="respin-") as spill, ordered_map(state, jobs) as run:
            spilled: list[int] = []  # per stretch: bytes of its spill, 0 when kept by its process

            def tallies() -> Iterator[Tally]:
                for length, part, data in run(_analyse_stretch, _with_margins(stretches)):
                    spill.write(data)
                    spilled.append(len(data))
                    if progress:
                        progress(length)
                    yield part

            evidence = merge_tallies(tallies())
            setting = settle(evidence, config)
            spill.seek(0)

            def decisions() -> Iterator[tuple[Setting, bool, bool, bytes]]:
                for size in spilled:
                    yield setting, near_misses, keep_fixes, spill.read(size)

            for length, text, part_applied, part_rejected in run(_decide_stretch, decisions()):
                write(text)
                if progress:
                    progress(length)
                if keep_fixes or not applied:
                    applied += part_applied
                rejected += part_rejected
    finally:
        _kept.pop(run_id, None)  # an error or Ctrl-C leaves nothing behind in this process
    return Restoration(applied, rejected, evidence)


_runs = itertools.count()
# Per run, the analyses this process kept for pass 2 (stretch order) and their characters.
_kept: dict[int, tuple[deque, list[int]]] = {}


# Characters of each neighbour a stretch is analysed with (then up to a space):
# the candidate stage reads a word and a few characters across a sentence
# end (a keep row's prev=, next=, before=, after=; a protected phrase), so a
# stretch's first and last candidates are found as in the whole text.
MARGIN_CHARS = 1024


def _with_margins(stretches: Iterable[str]) -> Iterator[tuple[int, str, int, int]]:
    """Each stretch as (document offset of its window, window, own start, own end) in its window.

    The window is the stretch with the end of the one before it and the
    start of the one after it, cut at white space.
    """
    offset = 0
    previous = ""
    stretches = iter(stretches)
    current = next(stretches, None)
    while current is not None:
        following = next(stretches, None)
        before = _tail(previous)
        after = _head(following or "")
        yield offset - len(before), before + current + after, len(before), len(before) + len(current)
        offset += len(current)
        previous, current = current, following


def _tail(text: str) -> str:
    start = max(0, len(text) - MARGIN_CHARS)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:]


def _head(text: str) -> str:
    end = min(len(text), MARGIN_CHARS)
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[:end]


def _analyse_stretch(state, item: tuple[int, str, int, int]) -> tuple[int, Tally, bytes]:
    """Pass 1 for one stretch: its length, its tally, and its analysis pickled, or b"" if kept here."""
    engine, reference, run_id, budget = state
    offset, text, start, end = item
    analysis = analyse(text, offset, engine, reference, own=(start, end))
    kept = (offset, text, start, end, article_tokens(analysis.tokens, analysis.clusters), analysis.clusters)
    here, used = _kept.setdefault(run_id, (deque(), [0]))
    if used[0] + len(text) <= budget:
        used[0] += len(text)
        here.append(kept)
        return end - start, analysis.tally, b""
    return end - start, analysis.tally, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)  # clusters pickle without scorer


def _decide_stretch(state, item: tuple[Setting, bool, bool, bytes]) -> tuple[int, str, list[Fix], list[Fix]]:
    """Pass 2 for one stretch: its length, restored text, and fixes in document offsets.

    Without ``keep_fixes`` only its first applied fix, if any: a worker's
    fix records cost more to send than to make.
    """
    engine, _, run_id, _ = state
    setting, near_misses, keep_fixes, data = item
    # Stretches reach a process in the same order in both passes: a kept one is the oldest kept.
    offset, text, start, end, articles, clusters = pickle.loads(data) if data else _kept[run_id][0].popleft()
    scorer = engine.scorer
    for cluster in clusters:
        cluster.attach(scorer)
    applied, rejected = decide(text, articles, clusters, setting._replace(offset=offset), near_misses, keep_fixes)
    restored = apply_fixes(text, applied)
    restored = restored[start : len(restored) - (len(text) - end)]  # the fixes are all in the stretch's own
    if not keep_fixes:
        return end - start, restored, [_shift(f, offset) for f in applied[:1]], []
    return end - start, restored, [_shift(f, offset) for f in applied], [_shift(f, offset) for f in rejected]


def _shift(fix: Fix, offset: int) -> Fix:
    return fix._replace(start=fix.start + offset, end=fix.end + offset) if offset else fix


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


def analyse(text: str, offset: int, engine: Engine, reference, own: tuple[int, int] | None = None) -> Analysis:
    """Tokenize, find candidates and score one stretch that starts at ``offset`` in the document.

    With ``own`` = (start, end), only ``text[start:end]`` is the stretch's
    own: the text around it is its neighbours' (see :func:`_with_margins`),
    read only as context, its candidates and words left to them.
    """
    tokens = tokenize(text)
    candidates = find_candidates(text, tokens, engine.tables, engine.channel)
    if reference is not None:
        from .reference import with_reference_candidates

        candidates = with_reference_candidates(text, tokens, candidates, reference, engine.tables)
    words = tokens
    if own is not None:
        start, end = own
        candidates = [c for c in candidates if start <= c.start and c.end <= end]
        words = [t for t in tokens if start <= t.start < end]
    clusters = score_candidates(tokens, candidates, engine.scorer, reference) if candidates else []
    counted = engine.tables if engine.channel is None else engine.channel.counting_tables(engine.tables)
    return Analysis(tokens, clusters, tally(words, clusters, best_singles(clusters), counted, offset))


def settle(evidence: Tally, config: Config) -> Setting:
    """The setting every stretch of a document is decided under, from its merged tally."""
    return document_setting(evidence, document_prior(evidence, config), config.threshold)


def document_prior(evidence: Tally, config: Config) -> float:
    """The configured prior, or the one the document's density implies."""
    if config.spin_prior is not None:
        return config.spin_prior
    return log_prior(spin_density(evidence.confident, evidence.words))


# The sentence rules look a word and some white space around a break, so
# a window with margins on both sides decides as the whole text would.
_CUT_WINDOW, _CUT_MARGIN = 4096, 256


def _sentence_line_start_after(text: str, position: int) -> int | None:
    """The first offset at or after ``position`` where a sentence starts a line."""
    window, margin = _CUT_WINDOW, _CUT_MARGIN
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


def cut_stretches(chunks: Iterable[str], size: int = STRETCH_CHARS) -> Iterator[str]:
    """The text made of ``chunks``, cut into stretches of about ``size`` characters or more.

    Each cut is where a sentence starts a line, found as in the whole text,
    so the stretches can be restored apart (see :func:`restore_stretches`).
    The chunks are read as the stretches are needed: a text on a stream is
    never held whole, unless no sentence in it starts a line. An empty text
    is one empty stretch.
    """
    buffer = ""
    search_from = size  # no cut before it can start a sentence that starts a line
    given = False
    chunks = iter(chunks)
    while True:
        chunk = next(chunks, None)
        if chunk is not None:
            buffer += chunk
        ended = chunk is None
        while len(buffer) > size:
            cut = _sentence_line_start_after(buffer, search_from)
            # Near the buffer's end the window would take it for the text's end.
            certain = ended or (cut is not None and cut + _CUT_WINDOW + 2 * _CUT_MARGIN < len(buffer))
            if cut is None or not certain:
                search_from = max(search_from, len(buffer) - _CUT_WINDOW - 2 * _CUT_MARGIN) if cut is None else cut
                break
            yield buffer[:cut]
            given = True
            buffer = buffer[cut:]
            search_from = size
        if ended:
            break
    if buffer or not given:
        yield buffer


def fix_text(text: str, references: Sequence[str] = (), config: Config = DEFAULT) -> str:
    """Just the restored text."""
    return fix(text, references, config).text
