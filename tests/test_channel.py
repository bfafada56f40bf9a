"""The broad channel: its lazy reader, its place as a second tier, and the tool that builds it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from respin.candidates import find_candidates
from respin.channel import BroadChannel, channel_path, load_channel
from respin.config import DEFAULT
from respin.pipeline import fix, load_engine
from respin.records import Entry
from respin.tables import build_tables, parse_table, read_table
from respin.tokens import tokenize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

TINY = """\
# a header comment
# another

aboard	on	0.2	src=m
enlargement	growth	0.05	src=ms
enlargement	up	0.001	src=r
laborious	hard	0.3	src=mrs
mannequin	model	0.2	src=mrs
used to be	was	0.3	src=x
used up	spent	0.1	src=x
usher	guide	0.1	src=m
zealous	eager	0.2	src=s
"""


@pytest.fixture()
def tiny(tmp_path: Path) -> BroadChannel:
    path = tmp_path / "channel.tsv"
    path.write_text(TINY, encoding="utf-8")
    (tmp_path / "originals.txt").write_text("eager\nhard\nmodel\n", encoding="utf-8")
    return BroadChannel(path)


def originals(found) -> dict[tuple[str, ...], list[str]]:
    return {phrase: [e.original for e in entries] for _, phrases in found for phrase, entries in phrases.items()}


def test_lookup_finds_a_word_and_the_phrases_it_starts(tiny):
    assert originals(tiny.lookup("laborious")) == {("laborious",): ["hard"]}
    assert originals(tiny.lookup("enlargement")) == {("enlargement",): ["growth", "up"]}
    assert originals(tiny.lookup("used")) == {("used", "to", "be"): ["was"], ("used", "up"): ["spent"]}
    # longest phrases first, as Tables.by_length
    assert [n for n, _ in tiny.lookup("used")] == [3, 2]


def test_lookup_at_the_edges_and_for_absent_words(tiny):
    assert originals(tiny.lookup("aboard")) == {("aboard",): ["on"]}
    assert originals(tiny.lookup("zealous")) == {("zealous",): ["eager"]}
    for absent in ("a", "abo", "labor", "laborious-ness", "use", "zzz", "#"):
        assert tiny.lookup(absent) is None
    assert tiny.lookup("laborious") is tiny.lookup("laborious")  # memoized


def test_an_entry_names_the_broad_channel_and_its_sources(tiny):
    entry = tiny.lookup("laborious")[0][1][("laborious",)][0]
    assert entry.weight == 0.3
    assert entry.source.startswith("broad channel [moby, moby-reverse, wordnet-synonym] channel.tsv@")
    assert tiny.originals() == frozenset({"eager", "hard", "model"})


def test_the_shipped_channel_is_an_ordinary_sorted_table():
    text = channel_path().read_text(encoding="utf-8")
    entries = parse_table(text, "channel.tsv")  # the wordlists format: no error
    assert len(entries) > 20_000
    spun = [e.spun for e in entries]
    assert spun == sorted(spun)  # what the binary search relies on
    assert all(any(c.startswith("src=") for c in e.context) for e in entries)
    assert len(channel_path().read_bytes()) < 5_000_000


def _curated(rows: str, protected: tuple[tuple[str, ...], ...] = ()):
    return build_tables(parse_table(rows, "curated.tsv"), list(protected), "test")


def _spans(text: str, tables, channel) -> list[tuple[str, list[str]]]:
    return [(c.spun, [o for o, _ in c.originals]) for c in find_candidates(text, tokenize(text), tables, channel)]


def test_broad_fills_in_words_the_curated_tables_lack(tiny):
    tables = _curated("mentioned\tsaid\t0.85\n")
    text = "He mentioned the laborious work."
    assert _spans(text, tables, None) == [("mentioned", ["said"])]
    assert _spans(text, tables, tiny) == [("mentioned", ["said"]), ("laborious", ["hard"])]


def test_curated_originals_come_first_and_broad_ones_are_added(tiny):
    tables = _curated("laborious\ttough\t0.5\nlaborious\thard\t0.4\n")
    [(spun, options)] = _spans("A laborious job.", tables, tiny)
    assert options == ["tough", "hard"]  # the curated weight of "hard" wins; no duplicate
    candidate = find_candidates("A laborious job.", tokenize("A laborious job."), tables, tiny)[0]
    assert [e.source.split(":")[0] for _, e in candidate.originals] == ["curated.tsv", "curated.tsv"]


def test_a_keep_row_or_a_protected_term_vetoes_the_broad_channel(tiny):
    tables = _curated("laborious\t-\t1\tprev=very\nmannequin\tdummy\t0.2\n", protected=(("mannequin", "challenge"),))
    assert _spans("A very laborious job.", tables, tiny) == []
    assert _spans("A laborious job.", tables, tiny) == [("laborious", ["hard"])]
    assert _spans("The mannequin challenge.", tables, tiny) == []


def test_broad_phrases_and_case(tiny):
    tables = _curated("mentioned\tsaid\t0.85\n")
    assert _spans("It Used To Be hard.", tables, tiny) == [("Used To Be", ["Was"])]


def test_config_and_engine_choose_the_channel():
    assert DEFAULT.channel == "curated"
    assert load_engine(DEFAULT).channel is None
    assert load_engine(DEFAULT.with_(channel="broad")).channel is load_channel()
    with pytest.raises(ValueError):
        load_engine(DEFAULT.with_(channel="nope"))


# Written by the team for this test.
CLEAN = (
    "The city council met on Tuesday evening to discuss the new budget. Members said the plan would "
    "raise spending on roads and schools while keeping taxes flat. The mayor, who has led the city "
    "for six years, told reporters she expected a close vote next month. Residents who spoke at the "
    "meeting asked for more buses and longer library hours, and several of them praised the work of "
    "the parks department during the summer floods."
)


def test_clean_prose_stays_unchanged_with_the_broad_channel():
    result = fix(CLEAN, config=DEFAULT.with_(channel="broad"))
    assert result.text == CLEAN, [(f.before, f.after) for f in result.fixes]


# Written by the team: a short report, spun by hand with swaps no curated table lists
# (mannequin ← model, taxation ← tax) among curated ones (mentioned ← said, commence ← begin).
SPUN = (
    "The designers mentioned that the work on the new mannequin took months. "
    "Officials said the taxation plan would commence next year."
)


def test_a_spun_paragraph_gets_its_uncurated_swaps_restored():
    curated = fix(SPUN, config=DEFAULT.with_(spin_prior=0.0))
    broad = fix(SPUN, config=DEFAULT.with_(channel="broad", spin_prior=0.0))
    assert {(f.before, f.after) for f in curated.fixes} == {("mentioned", "said"), ("commence", "begin")}
    assert {(f.before, f.after) for f in broad.fixes} == {
        ("mentioned", "said"), ("commence", "begin"), ("mannequin", "model"), ("taxation", "tax")
    }
    assert broad.text == "The designers said that the work on the new model took months. " \
                         "Officials said the tax plan would begin next year."
    broad_fix = next(f for f in broad.fixes if f.before == "mannequin")
    assert broad_fix.entry.startswith("broad channel [moby")
    assert any(line.startswith("table broad channel [") for line in broad_fix.evidence)
    assert next(f for f in broad.fixes if f.before == "mentioned").entry.startswith("spinner-common.tsv:")


# ---------------------------------------------------------------- the build tool


def test_build_tool_on_a_tiny_sample(tmp_path: Path):
    import build_channel as bc

    vocab = {"hard": -3.0, "laborious": -6.0, "difficult": -3.5, "arduous": -6.5, "rock": -4.0, "the": -1.3}
    moby = tmp_path / "words.txt"
    moby.write_text("hard,laborious,arduous,difficult,rock\ndifficult,laborious,hard\nthe,hard\n", encoding="utf-8")
    index = bc.gather(vocab, moby, None)
    assert index["laborious"]["hard"][0] == bc.BITS["m"]  # Moby lists "laborious" under "hard"
    assert index["hard"]["difficult"][0] == bc.BITS["m"] | bc.BITS["r"]  # ... and both under each other
    assert "hard" not in index["the"]  # an original much rarer than its spun form is implausible
    candidates = bc.surface_candidates("laborious", index, vocab)
    assert {c.original for c in candidates} == {"hard", "difficult"}
    matrix = bc.features(candidates, vocab)
    assert matrix.shape == (2, len(bc.FEATURES))
    model = {"features": list(bc.FEATURES), "coefficients": [0.0] * len(bc.FEATURES), "scale": 1.0}
    model["coefficients"][bc.FEATURES.index("moby")] = 1.0
    model["coefficients"][bc.FEATURES.index("lp_original")] = 1.0  # "hard" is commoner than "difficult"
    rows = list(bc.scored_rows(index, vocab, model, ["laborious", "arduous", "the"], -3.0))
    assert {r.spun for r in rows} == {"laborious", "arduous"}
    # Bayes' rule: P(spun | original) = posterior * P(spun) / P(original)
    row = next(r for r in rows if r.spun == "laborious" and r.original == "hard")
    assert row.weight == pytest.approx(row.posterior * 10 ** (-6.0 + 3.0), rel=1e-6)
    kept = bc.prune(rows, vocab, cut=0.1, k=1, curated_spun=set(), curated_originals=set(), protected={"arduous"})
    assert [(r.spun, r.original) for r in kept] == [("laborious", "hard")]
    text = bc.render(kept)
    [entry] = parse_table(text, "channel.tsv")
    assert entry.spun == "laborious" and entry.original == "hard" and entry.context == ("src=m",)


def test_fit_logistic_learns_a_separating_weight():
    import numpy as np

    import build_channel as bc

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 1))
    y = (x[:, 0] + 0.3 * rng.normal(size=400) > 0.5).astype(float)
    coefficients = bc.fit_logistic(np.hstack([np.ones((400, 1)), x]), y)
    assert coefficients[1] > 2.0 and coefficients[0] < 0


def test_observations_align_single_word_swaps():
    import build_channel as bc

    pairs = list(bc.observations("He mentioned the laborious task.", "He said the hard task."))
    assert ("mentioned", "said") in pairs and ("laborious", "hard") in pairs and ("the", None) in pairs


def test_committed_model_matches_the_tool():
    import build_channel as bc

    model = json.loads(bc.MODEL.read_text(encoding="utf-8"))
    assert model["features"] == list(bc.FEATURES)
    assert len(model["coefficients"]) == len(bc.FEATURES)


def test_cli_channel_flag(tmp_path: Path):
    from click.testing import CliRunner

    from respin.cli import main

    path = tmp_path / "a.txt"
    path.write_text(SPUN, encoding="utf-8")
    broad = CliRunner().invoke(main, ["fix", str(path), "--channel", "broad", "--assume-spun"])
    curated = CliRunner().invoke(main, ["fix", str(path), "--assume-spun"])
    assert broad.exit_code == 0 and curated.exit_code == 0
    assert "model" in broad.output and "model" not in curated.output
    bad = CliRunner().invoke(main, ["fix", str(path), "--channel", "nope"])
    assert bad.exit_code == 2


def test_read_table_accepts_src_context(tmp_path: Path):
    path = tmp_path / "t.tsv"
    path.write_text("laborious\thard\t0.3\tsrc=ms\n", encoding="utf-8")
    assert read_table(path)[0] == Entry("laborious", "hard", 0.3, ("src=ms",), "t.tsv:1")
