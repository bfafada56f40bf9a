"""benchmarks/real_pages.py: per-family measurement of real spun pages (data kept outside the repo)."""

import importlib.util
import json
from pathlib import Path

import pytest

from respin.learn import Learned
from respin.tables import load_tables

ROOT = Path(__file__).resolve().parent.parent
LEARN = ROOT / "tests" / "data" / "learn"


@pytest.fixture(scope="module")
def real_pages():
    spec = importlib.util.spec_from_file_location("real_pages", ROOT / "benchmarks" / "real_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pairs_file(tmp_path):
    """Two families: the team's hand-written pairs as family X, and an invented spinner as family Y."""
    for name in ("spun", "original", "new_spun", "new_original"):
        (tmp_path / f"{name}.txt").write_text((LEARN / f"{name}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "y_orig.txt").write_text("The mayor said the bridge would reopen soon.\n", encoding="utf-8")
    (tmp_path / "y_spun.txt").write_text("The mayor zorbled the bridge would reopen soon.\n", encoding="utf-8")
    rows = [
        {"name": "x1", "spun": "spun.txt", "orig": "original.txt", "family": "X", "split": "train"},
        {"name": "x2", "spun": "new_spun.txt", "orig": "new_original.txt", "family": "X", "split": "test"},
        {"name": "y1", "spun": "y_spun.txt", "orig": "y_orig.txt", "family": "Y", "split": "test"},
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_without_data_it_says_so_and_succeeds(real_pages, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RESPIN_REAL_PAIRS", str(tmp_path / "absent.jsonl"))
    assert real_pages.main([]) == 0
    assert "no real pairs here" in capsys.readouterr().out


def test_the_environment_names_the_pairs_file(real_pages, monkeypatch, tmp_path):
    monkeypatch.setenv("RESPIN_REAL_PAIRS", str(tmp_path / "p.jsonl"))
    assert real_pages.pairs_path(None) == tmp_path / "p.jsonl"
    assert real_pages.pairs_path("other.jsonl") == Path("other.jsonl")


def test_groups_are_family_splits_then_the_whole_family(real_pages, pairs_file):
    labelled = real_pages.load_labelled(pairs_file)
    found = [(family, split, [p.name for p in pairs]) for family, split, pairs in real_pages.groups(labelled)]
    assert found == [("X", "test", ["x2"]), ("X", "train", ["x1"]), ("X", "all", ["x1", "x2"]), ("Y", "test", ["y1"])]


def test_coverage_asks_the_tables_for_the_original_of_each_spun_form(real_pages):
    tables = load_tables()
    assert real_pages.covered(Learned("mentioned", "said", 1, 1), tables)
    assert not real_pages.covered(Learned("mentioned", "bridge", 1, 1), tables)
    assert not real_pages.covered(Learned("zorbled", "said", 1, 1), tables)


def test_markdown_has_every_mode_and_the_oracle_knows_an_unlisted_swap(real_pages, pairs_file, capsys):
    assert real_pages.main(["--pairs", str(pairs_file)]) == 0
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()[2:]]
    cells = {(r[0].strip(), r[1].strip(), r[6].strip()): [c.strip() for c in r] for r in rows}
    assert {mode for _, _, mode in cells} == {"plain", "dictionary", "broad channel", "reference", "oracle table"}
    assert len(rows) == 4 * 5  # X test, X train, X all, Y test; five modes each
    invented = {mode: cells[("Y", "test", mode)] for mode in ("plain", "oracle table")}
    assert invented["plain"][5] == "0.0% (0/1)"  # the tables do not know "zorbled"
    assert invented["plain"][8] == "0.0%"  # so respin cannot restore it ...
    assert invented["oracle table"][8] == "100.0%"  # ... but a table learned from the pair can


@pytest.fixture(scope="module")
def exporter():
    spec = importlib.util.spec_from_file_location("export_real_pairs", ROOT / "tools" / "export_real_pairs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_keeps_each_page_and_commits_only_the_train_split(exporter, pairs_file, tmp_path):
    records = [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record["spun_url"] = f"https://example.org/{record['name']}"
    pairs_file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out_all, out_train = tmp_path / "all.tsv", tmp_path / "train.tsv"
    assert exporter.main([str(pairs_file), "--all", str(out_all), "--train", str(out_train)]) == 0
    everything = out_all.read_text(encoding="utf-8").splitlines()
    assert everything[0] == "spun\toriginal\tcount\tfamily\tsplit\turl"
    assert "zorbled\tsaid\t1\tY\ttest\thttps://example.org/y1" in everything
    train = [line for line in out_train.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert train and all(line.endswith("https://example.org/x1") for line in train)  # x1 is the only train pair
    assert any(line.startswith("mentioned\tsaid\t") for line in train)
