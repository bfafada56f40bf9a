"""The core promises of fix(): byte-identity outside fixes, replayable fixes, idempotence."""

from __future__ import annotations

import pytest
from helpers import SPUN_SEEDS, read_seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import respin
from respin.render import apply_fixes

# Words from the mini table mixed into arbitrary Unicode, so the properties
# are exercised on text that really gets fixed, not only on text with no candidates.
SPUN_WORDS = ["mentioned", "Mentioned", "safety", "assembly", "calls for", "however", "officers",
              "Secretary-Common", "information convention", "a actual danger", "an assembly", "had been"]
texts = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(SPUN_WORDS), st.sampled_from([" ", ". ", "\n", "\r\n", "’"])),
                 max_size=40).map("".join)


def check_invariants(text: str, config) -> None:
    result = respin.fix(text, config=config)
    # The listed fixes applied to the input reproduce the output.
    assert apply_fixes(text, result.fixes) == result.text
    # Outside the fixed spans the output is the input, character for character.
    position = 0
    out = 0
    for fix in result.fixes:
        gap = text[position : fix.start]
        assert result.text[out : out + len(gap)] == gap
        assert text[fix.start : fix.end] == fix.before
        out += len(gap) + len(fix.after)
        position = fix.end
    assert result.text[out:] == text[position:]
    # Fixing twice changes nothing more.
    assert respin.fix(result.text, config=config).text == result.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_properties_on_arbitrary_unicode_with_spun_words(mini_config, text):
    check_invariants(text, mini_config)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_properties_with_builtin_tables(text):
    check_invariants(text, respin.Config())


def test_properties_on_the_seeds():
    for seed in SPUN_SEEDS:
        check_invariants(read_seed(seed), respin.Config())


def test_restores_in_context_and_keeps_case(mini_config):
    result = respin.fix("NATO officers mentioned the safety talks. Mentioned twice, however.", config=mini_config)
    assert "officials said the security talks" in result.text or "officials said" in result.text
    for fix in result.fixes:
        assert fix.after[:1].isupper() == fix.before[:1].isupper()


def test_article_is_repaired_with_the_word_after_it(mini_config):
    result = respin.fix("NATO officers mentioned that there is an assembly next week.", config=mini_config.with_(spin_prior=0.0))
    assert "a meeting" in result.text
    fix = next(f for f in result.fixes if f.after.endswith("meeting"))
    assert fix.before == "an assembly" and fix.after == "a meeting"


def test_a_wrong_article_is_evidence_of_spin(mini_config):
    config = mini_config.with_(spin_prior=-1.0)
    result = respin.fix("There is a actual danger of conflict.", config=config)
    assert "a real" in result.text


def test_names_keep_their_table_case(mini_config):
    result = respin.fix("NATO Secretary-Common Jens Stoltenberg told an information convention in Japanese Europe.",
                        config=mini_config)
    assert "Secretary-General" in result.text
    assert "news conference" in result.text
    assert "Eastern Europe" in result.text


def test_every_fix_carries_score_and_evidence(mini_config):
    result = respin.fix("NATO Secretary-Common Jens Stoltenberg mentioned the assembly.", config=mini_config)
    assert result.fixes
    for fix in result.fixes:
        assert fix.score >= mini_config.threshold
        assert fix.entry.startswith("mini.tsv:")
        assert any("language model" in e for e in fix.evidence)


def test_raising_the_threshold_only_removes_fixes(mini_config):
    text = read_seed(SPUN_SEEDS[0])
    low = respin.fix(text, config=mini_config.with_(threshold=0.5))
    high = respin.fix(text, config=mini_config.with_(threshold=3.0))
    assert {(f.start, f.after) for f in high.fixes} <= {(f.start, f.after) for f in low.fixes}
    assert len(high.fixes) < len(low.fixes)


