"""The command layer only adapts: commands live in respin.commands, the library never imports them."""

from __future__ import annotations

import ast
import importlib

import click
import pytest
from click.testing import CliRunner
from helpers import ROOT

from respin.cli import LAZY_COMMANDS, main
from respin.errors import UsageError
from respin.options import FixOptions

PACKAGE = ROOT / "respin"


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_command_lives_in_the_command_layer(name: str):
    module, attribute = LAZY_COMMANDS[name].split(":")
    assert module.startswith("respin.commands.")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command) and command.name == name


def _imported(path) -> set[str]:
    """The modules a file imports; a relative import is read as respin's (enough to spot cli and commands)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "respin." * (node.level > 0) + (node.module or "")
            found |= {base} | {f"{base}.{alias.name}" if node.module else f"respin.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py")
                                         if p.name not in ("cli.py", "__main__.py") and p.parent.name != "commands"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_library_never_imports_the_command_layer(path):
    imported = _imported(path)
    assert not {m for m in imported if m == "respin.cli" or m.startswith(("respin.commands", "respin.cli."))}


def test_fix_options_build_the_config_once_from_every_shared_option():
    options = FixOptions(tables=("user.tsv",), threshold=2.5, no_builtin_tables=True, assume_spun=True,
                         markup="html", channel="broad")
    config = options.config
    assert options.config is config  # built once
    assert config.threshold == 2.5 and config.spin_prior == 0.0 and config.channel == "broad"
    assert config.markup == "html" and not config.builtin_tables and config.tables[0].endswith("/user.tsv")
    assert FixOptions().config.markup == "auto" and FixOptions().config.spin_prior is None
    with pytest.raises(UsageError, match="finite"):
        FixOptions(threshold=float("nan")).config


def test_the_shared_options_reach_a_command_as_one_parameter():
    from respin.commands.options import fix_options

    seen = []

    @click.command()
    @fix_options
    def command(options, verbose):
        seen.append((options, verbose))

    result = CliRunner().invoke(command, ["--assume-spun", "--markup", "html", "--channel", "broad",
                                          "--threshold", "3", "--reference", "ref.txt", "--verbose"])
    assert result.exit_code == 0, result.output
    ((options, verbose),) = seen
    assert verbose and options.reference_paths == ("ref.txt",)
    assert (options.config.spin_prior, options.config.markup, options.config.channel, options.config.threshold) \
        == (0.0, "html", "broad", 3.0)


def _module_level_imports() -> dict[str, set[str]]:
    """respin's modules and the respin modules each imports when it is imported (not inside functions)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if parts[-1] == "__init__" else module.rsplit(".", 1)[0]
        targets = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
                targets |= {source} | {f"{source}.{alias.name}" for alias in node.names}  # a name may be a module
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("respin"):
                targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name.startswith("respin")}
        graph[module] = targets
    return {module: targets & graph.keys() for module, targets in graph.items()}


def test_no_module_imports_itself_in_a_circle():
    graph = _module_level_imports()
    assert "respin.commands.fix" in graph and "respin.batch.workers" in graph

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and (seen.add(nxt) or reaches(nxt, goal, seen))):
                return True
        return False

    assert [m for m in sorted(graph) if reaches(m, m, set())] == []


def test_every_subpackage_is_shipped():
    """setuptools lists packages by name: a new subpackage missing there works in a checkout, not in a wheel."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: respin depends on tomli there
        import tomli as tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found and found <= listed
