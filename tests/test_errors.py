"""Library code raises typed errors; only the command layer prints them and exits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from respin import exitcodes
from respin.batch import run_batch, validate_paths
from respin.cli import main
from respin.errors import InputError, OutputError, RespinError, TableError, UsageError
from respin.review.files import write_reviewed
from respin.tables import TableError as TablesTableError

PACKAGE = ROOT / "respin"


def test_every_error_is_a_respin_error_with_a_usage_exit_code():
    for error in (UsageError, InputError, OutputError, TableError):
        assert issubclass(error, RespinError) and error.exit_code == exitcodes.USAGE
    assert TablesTableError is TableError  # still importable from where callers found it


def test_batch_refuses_bad_paths_by_raising(tmp_path: Path):
    with pytest.raises(UsageError, match="no such directory"):
        validate_paths(str(tmp_path / "missing"), str(tmp_path / "out"), False, None, None)
    with pytest.raises(UsageError, match="OUT_DIR is IN_DIR"):
        run_batch(str(tmp_path), str(tmp_path))


def test_review_refuses_to_overwrite_a_file_that_changed_meanwhile(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("changed on disk", encoding="utf-8")
    with pytest.raises(OutputError, match="changed on disk during the review"):
        write_reviewed(str(path), "as read", "as reviewed", None, None)
    assert path.read_text(encoding="utf-8") == "changed on disk"


def test_the_command_layer_turns_an_error_into_one_line_and_its_exit_code(tmp_path: Path):
    result = CliRunner().invoke(main, ["batch", str(tmp_path), str(tmp_path)])
    assert result.exit_code == exitcodes.USAGE
    assert result.output.strip() == "respin: error: OUT_DIR is IN_DIR: use --in-place to rewrite the inputs"


def _exits(path: Path) -> list[str]:
    """Calls of sys.exit, os._exit or cli.fail in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("sys.exit", "os._exit", "fail", "exit"):
                found.append(f"{path.name}:{node.lineno}: {name}")
    return found


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p.name != "cli.py"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_library_modules_never_exit(path: Path):
    assert _exits(path) == []
