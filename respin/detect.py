"""``respin check``: is this document spun?

The verdict reads what a restoration already measured: the engine's spin
density (restorations that win on their own, per 1,000 words) and the fixes
it applied. Spinning is dense *and* varied — a spinner swaps dozens of
different words — while the other damage a text can carry is not: a clean
article that says "mentioned" twice, a typo, or a clumsy machine
translation yields at most a few confident restorations of one or two
phrases. So "spun" needs both a high density and several distinct, strongly
restored phrases; a lone glaring phrase ("Secretary-Common") only makes a
document "uncertain".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import DEFAULT, Config
from .records import Fix, Result

# Verdict cut-offs on the engine's spin density (confident restorations per
# 1,000 words, smoothed toward clean for short texts), calibrated on the five
# seeds and tests/data/clean/*.txt with the v1 tables (~1,700 rows) and
# again at ~2,400 rows: spun seeds measure 76-123, short spun snippets
# (tests/data/learn) 22-27, clean prose 0-7.3 (9.2 with the opt-in WordNet
# table), typos 0, the machine-translated seed 1.2 and the clean reference
# 0. Both cut-offs sit in the gap with room for the tables and the
# scoring to move: "spun" is over twice the densest clean text and under a
# third of the sparsest spun seed; clean text may grow ~60% before it even
# reads as "uncertain".
SPUN_VERDICT_DENSITY = 20.0  # at or above this (with enough distinct phrases): spun
CLEAN_VERDICT_DENSITY = 15.0  # below this (and nothing glaring): clean; between: uncertain
# A spinner swaps many different words; repeats of one phrase ("mentioned",
# "mentioned", ...) are what a clean article using that word looks like.
# Only phrases restored with a score of at least STRONG_SCORE count: the
# spun seeds show 57-102 such phrases, short spun snippets 4-5, and clean
# paragraphs crammed with "mentioned", "safety", "navy", "officers" and
# "however" used correctly show none (their few fixes score 1.1-1.6).
MIN_SPUN_PHRASES = 3
STRONG_SCORE = 2.0
# A single restoration this strong in an otherwise clean text is worth a
# human look, but is not proof of spinning: "Secretary-Common" planted in
# each clean file scores 5.5-6.5, while the few fixes clean prose gets on
# its own ("mentioned" -> "said") score under 1.5.
GLARING_SCORE = 4.0
# How many spun phrases to show as evidence.
TOP_PHRASES = 5

SPUN, CLEAN, UNCERTAIN = "spun", "clean", "uncertain"


@dataclass(frozen=True)
class Cutoffs:
    """Where the verdicts change; the defaults are the calibrated constants."""

    spun_density: float = SPUN_VERDICT_DENSITY
    clean_density: float = CLEAN_VERDICT_DENSITY
    min_phrases: int = MIN_SPUN_PHRASES
    strong_score: float = STRONG_SCORE
    glaring_score: float = GLARING_SCORE


DEFAULT_CUTOFFS = Cutoffs()


@dataclass(frozen=True)
class Phrase:
    """One distinct spun phrase and its restoration, over all its occurrences."""

    before: str
    after: str
    score: float  # the best score among its occurrences
    count: int
    start: int  # offset of the first occurrence in the input
    end: int

    def to_dict(self) -> dict:
        return {"before": self.before, "after": self.after, "score": round(self.score, 3),
                "count": self.count, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Verdict:
    """What ``respin check`` says about one document."""

    label: str  # "spun", "clean" or "uncertain"
    reason: str
    density: float  # confident restorations per 1,000 words (smoothed)
    confident: int
    words: int
    fixes: int  # applied fixes
    phrases: int  # distinct spun phrases among them
    strong: int  # of which restored with at least the strong score
    evidence: tuple[Phrase, ...]  # the strongest phrases, best first

    @property
    def spun(self) -> bool:
        return self.label == SPUN

    def to_dict(self) -> dict:
        return {"verdict": self.label, "reason": self.reason, "density": round(self.density, 2),
                "confident": self.confident, "words": self.words, "fixes": self.fixes,
                "phrases": self.phrases, "strong": self.strong, "evidence": [p.to_dict() for p in self.evidence]}


def spun_phrases(fixes: tuple[Fix, ...] | list[Fix]) -> list[Phrase]:
    """Group fixes by (spun, restored) phrase, case-insensitively; strongest first."""
    groups: dict[tuple[str, str], list[Fix]] = {}
    for fix in fixes:
        groups.setdefault((fix.before.casefold(), fix.after.casefold()), []).append(fix)
    phrases = []
    for group in groups.values():
        best = max(group, key=lambda f: f.score)
        first = min(group, key=lambda f: f.start)
        phrases.append(Phrase(best.before, best.after, best.score, len(group), first.start, first.end))
    phrases.sort(key=lambda p: (-p.score, p.start))
    return phrases


def document_density(result: Result) -> tuple[float, int]:
    """The engine's spin density and confident count; estimated from the fixes if absent."""
    if "density" in result.stats:
        return float(result.stats["density"]), int(result.stats.get("confident", 0))
    from .decide import spin_density  # only for a Result built without stats

    return spin_density(len(result.fixes), result.words), len(result.fixes)


