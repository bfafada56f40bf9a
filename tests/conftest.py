from __future__ import annotations

import pytest
from helpers import DATA


@pytest.fixture(scope="session")
def mini_config():
    """Only the small fixed table, so results don't move when built-in tables grow."""
    from respin.config import Config

    return Config(tables=(str(DATA / "tables" / "mini.tsv"),), builtin_tables=False)
