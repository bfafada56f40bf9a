"""README.md stays true: its sample outputs, its pre-commit example, shell completion."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import CLEAN_FILES, ROOT

from respin.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


readme_samples = _load_tool("readme_samples")


def test_readme_samples_are_the_output_of_a_real_run():
    samples = readme_samples.samples(README)
    assert "respin check examples/003_83ece18359cce910.txt" in [s.command for s in samples]
    for sample in samples:
        assert sample.shown.strip(), f"empty sample for {sample.command}"
        assert readme_samples.run(sample.command) == sample.shown, (
            f"README's sample of '{sample.command}' is stale: run python tools/readme_samples.py --write")


def test_readme_sample_markers_are_strict():
    with pytest.raises(ValueError, match="must start with"):
        readme_samples.samples("<!-- sample: respin check x -->\n```text\nno prompt line\n```\n")
    text = "<!-- sample: respin check x -->\n```text\n$ respin check x\nold output\n```\n"
    [sample] = readme_samples.samples(text)
    assert (sample.command, sample.shown) == ("respin check x", "old output\n")
    assert readme_samples.block(sample.command, "new\n") == text.replace("old output", "new")


def _fenced(language: str, after: str) -> str:
    """The first ```language block after the text ``after`` in the README."""
    start = README.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(README, start)
    return match.group(1)


def test_pre_commit_example_uses_real_hook_ids_and_options_and_no_made_up_url_or_tag():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load(_fenced("yaml", "As a [pre-commit]"))
    [repo] = config["repos"]
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    block = _fenced("yaml", "As a [pre-commit]")
    assert "example.org" not in block and "example.com" not in block, "no made-up repository URL"
    assert repo["repo"] == "REPOSITORY-URL" and repo["rev"] == "COMMIT-HASH", "placeholders the text explains"
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    assert f"git tag v{version}" in README, "the release tag named in the README is this version's"
    for hook in repo["hooks"]:
        entry = shlex.split(hooks[hook["id"]]["entry"])
        assert entry[0] == "respin"
        # pre-commit runs the entry, the args, then the staged files.
        result = CliRunner().invoke(main, [*entry[1:], *hook.get("args", []), *map(str, CLEAN_FILES[:2])])
        assert (result.exit_code, result.stderr) == (0, "")


def _respin(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "respin"], env={**os.environ, **env}, capture_output=True,
                          timeout=60, cwd=ROOT)


@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o nosort -F _respin_completion respin"),
    ("zsh", "#compdef respin"),
    ("fish", "complete --no-files --command respin"),
])
def test_shell_completion_prints_a_script_as_the_readme_says(shell, marker):
    assert f'_RESPIN_COMPLETE={shell}_source respin' in README
    done = _respin({"_RESPIN_COMPLETE": f"{shell}_source"})
    assert (done.returncode, done.stderr) == (0, b"")
    assert marker in done.stdout.decode()


def test_shell_completion_completes_commands_and_options():
    commands = _respin({"_RESPIN_COMPLETE": "bash_complete", "COMP_WORDS": "respin ", "COMP_CWORD": "1"})
    assert (commands.returncode, commands.stderr) == (0, b"")
    names = [line.split(",", 1)[1] for line in commands.stdout.decode().splitlines()]
    assert {"fix", "check", "batch", "review", "diff", "eval", "learn", "tables"} <= set(names)
    option = _respin({"_RESPIN_COMPLETE": "bash_complete", "COMP_WORDS": "respin fix --thr", "COMP_CWORD": "2"})
    assert option.stdout.decode() == "plain,--threshold\n"
