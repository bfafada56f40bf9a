"""Keep README.md's sample outputs true: each is the output of a real run.

A sample is a fenced block right after a marker comment naming the command:

    <!-- sample: respin check examples/003_83ece18359cce910.txt -->
    ```text
    $ respin check examples/003_83ece18359cce910.txt
    examples/003_...: SPUN — density ...
    ```

The block holds ``$ COMMAND`` and then exactly what the command prints on
stdout, run from the repository's root in a pipe (no colour).

    python tools/readme_samples.py           # exit 1 and a diff if a sample is stale
    python tools/readme_samples.py --write   # rerun every sample and rewrite README.md

``tests/test_readme.py`` runs the check.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SAMPLE_RE = re.compile(r"<!-- sample: (?P<command>.+?) -->\n```text\n(?P<body>.*?)```\n", re.DOTALL)


@dataclass(frozen=True)
class Sample:
    command: str
    shown: str  # the output the README shows
    start: int  # the block's span in README.md
    end: int


def samples(readme: str) -> list[Sample]:
    found = []
    for match in SAMPLE_RE.finditer(readme):
        command, body = match["command"], match["body"]
        prompt = f"$ {command}\n"
        if not body.startswith(prompt):
            raise ValueError(f"README sample of {command!r} must start with {prompt!r}")
        found.append(Sample(command, body[len(prompt):], match.start(), match.end()))
    return found


def run(command: str) -> str:
    """The command's stdout, run as a user would in a pipe from the repository's root."""
    args = shlex.split(command)
    if args[0] == "respin":  # the respin of this checkout, whatever is on PATH
        args = [sys.executable, "-m", "respin", *args[1:]]
    elif shutil.which(args[0]) is None:
        raise ValueError(f"{args[0]}: not found")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=300)
    return done.stdout.decode("utf-8")


def block(command: str, output: str) -> str:
    return f"<!-- sample: {command} -->\n```text\n$ {command}\n{output}```\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Check (or --write) README.md's sample outputs.")
    parser.add_argument("--write", action="store_true", help="rerun every sample and rewrite README.md")
    args = parser.parse_args()
    readme = README.read_text(encoding="utf-8")
    stale = 0
    pieces, position = [], 0
    for sample in samples(readme):
        output = run(sample.command)
        pieces += [readme[position : sample.start], block(sample.command, output)]
        position = sample.end
        if output != sample.shown:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(sample.shown.splitlines(True), output.splitlines(True),
                                                       f"README: {sample.command}", "real output"))
    if args.write and stale:
        README.write_text("".join(pieces) + readme[position:], encoding="utf-8")
        print(f"rewrote {stale} sample(s) in {README}")
        return 0
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