def test_user_keep_row_vetoes_a_builtin_row(tmp_path, mini_config):
    veto = tmp_path / "veto.tsv"
    veto.write_text("mentioned\t-\t1.0\tprev=she\n", encoding="utf-8")
    config = mini_config.with_(tables=mini_config.tables + (str(veto),), spin_prior=0.0)
    result = respin.fix("She mentioned it. He mentioned it.", config=config)
    assert result.text.startswith("She mentioned it.")


def test_punctuation_context_keeps_a_genuine_however(tmp_path, mini_config):
    keep = tmp_path / "keep.tsv"
    keep.write_text("however\t-\t1.0\tafter=,\n", encoding="utf-8")
    config = mini_config.with_(tables=mini_config.tables + (str(keep),), spin_prior=0.0)
    text = "However, the talks went on. They talked for hours, however they left."
    result = respin.fix(text, config=config)
    assert result.text.startswith("However, the talks")
    assert [(f.before, f.after) for f in result.fixes] == [("however", "but")]


def test_protected_and_clean_text_is_left_alone():
    text = "The weather was fine and the match ended two-all.\n"
    assert respin.fix(text).text == text


def test_a_long_text_in_worker_processes_gives_the_same_result(monkeypatch):
    import respin.pipeline as pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 1000)
    text = "".join(read_seed(seed) for seed in (*SPUN_SEEDS, "002_7d6c65d472a597a6", "004_ea844aa1372452d4"))
    alone = respin.fix(text)
    together = respin.fix(text, jobs=3)
    assert together.fixes and together.text == alone.text
    assert together.fixes == alone.fixes and together.rejected == alone.rejected
    assert together.stats == alone.stats and together.words == alone.words


def test_cut_stretches_cuts_only_where_a_sentence_starts_a_line():
    from respin.pipeline import cut_stretches

    text = "One line.\nTwo words, wrapped\nhere. Three.\n\nFour and\nfive.\nSix."
    pieces = list(cut_stretches([text], 4))
    assert "".join(pieces) == text and len(pieces) > 2
    offset = 0
    for piece in pieces:
        assert offset == 0 or text[offset - 1] == "\n"
        offset += len(piece)
    assert not any(piece.startswith(("here", "five")) for piece in pieces)  # soft wraps are not cuts


def test_skipping_near_misses_changes_nothing_else():
    text = read_seed(SPUN_SEEDS[0])
    full = respin.fix(text)
    lean = respin.fix(text, near_misses=False)
    assert full.rejected and not lean.rejected
    assert lean.fixes == full.fixes and lean.text == full.text and lean.stats == full.stats


def test_an_error_in_a_worker_process_reaches_the_caller(monkeypatch):
    import pytest

    import respin.pipeline as pipeline

    def broken(*args, **kwargs):
        raise ValueError("simulated bug in a worker")

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 1000)
    monkeypatch.setattr(pipeline, "analyse", broken)
    text = "".join(read_seed(seed) for seed in SPUN_SEEDS)
    with pytest.raises(ValueError, match="simulated bug"):
        respin.fix(text, jobs=2)