def assess(result: Result, cutoffs: Cutoffs = DEFAULT_CUTOFFS, top: int = TOP_PHRASES) -> Verdict:
    """Decide whether the document behind ``result`` is spun, clean or uncertain."""
    density, confident = document_density(result)
    phrases = spun_phrases(result.fixes)
    strong = sum(p.score >= cutoffs.strong_score for p in phrases)
    label, reason = _classify(density, phrases, strong, cutoffs)
    return Verdict(label, reason, density, confident, result.words, len(result.fixes), len(phrases), strong,
                   tuple(phrases[:max(top, 0)]))


def check(
    text: str, references: Sequence[str] = (), config: Config = DEFAULT, cutoffs: Cutoffs = DEFAULT_CUTOFFS
) -> Verdict:
    """Whether ``text`` is spun, clean or uncertain, with the evidence: ``respin check`` as a function.

    ``references`` and ``config`` are those of :func:`respin.fix`.
    """
    from .pipeline import fix

    return assess(fix(text, references, config, near_misses=False), cutoffs)


def _classify(density: float, phrases: list[Phrase], strong: int, cutoffs: Cutoffs) -> tuple[str, str]:
    at = f"density {density:.1f}"
    if density >= cutoffs.spun_density:
        strongly = f"distinct spun phrases scoring ≥ {cutoffs.strong_score:g}"
        if strong >= cutoffs.min_phrases:
            return SPUN, f"{at} ≥ {cutoffs.spun_density:g} with {strong} {strongly}"
        return UNCERTAIN, f"{at} ≥ {cutoffs.spun_density:g} but only {strong} {strongly}"
    if density >= cutoffs.clean_density:
        return UNCERTAIN, f"{at} between {cutoffs.clean_density:g} and {cutoffs.spun_density:g}"
    if phrases and phrases[0].score >= cutoffs.glaring_score:
        p = phrases[0]
        return UNCERTAIN, f"{at} < {cutoffs.clean_density:g}, but {p.before!r} → {p.after!r} scores {p.score:+.1f}"
    return CLEAN, f"{at} < {cutoffs.clean_density:g}"


# --- command line -----------------------------------------------------------


def render_text(name: str, verdict: Verdict, color: bool = False) -> str:
    """A headline per document, then its strongest spun phrases."""
    label = verdict.label.upper()
    if color:
        import click  # only to colour a terminal's verdict

        label = click.style(label, fg={SPUN: "red", UNCERTAIN: "yellow", CLEAN: "green"}[verdict.label], bold=True)
    counts = ", ".join(_plural(n, unit) for n, unit in
                       ((verdict.fixes, "fix"), (verdict.phrases, "distinct phrase"), (verdict.words, "word")))
    lines = [
        f"{name}: {label} — density {verdict.density:.1f} per 1,000 words ({counts})",
        f"  why: {verdict.reason}",
    ]
    for p in verdict.evidence:
        times = f"  ×{p.count}" if p.count > 1 else ""
        lines.append(f"  {p.score:+6.2f}  {p.before} → {p.after}{times}")
    return "\n".join(lines) + "\n"


def _plural(count: int, unit: str) -> str:
    suffix = "" if count == 1 else ("es" if unit.endswith("x") else "s")
    return f"{count:,} {unit}{suffix}"


def render_summary(verdicts: list[Verdict], failed: int = 0) -> str:
    counts = {label: sum(v.label == label for v in verdicts) for label in (SPUN, UNCERTAIN, CLEAN)}
    errors = f", {failed} failed" if failed else ""
    return (f"{len(verdicts) + failed} documents: {counts[SPUN]} spun, {counts[UNCERTAIN]} uncertain, "
            f"{counts[CLEAN]} clean{errors}\n")
