"""Paths and seed names shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
SPUN_SEEDS = ("000_61a0575f8c2cb013", "001_1bbe2db73775effa", "003_83ece18359cce910")
REFERENCE_SEED = "002_7d6c65d472a597a6"
SPUN_SEED_FILES = tuple(f"{name}.txt" for name in SPUN_SEEDS)
CLEAN_FILES = sorted((DATA / "clean").glob("*.txt"))
TRANSLATED_SEED = "004_ea844aa1372452d4"


def read_seed(name: str) -> str:
    return (EXAMPLES / f"{name}.txt").read_bytes().decode("utf-8")

