"""Settings files and RESPIN_* variables: flags > environment > file > defaults."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from respin.cli import main

SPUN = "They mentioned it.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with a table of its own, respin run from a folder below it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "mine.tsv").write_text("mentioned\tsaid\t0.9\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    for name in ("RESPIN_THRESHOLD", "RESPIN_TABLE", "RESPIN_CONFIG", "RESPIN_NO_BUILTIN_TABLES"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def fixes(args=(), env=None):
    result = CliRunner().invoke(main, ["fix", "--assume-spun", "--no-builtin-tables", "--format", "json", *args],
                                input=SPUN, env=env)
    assert result.exit_code == 0, result.output
    return [(f["before"], f["after"], f["entry"].split(":")[0]) for f in json.loads(result.stdout)["fixes"]], result


def test_pyproject_table_is_found_from_a_subfolder_and_paths_are_relative_to_it(project):
    (project / "pyproject.toml").write_text('[tool.respin]\ntable = ["mine.tsv"]\n', encoding="utf-8")
    found, result = fixes()
    assert found == [("mentioned", "said", "mine.tsv")]
    assert result.stderr == ""


def test_precedence_flags_then_environment_then_file(project):
    (project / "respin.toml").write_text('table = "mine.tsv"\nthreshold = 5.0\n', encoding="utf-8")
    assert fixes()[0] == []  # the file's threshold
    assert fixes(env={"RESPIN_THRESHOLD": "0.5"})[0]  # the environment beats the file
    assert fixes(["--threshold", "5"], env={"RESPIN_THRESHOLD": "0.5"})[0] == []  # the flag beats both


def test_a_command_section_applies_to_that_command_only(project):
    (project / "respin.toml").write_text('[fix]\ntable = "mine.tsv"\n[check]\ntop = 1\n', encoding="utf-8")
    assert fixes()[0] == [("mentioned", "said", "mine.tsv")]


def test_unknown_keys_are_warned_about_and_ignored(project):
    (project / "respin.toml").write_text('table = "mine.tsv"\ntreshold = 2\njobs = 1\n[fix]\nbogus = 1\n[nope]\n',
                                         encoding="utf-8")
    found, result = fixes()
    assert found  # the good key still applies
    path = project / "respin.toml"
    assert set(result.stderr.splitlines()) == {
        f"respin: warning: {path}: unknown key '{key}' (ignored)" for key in ("nope", "fix.bogus", "treshold")
    }


def test_explicit_config_and_bad_files(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "settings.toml"
    other.write_text(f'table = "{project / "mine.tsv"}"\n', encoding="utf-8")
    assert CliRunner().invoke(main, ["--config", str(other), "fix", "--assume-spun", "--no-builtin-tables"],
                              input=SPUN).stdout == "They said it.\n"
    broken = project / "respin.toml"
    broken.write_text("threshold = \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fix"], input=SPUN)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"respin: error: {broken}: not valid TOML (")
    result = CliRunner().invoke(main, ["--config", "missing.toml", "fix"], input=SPUN)
    assert (result.exit_code, result.stderr) == (2, "respin: error: missing.toml: no such settings file\n")


def test_a_repository_top_stops_the_search(project):
    (project.parent / "respin.toml").write_text('threshold = 9.0\n', encoding="utf-8")
    (project / "respin.toml").unlink(missing_ok=True)
    found, _ = fixes(["--table", str(project / "mine.tsv")])
    assert found  # the settings above the repository were not read