def test_parallel_does_not_import_the_pipeline_back():
    """pipeline imports parallel for long texts; parallel gets what it needs passed in (no import cycle)."""
    import ast

    from helpers import ROOT

    tree = ast.parse((ROOT / "respin" / "parallel.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "pipeline" not in imported


def _seed_text() -> str:
    return "".join(read_seed(seed) for seed in (*SPUN_SEEDS, "002_7d6c65d472a597a6", "004_ea844aa1372452d4"))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("kept_chars", [0, 20_000, 10**9])
def test_a_text_restored_stretch_by_stretch_gives_the_same_result(monkeypatch, kept_chars, jobs):
    import respin.pipeline as pipeline

    text = _seed_text()
    whole = respin.fix(text)
    monkeypatch.setattr(pipeline, "STRETCH_CHARS", 3000)  # many stretches, spilled past kept_chars
    monkeypatch.setattr(pipeline, "KEPT_CHARS", kept_chars)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 1000)
    stretched = respin.fix(text, jobs=jobs)
    assert not pipeline._kept  # nothing left behind
    assert len(list(pipeline.cut_stretches([text], 3000))) > 5
    assert stretched.fixes and stretched == whole


def test_fix_stream_reads_pieces_and_writes_what_fix_gives(monkeypatch):
    import respin.pipeline as pipeline

    text = _seed_text()
    whole = respin.fix(text, near_misses=False)
    monkeypatch.setattr(pipeline, "STRETCH_CHARS", 5000)
    monkeypatch.setattr(pipeline, "KEPT_CHARS", 0)
    written: list[str] = []
    done: list[int] = []
    chunks = [text[i : i + 777] for i in range(0, len(text), 777)]
    restoration = pipeline.fix_stream(chunks, written.append, jobs=2, progress=done.append)
    assert len(written) > 5 and "".join(written) == whole.text
    assert restoration.applied and restoration.evidence.words == whole.words
    assert sum(done) == 2 * len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Words here", ". ", "\n", "\n\n", "lower", "Upper", " ", "Mr.", "\r\n"]), max_size=80),
       st.integers(1, 40), st.integers(1, 30))
def test_cut_stretches_cuts_a_stream_where_the_whole_text_starts_a_sentence_line(parts, size, chunk):
    from respin.pipeline import cut_stretches
    from respin.tokens import sentence_starts

    text = "".join(parts)
    stretches = list(cut_stretches([text[i : i + chunk] for i in range(0, len(text), chunk)], size))
    assert "".join(stretches) == text and all(stretches[:-1]) and stretches
    starts = set(sentence_starts(text))
    offset = 0
    for stretch in stretches[:-1]:
        offset += len(stretch)
        assert offset in starts and text[offset - 1] == "\n"


def test_a_worker_that_dies_is_an_error_not_a_hang(monkeypatch):
    import os

    import respin.pipeline as pipeline

    parent = os.getpid()

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as the out-of-memory killer would
        raise AssertionError("analysed in the parent: no worker to kill")

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 1000)
    monkeypatch.setattr(pipeline, "analyse", dying)
    with pytest.raises(RuntimeError, match="worker process died"):
        respin.fix(_seed_text(), jobs=2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cut_between_stretches_keeps_context_that_reaches_across_sentences(monkeypatch, jobs):
    import respin.pipeline as pipeline

    # A keep row's prev= reads the last word of the sentence before ("often"),
    # which here ends the stretch before the cut.
    config = respin.Config(spin_prior=0.0)
    before = "The minister spoke for an hour and the talks went on until late, as planned before. " * 3
    before += "They were often\n"
    after = "Mentioned that the talks would continue next week, officials told reporters on Tuesday.\n" * 3
    text = before + after
    whole = respin.fix(text, config=config)
    monkeypatch.setattr(pipeline, "STRETCH_CHARS", len(before) - 5)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 10)
    assert [len(s) for s in pipeline.cut_stretches([text], len(before) - 5)][0] == len(before)
    assert len(whole.fixes) == 2 and respin.fix(text, config=config, jobs=jobs) == whole


def test_fix_stream_keeps_web_addresses_as_fix_does(monkeypatch):
    import respin.pipeline as pipeline

    line = "The officers mentioned https://example.com/world/mentioned/safety?q=management and left.\n"
    text = (_seed_text() + line) * 2
    whole = respin.fix(text, near_misses=False)
    assert "https://example.com/world/mentioned/safety?q=management" in whole.text
    monkeypatch.setattr(pipeline, "STRETCH_CHARS", 4000)
    written: list[str] = []
    pipeline.fix_stream([text[i : i + 999] for i in range(0, len(text), 999)], written.append, jobs=2)
    assert "".join(written) == whole.text
