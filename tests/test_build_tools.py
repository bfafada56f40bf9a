"""The table build scripts (tools/): lemma expansion and the WordNet candidate builder.

Both scripts are build-time only. The expansion tests need ``lemminflect``
(the test extra); the WordNet tests use a tiny hand-made sample in
``tests/data/wordnet_sample`` and a fake frequency function, so they need
neither WordNet nor ``wordfreq`` installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from respin.records import Entry

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "data" / "wordnet_sample"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_tables = _load("build_tables")
build_wordnet = _load("build_wordnet")

needs_lemminflect = pytest.mark.skipif(
    importlib.util.find_spec("lemminflect") is None, reason="lemminflect (build-time dependency) not installed"
)


def rows_of(source: str) -> list[tuple[str, str, float, str]]:
    out = build_tables.build(build_tables.parse_source(source, "src"))
    return [(r.spun, r.original, r.weight, " ".join(r.context)) for r in out]


# --- build_tables: parsing ---------------------------------------------------------


@pytest.mark.parametrize(
    "line, message",
    [
        ("mention\tsay\t0.85", "expected 4 or 5"),
        ("mention\tsay\tlots\tVERB", "not a number"),
        ("mention\tsay\t1.5\tVERB", "outside (0, 1]"),
        ("mention\tsay\t0.8\tVERBISH", "unknown POS"),
        ("mention\tsay\t0.8\tVERB\tforms=VBX", "unknown tag"),
        ("mention\tsay\t0.8\tVERB\tcolour=blue", "unknown option"),
        ("mention\tsay\t0.8\tVERB\tprev=a||b", "bad context"),
        ("however\tbut\t0.5\tPHRASE\tforms=VBD", "need a POS that inflects"),
        ("pull again\tpull back\t0.5\tVERB\thead=3", "head/ohead outside"),
    ],
)
def test_malformed_source_rows_name_file_and_line(line, message):
    with pytest.raises(build_tables.SourceError) as error:
        build_tables.parse_source("# comment\n\n" + line + "\n", "spinner.src.tsv")
    assert str(error.value).startswith("spinner.src.tsv:3: ") and message in str(error.value)


def test_comments_blank_lines_and_context_are_read():
    (row,) = build_tables.parse_source("# c\n\nInvoice\tBill\t0.7\tPHRASE\tcase=exact next=@Cap\n")
    assert (row.spun, row.original, row.weight, row.pos, row.context) == ("Invoice", "Bill", 0.7, "PHRASE", ("case=exact", "next=@Cap"))


# --- build_tables: expansion -------------------------------------------------------


@needs_lemminflect
def test_verb_rows_expand_only_the_listed_forms_with_their_own_weights():
    rows = rows_of("mention\tsay\t0.85\tVERB\tforms=VBD,VBN,VBZ w=VBZ:0.1\n")
    # VBD and VBN give the same surface pair once; "say" -> "mention" is not listed.
    assert rows == [("mentioned", "said", 0.85, ""), ("mentions", "says", 0.1, "")]


@needs_lemminflect
def test_all_verb_forms_and_irregular_originals():
    rows = {(s, o) for s, o, _, _ in rows_of("inform\ttell\t0.75\tVERB\n")}
    assert rows == {("inform", "tell"), ("informs", "tells"), ("informed", "told"), ("informing", "telling")}


@needs_lemminflect
def test_multi_word_phrases_inflect_their_head_word():
    rows = {(s, o) for s, o, _, _ in rows_of("pull again\tpull back\t0.75\tVERB\n")}
    assert ("pulled again", "pulled back") in rows and ("pulling again", "pulling back") in rows
    head_last = {(s, o) for s, o, _, _ in rows_of("provide chain\tsupply chain\t0.9\tNOUN\thead=2 ohead=2\n")}
    assert head_last == {("provide chain", "supply chain"), ("provide chains", "supply chains")}


@needs_lemminflect
def test_nouns_get_plurals_and_lemminflect_base_form_plurals_are_ignored():
    rows = rows_of("option\tsolution\t0.35\tNOUN\tforms=NNS\n")
    # lemminflect lists ("options", "option") for option/NNS; only the real plural is used.
    assert rows == [("options", "solutions", 0.35, "")]
    assert {(s, o) for s, o, _, _ in rows_of("variation\tdifference\t0.6\tNOUN\n")} == {
        ("variation", "difference"),
        ("variations", "differences"),
    }


@needs_lemminflect
def test_build_drops_self_maps_merges_duplicates_and_sorts():
    source = "\n".join([
        "safety\tsecurity\t0.85\tPHRASE",
        "Assure\tguarantee\t0.2\tPHRASE\tcase=exact",
        "assure\tguarantee\t0.4\tVERB\tforms=VB",
        "assure\tguarantee\t0.3\tPHRASE",  # same surface row, lower weight: merged
        "put\tput\t0.5\tVERB",  # put/put: every form is a self-map
        "",
    ])
    rows = rows_of(source)
    assert rows == [
        ("assure", "guarantee", 0.4, ""),
        ("Assure", "guarantee", 0.2, "case=exact"),
        ("safety", "security", 0.85, ""),
    ]


def test_render_has_the_generated_header_and_tab_separated_rows():
    text = build_tables.render([Entry("safety", "security", 0.85), Entry("the place", "-", 1.0, ("prev=to|at",))])
    assert "GENERATED by tools/build_tables.py" in text
    assert text.endswith("safety\tsecurity\t0.85\nthe place\t-\t1.0\tprev=to|at\n")


# --- build_tables: checks ----------------------------------------------------------


def test_problems_finds_chains_self_maps_and_protected_spun_forms():
    Out = Entry
    rows = [Out("mentioned", "said", 0.85), Out("said", "stated", 0.1), Out("prime", "top", 0.5), Out("x", "X", 0.5)]
    found = build_tables.problems(rows, protected={"prime"})
    assert any(p.startswith("chain: 'mentioned' -> 'said'") for p in found)
    assert "self-map: 'x'" in found
    assert "protected: 'prime' is a protected term" in found
    assert not any("'said' -> 'stated'" in p for p in found)


def test_case_exact_spun_forms_only_chain_with_originals_written_that_way():
    Out = Entry
    heart = [Out("coronary heart", "heart", 0.7), Out("Heart", "Center", 0.5, ("case=exact", "prev=@Cap"))]
    assert build_tables.problems(heart) == []
    assert build_tables.problems([Out("foo", "Heart", 0.5), *heart]) != []
    # keep rows restore nothing, so they never make a chain
    assert build_tables.problems([Out("a", "b", 0.5), Out("b", "-", 1.0, ("prev=x",))]) == []


@needs_lemminflect
def test_main_writes_the_table_and_check_mode_detects_a_stale_output(tmp_path):
    source = tmp_path / "src.tsv"
    source.write_text("# source\nmention\tsay\t0.85\tVERB\tforms=VBD\ninform\ttell\t0.7\tVERB\tforms=VBD\n")
    output, names = tmp_path / "out.tsv", tmp_path / "names.tsv"
    names.write_text("related press\tAssociated Press\t0.95\n")
    args = ["--source", str(source), "--output", str(output), "--names", str(names)]
    assert build_tables.main(args) == 0
    body = [line for line in output.read_text().splitlines() if line and not line.startswith("#")]
    assert body == ["informed\ttold\t0.7", "mentioned\tsaid\t0.85"]
    assert build_tables.main([*args, "--check"]) == 0
    source.write_text(source.read_text() + "assembly\tmeeting\t0.8\tNOUN\tforms=NN\n")
    assert build_tables.main([*args, "--check"]) == 1


def test_main_refuses_to_write_a_table_with_a_chain(tmp_path, capsys):
    source = tmp_path / "src.tsv"
    source.write_text("mentioned\tsaid\t0.85\tPHRASE\nsaid\tstated\t0.1\tPHRASE\n")
    output = tmp_path / "out.tsv"
    assert build_tables.main(["--source", str(source), "--output", str(output), "--names", str(tmp_path / "none")]) == 1
    assert "chain: 'mentioned' -> 'said'" in capsys.readouterr().err
    assert not output.exists()


# --- build_wordnet -----------------------------------------------------------------

ZIPF = {
    "car": 5.5, "auto": 4.5, "automobile": 3.8, "meeting": 5.2, "assembly": 4.3,
    "step": 5.0, "abuse": 4.4, "maltreatment": 2.0, "sale": 5.0, "bargain": 4.0,
    "say": 6.5, "state": 5.6, "buy": 5.5, "purchase": 4.6, "acquire": 4.0,
}


def fake_zipf(word: str) -> float:
    return ZIPF.get(word, 4.0)


def test_data_lines_parse_into_synsets_and_the_licence_header_is_skipped():
    assert build_wordnet.parse_data_line("  1 This software and database is being provided") is None
    synset = build_wordnet.parse_data_line("00000303 15 n 02 Paris 0 capital_of_France 0 000 | names")
    assert synset == build_wordnet.Synset("00000303", "noun", ("Paris", "capital of France"))
    adjective = build_wordnet.parse_data_line("00001740 00 s 02 big(a) 0 large 0 000 | size")
    assert adjective.pos == "adj" and adjective.lemmas == ("big", "large")
    # w_cnt is hexadecimal: 0a = ten words
    words = " ".join(f"w{i} 0" for i in range(10))
    assert len(build_wordnet.parse_data_line(f"00000001 03 n 0a {words} 000 | x").lemmas) == 10


def test_the_sample_reads_with_sense_ranks():
    synsets = build_wordnet.read_synsets(SAMPLE)
    assert [s.offset for s in synsets] == ["00000101", "00000202", "00000303", "00000404", "00000505",
                                           "00000606", "00000707"]
    ranks = build_wordnet.read_sense_ranks(SAMPLE)
    assert ranks[("step", "00000404")] == 5 and ranks[("sale", "00000505")] == 2 and ranks[("car", "00000101")] == 1


def test_candidates_go_from_rare_to_frequent_and_never_chain():
    rows = build_wordnet.candidate_rows(
        build_wordnet.read_synsets(SAMPLE), fake_zipf, build_wordnet.read_sense_ranks(SAMPLE)
    )
    got = {(r.spun, r.original, r.weight, r.pos) for r in rows}
    assert got == {
        ("auto", "car", 0.05, "NOUN"),
        ("automobile", "car", 0.05, "NOUN"),  # not -> "auto": auto is itself replaced by car
        ("assembly", "meeting", 0.05, "NOUN"),
        ("bargain", "sale", 0.03, "NOUN"),  # the sale synset is sale's 2nd sense
        ("state", "say", 0.05, "VERB"),
        ("purchase", "buy", 0.05, "VERB"),
        ("acquire", "buy", 0.05, "VERB"),
    }
    # dropped: "step" in its 5th sense, rare "maltreatment", names and phrases ("Paris")


def test_frequency_threshold_is_applied_to_both_words():
    synsets = build_wordnet.read_synsets(SAMPLE)
    rows = build_wordnet.candidate_rows(synsets, fake_zipf, build_wordnet.read_sense_ranks(SAMPLE), min_zipf=4.4)
    assert {(r.spun, r.original) for r in rows} == {("auto", "car"), ("state", "say"), ("purchase", "buy")}
    # without sense ranks every synset counts as a first sense: "step" comes back
    unranked = build_wordnet.candidate_rows(synsets, fake_zipf, min_zipf=4.4)
    assert ("abuse", "step", 0.05) in {(r.spun, r.original, r.weight) for r in unranked}


@needs_lemminflect
def test_surface_rows_inflect_and_drop_overlaps_with_defaults_and_protected_terms():
    source = build_wordnet.candidate_rows(build_wordnet.read_synsets(SAMPLE), fake_zipf,
                                          build_wordnet.read_sense_ranks(SAMPLE))
    defaults = [Entry("assembly", "meeting", 0.8), Entry("mentioned", "said", 0.85)]
    rows = build_wordnet.surface_rows(source, defaults, protected={"purchase"})
    pairs = {(r.spun, r.original) for r in rows}
    assert {("stated", "said"), ("states", "says"), ("acquired", "bought"), ("autos", "cars")} <= pairs
    # the exact surface forms the defaults restore, or that are protected, are left to them
    assert not any(r.spun in ("assembly", "purchase") for r in rows)
    assert all(0 < r.weight <= 0.05 for r in rows)
    spun = {r.spun for r in rows}
    assert not any(r.original in spun for r in rows)


@needs_lemminflect
def test_surface_frequency_filter_drops_rare_inflections():
    source = [build_tables.SourceRow("auto", "car", 0.05, "NOUN", None, {}, 1, 1, (), "t")]
    rare_plural = {"auto": 4.5, "car": 5.5, "autos": 2.0, "cars": 5.0}
    rows = build_wordnet.surface_rows(source, zipf=lambda w: rare_plural.get(w, 0.0))
    assert [(r.spun, r.original) for r in rows] == [("auto", "car")]


@needs_lemminflect
def test_main_builds_a_table_from_the_sample(tmp_path):
    pytest.importorskip("wordfreq")
    output = tmp_path / "wordnet-candidates.tsv"
    assert build_wordnet.main(["--wordnet", str(SAMPLE), "--output", str(output), "--min-zipf", "3.0"]) == 0
    text = output.read_text()
    assert "NOT loaded by default" in text and "Princeton University" in text
    body = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert ["acquire", "buy", "0.05"] in body
    # "purchase" is a spun form of the shipped spinner-common.tsv, so WordNet leaves it alone
    assert not any(fields[0] == "purchase" for fields in body)
    assert all(len(fields) == 3 and float(fields[2]) <= 0.05 for fields in body)


def test_main_explains_a_missing_wordnet(tmp_path, capsys):
    assert build_wordnet.main(["--wordnet", str(tmp_path), "--output", str(tmp_path / "o.tsv")]) == 1
    assert "apt-get install wordnet-base" in capsys.readouterr().err


@pytest.mark.parametrize("options", ["w=VBZ:abc", "w=VBZ:0", "w=VBZ:1.5"])
def test_a_bad_tag_weight_is_a_source_error(options):
    with pytest.raises(build_tables.SourceError, match="weight for VBZ"):
        build_tables.parse_source(f"mentions\tsays\t0.5\tVERB\t{options}\n")
