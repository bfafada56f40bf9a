"""The golden cases in tests/cases/: input, flags, expected output and fixes, as data.

Every case runs through ``respin fix --format json`` with its flags and must
give its output and its fixes (before → after, in text order); replaying the
JSON fixes on the input must give the same text, and a second pass over the
output must find nothing more. ``negative.json`` holds text that must come
back unchanged; ``known-failures.json`` holds what respin should do but does
not yet, run as strict xfail so that a case that starts passing is moved.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from respin.cli import main
from respin.records import Fix
from respin.render import apply_fixes

CASES = Path(__file__).resolve().parent / "cases"


def load(name: str, *marks) -> list:
    cases = json.loads((CASES / name).read_text(encoding="utf-8"))
    return [pytest.param(case, id=f"{name.removesuffix('.json')}-{n}", marks=marks) for n, case in enumerate(cases, 1)]


ALL = [
    *load("restore.json"),
    *load("negative.json"),
    *load("known-failures.json", pytest.mark.xfail(strict=True, reason="known failure, kept as data")),
]


def run_fix(text: str, flags: list[str]) -> dict:
    result = CliRunner().invoke(main, ["fix", "--format", "json", *flags, "-"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", ALL)
def test_case(case, monkeypatch):
    monkeypatch.chdir(ROOT)  # flags name files relative to the repository
    flags = case.get("flags", [])
    expected = case.get("output", case["input"])
    payload = run_fix(case["input"], flags)
    assert payload["text"] == expected, case["label"]
    assert [(f["before"], f["after"]) for f in payload["fixes"]] == [tuple(p) for p in case.get("fixes", [])]
    assert apply_fixes(case["input"], [Fix.from_dict(f) for f in payload["fixes"]]) == expected
    assert run_fix(expected, flags)["fixes"] == [], "a second pass changed the output again"


def test_every_case_is_labelled_and_well_formed():
    keys = {"label", "flags", "input", "output", "fixes"}
    for name in ("restore.json", "negative.json", "known-failures.json"):
        for case in json.loads((CASES / name).read_text(encoding="utf-8")):
            assert case["label"] and set(case) <= keys, case
            assert ("output" in case) == ("fixes" in case), case["label"]
            if name == "negative.json":
                assert "output" not in case, "a negative case comes back unchanged"
