"""The one frozen configuration that every stage reads.

Every field takes part in :meth:`Config.cache_key`, so a batch run never
reuses an output made under different settings.
"""

from __future__ import annotations

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
    channel: str = "curated"

    def with_(self, **changes) -> Config:
        return self._replace(**changes)

    def cache_key(self, table_digest: str = "") -> str:
        """A digest of every field, plus the content of the tables in use."""
        import hashlib
        import json

        payload = json.dumps(self._asdict(), sort_keys=True) + table_digest
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


DEFAULT = Config()
