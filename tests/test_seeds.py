"""Acceptance on the seed articles: the spinner's signature swaps come back, clean text stays clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DATA, REFERENCE_SEED, SPUN_SEEDS, TRANSLATED_SEED, read_seed

import respin

# (spun, original) pairs that must be restored somewhere in seeds 000/001/003.
REQUIRED = [
    ("mentioned", "said"),
    ("safety", "security"),
    ("assembly", "meeting"),
    ("calls for", "demands"),
    ("officers", "officials"),
    ("secretary-common", "secretary-general"),
    ("information convention", "news conference"),
    ("jap europe", "eastern europe"),
    ("japanese europe", "eastern europe"),
    ("navy", "military"),
    ("army", "military"),
    ("international minister", "foreign minister"),
    ("however", "but"),
]


@pytest.fixture(scope="module")
def seed_fixes():
    pairs = set()
    for seed in SPUN_SEEDS:
        for fix in respin.fix(read_seed(seed)).fixes:
            pairs.add((fix.before.lower(), fix.after.lower()))
    return pairs


@pytest.mark.parametrize("spun, original", REQUIRED)
def test_signature_swaps_are_restored(seed_fixes, spun, original):
    assert any(before.endswith(spun) and after.endswith(original) for before, after in seed_fixes), (spun, original)


def changes_per_1000_words(text: str, references=()) -> float:
    result = respin.fix(text, references)
    return 1000 * len(result.fixes) / max(result.words, 1)


def test_the_clean_reference_article_stays_clean():
    assert changes_per_1000_words(read_seed(REFERENCE_SEED)) <= 1.0


def test_machine_translation_is_not_mistaken_for_spin():
    assert changes_per_1000_words(read_seed(TRANSLATED_SEED)) <= 5.0


@pytest.mark.parametrize("path", sorted((DATA / "clean").glob("*.txt")), ids=lambda p: p.name)
def test_clean_prose_with_genuine_uses_stays_byte_identical_or_nearly(path: Path):
    text = path.read_bytes().decode("utf-8")
    result = respin.fix(text)
    assert len(result.fixes) <= 1, [(f.before, f.after, round(f.score, 2)) for f in result.fixes]


def test_reference_brings_shared_paragraphs_closer():
    """001 shares paragraphs with the clean AP article 002: with it as reference they come back closer."""
    spun = read_seed(SPUN_SEEDS[1])
    restored = (DATA / "restored" / f"{SPUN_SEEDS[1]}.txt").read_bytes().decode("utf-8")
    plain = respin.fix(spun).text
    referenced = respin.fix(spun, [read_seed(REFERENCE_SEED)]).text
    assert _word_errors(referenced, restored) < _word_errors(plain, restored) < _word_errors(spun, restored)


def _word_errors(hypothesis: str, truth: str) -> int:
    import difflib

    a, b = truth.split(), hypothesis.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


@pytest.mark.parametrize("seed", SPUN_SEEDS)
@pytest.mark.parametrize("with_reference", [False, True], ids=["alone", "reference"])
def test_the_terms_of_every_fix_add_up_to_its_score(seed, with_reference):
    from respin.records import Fix
    from respin.terminal import term_reasons

    references = [read_seed(REFERENCE_SEED)] if with_reference else []
    result = respin.fix(read_seed(seed), references)
    fixes = result.fixes + result.rejected
    assert fixes
    names = set()
    for fix in fixes:
        assert sum(term.value for term in fix.terms) == pytest.approx(fix.score, abs=1e-9), fix
        assert {t.name: t.value for t in fix.terms}["lm"] == fix.lm
        origin = fix.entry if fix.entry.startswith("reference alignment") else f"table {fix.entry}"
        assert fix.evidence == term_reasons(fix.terms) and fix.evidence[0].startswith(f"{origin}:")
        record = fix.to_dict()
        assert abs(sum(t["value"] for t in record["terms"]) - record["score"]) <= 0.0005 * (len(fix.terms) + 1)
        again = Fix.from_dict(record).to_dict()  # the JSON record reads back as written (its prose from rounded terms)
        assert {**again, "evidence": record["evidence"]} == record and len(again["evidence"]) == len(fix.evidence)
        names |= {t.name for t in fix.terms if t.value}
    assert {"channel", "lm", "prior", "consistency"} <= names
    if with_reference:
        assert "reference" in names
