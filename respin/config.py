"""The one frozen configuration that every stage reads.

Every field takes part in :meth:`Config.cache_key`, so a batch run never
reuses an output made under different settings.
"""

from __future__ import annotations

from os import PathLike
from typing import NamedTuple


class Config(NamedTuple):
    """Settings of a restoration.

    threshold
        How much better (log10 odds) a restoration must score than leaving the
        words alone before it is applied. Each applied fix pays this price, so
        a joint decision over a sentence only keeps fixes that earn it.
        1.0 means "ten times more likely than the text as it stands".
    tables
        Paths of user tables (wordlists format), layered over the built-in ones:
        their rows are added, and their keep rows ("-") veto built-in rows.
    builtin_tables
        Load the tables shipped in ``wordlists/``.
    lm_path
        A language model in ARPA or DMP/bin format (pocketsphinx's reader);
        ``None`` uses the English trigram model shipped with pocketsphinx.
    spin_prior
        log10 prior odds that a listed word is spinner output. ``None`` (the
        default) estimates it per document from how many restorations win
        on their own: clean text has few, so its prior stays low and few
        fixes pass; a number fixes it (0 = assume the text is spun).
    markup
        What the text is: "text", "html" or "markdown" (see
        :mod:`respin.markup`); only its prose is restored. "auto" is
        resolved by file name (``markup.for_file``); without one it is text.
    channel
        ``"curated"``: only the tables propose candidates. ``"broad"``: the
        broad channel (``wordlists/broad/channel.tsv``: thesaurus candidates
        with learned weights) proposes too, as a second tier: the tables'
        originals come first where they match, and keep rows and protected
        terms veto both.
    """

    threshold: float = 1.0
    tables: tuple[str, ...] = ()
    builtin_tables: bool = True
    lm_path: str | None = None
    spin_prior: float | None = None
    markup: str = "text"
    channel: str = "curated"

    def with_(self, **changes) -> Config:
        return self._replace(**changes)

    def validate(self) -> Config:
        """This config, or a ``TypeError``/``ValueError`` naming the field that is wrong."""
        if isinstance(self.tables, (str, bytes)) or not all(isinstance(t, (str, PathLike)) for t in self.tables):
            raise TypeError(f"Config.tables must be a tuple of paths, not {self.tables!r}: "
                            f"write Config(tables=({self.tables!r},)) for one table")
        if not isinstance(self.threshold, (int, float)) or self.threshold != self.threshold \
                or self.threshold in (float("inf"), float("-inf")):
            raise ValueError(f"Config.threshold must be a finite number, not {self.threshold!r}")
        if self.spin_prior is not None and not isinstance(self.spin_prior, (int, float)):
            raise TypeError(f"Config.spin_prior must be a number or None, not {self.spin_prior!r}")
        return self

    def cache_key(self, table_digest: str = "") -> str:
        """A digest of every field, plus the content of the tables in use."""
        import hashlib
        import json

        payload = json.dumps(self._asdict(), sort_keys=True) + table_digest
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


DEFAULT = Config()
