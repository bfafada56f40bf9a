"""Find the clean document a spun page was copied from, through the spin.

A spinner swaps content words for synonyms but leaves the rest: names,
numbers, and the function words that hold a sentence together. So a
document is fingerprinted by *skeleton shingles*: runs of five words in a
sentence where every content word is replaced by "*" (a run of them by one
"*", since a spinner may write a phrase for a word), plus runs of three
names or numbers in a row. "In Brussels, NATO leaders said on Wednesday that" and "NATO
leaders mentioned on Wednesday that" share the shingle "@nato * on @wednesday
that". A spun copy shares most of its original's sampled shingles (0.33–1.0
of the smaller text's, on the seeds and 18 real spun pages); another article
on the same story, which names the same people, 0.04–0.19; any other text
at most 0.20.

Only fingerprints whose hash is a multiple of ``SAMPLE`` are kept (a fixed
sample, the same for every document, so two copies keep the same ones). An
index maps each kept fingerprint to the documents that have it: in memory
for ``--against``, or in one sorted file (:func:`build_index`) that is
searched in place through ``mmap`` with a binary search per fingerprint, so
a query costs ~100 lookups however large the pool.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

from .records import Token
from .textio import InputError, read_text
from .tokens import tokenize

# Function words: what a spinner leaves in place around the words it swaps.
STOP_WORDS = frozenset(
    """a an the of to in on at by for with from and or but as is are was were be been being has have had do
    does did not no that this these those it its he she they we you i his her their our your him them us who
    whom which what when where why how while if than then there here so because after before about into over
    under up down out off also more most very can could will would may might must should shall""".split()
)
SHINGLE_WORDS = 5  # words (a run of content words counting as one) in a skeleton shingle
SHINGLE_KEPT = 3  # ...of which at least this many are names, numbers or function words
ANCHOR_RUN = 3  # names and numbers in a row, whatever stands between them
# Keep a fingerprint when its hash is a multiple of this: a quarter of them,
# ~150 for a 700-word article. A higher value makes the index smaller and
# queries faster, and short texts harder to match.
SAMPLE = 4
# A document matches when it shares this share of fingerprints with the
# query, out of the smaller of the two (see _score): calibrated with
# benchmarks/bench_match.py on the seeds, the team's clean texts, 68 real
# clean articles and 18 real spun pages (and 13 left unpaired, 3 of them
# copies of an excerpt in the pool): copies 0.33–1.0, another article on
# the same story 0.04–0.19, anything else ≤ 0.20 ...
MATCH_CUT = 0.25
# ... and at least this many of them: a short text says too little.
MIN_SHARED = 3
# A document with fewer fingerprints counts as having this many (see _score).
MIN_DOCUMENT = 10
# A fingerprint that this many documents share says nothing about any one
# ("said in a statement"); it is skipped, at query time, in every pool.
MAX_DOCS_PER_FINGERPRINT = 200
# How many of the best-scoring documents are checked sentence by sentence.
SHORTLIST = 3

INDEX_MAGIC = b"RESPIN-INDEX\n"
INDEX_VERSION = 2
DOC_BITS = 24  # an index key is the fingerprint's top 40 bits and a 24-bit document number
MAX_INDEX_DOCS = 1 << DOC_BITS


class Match(NamedTuple):
    """What :func:`find_source` found for one text."""

    path: str | None  # the source document, or None when nothing reaches the cut
    score: float  # share of the text's fingerprints the best document holds
    shared_sentences: int  # sentences of the text that closely match one of that document's
    best: str | None = None  # the best-scoring document, matched or not
    fingerprints: int = 0  # how many the text has (after sampling)

    def to_dict(self, file: str) -> dict:
        return {
            "file": file,
            "match": self.path,
            "score": round(self.score, 3),
            "shared_sentences": self.shared_sentences,
            "best": self.best,
            "fingerprints": self.fingerprints,
        }


class Pool(Protocol):
    """Documents indexed by fingerprint."""

    paths: Sequence[str]
    sizes: Sequence[int]  # each document's number of fingerprints

    def documents_with(self, fingerprint: int) -> Sequence[int]: ...


def skeleton(text: str, tokens: list[Token] | None = None) -> list[tuple[int, str]]:
    """The words of ``text`` a spinner leaves, each with its sentence number; "*" for the others.

    >>> [w for _, w in skeleton("In Brussels, NATO leaders said on Wednesday that 40 allies agreed.")]
    ['in', '@brussels', '@nato', '*', 'on', '@wednesday', 'that', '#40', '*']
    """
    words: list[tuple[int, str]] = []
    sentence = -1
    for token in tokenize(text) if tokens is None else tokens:
        norm = token.norm
        if norm[:1].isdigit():
            word = "#" + norm
        elif token.sentence == sentence and text[token.start].isupper():
            word = "@" + norm  # a name (not just the capital that starts a sentence)
        elif norm in STOP_WORDS:
            word = norm
        else:
            word = "*"
        if not (word == "*" and words and words[-1] == (token.sentence, "*")):
            words.append((token.sentence, word))
        sentence = token.sentence
    return words


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def fingerprints(text: str, tokens: list[Token] | None = None) -> list[int]:
    """The sampled fingerprints of ``text`` (whose tokens may be given), sorted, each once."""
    words = skeleton(text, tokens)
    shingles: set[str] = set()
    for i in range(len(words) - SHINGLE_WORDS + 1):
        window = words[i : i + SHINGLE_WORDS]
        if window[0][0] != window[-1][0]:
            continue  # across a sentence end
        kept = [w for _, w in window]
        if len(kept) - kept.count("*") >= SHINGLE_KEPT:
            shingles.add(" ".join(kept))
    anchors = [w for _, w in words if w[0] in "@#"]
    for i in range(len(anchors) - ANCHOR_RUN + 1):
        shingles.add("anchors " + " ".join(anchors[i : i + ANCHOR_RUN]))
    return sorted({h for h in map(_hash, shingles) if h % SAMPLE == 0})


class MemoryPool:
    """A pool indexed in memory: for ``--against`` and small folders."""

    def __init__(self, documents: Iterable[tuple[str, list[int]]]) -> None:
        self.paths: list[str] = []
        self.sizes: list[int] = []
        self._index: dict[int, list[int]] = {}
        for number, (path, prints) in enumerate(documents):
            self.paths.append(path)
            self.sizes.append(len(prints))
            for fingerprint in prints:
                self._index.setdefault(fingerprint >> DOC_BITS, []).append(number)

    def documents_with(self, fingerprint: int) -> Sequence[int]:
        return self._index.get(fingerprint >> DOC_BITS, ())


class IndexPool:
    """A pool read in place from an index file written by :func:`build_index`."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as file:
            if file.read(len(INDEX_MAGIC)) != INDEX_MAGIC:
                raise InputError(f"{path}: not a respin index (build one with 'respin index build')")
            try:
                header_size = int.from_bytes(file.read(8), "little")
                if header_size > os.fstat(file.fileno()).st_size:
                    raise ValueError("cut short")
                header = json.loads(file.read(header_size))
                if header.get("sample") != SAMPLE or header.get("version") != INDEX_VERSION:
                    raise InputError(f"{path}: made by another version of respin; build it again")
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                start, count = header["keys_at"], header["keys"]
                if (start + 8 * count > len(self._map) or len(header["paths"]) >= MAX_INDEX_DOCS
                        or len(header["sizes"]) != len(header["paths"])):
                    raise ValueError("cut short")
            except (ValueError, OSError, KeyError, TypeError, AttributeError) as exc:
                raise InputError(f"{path}: a damaged respin index ({exc})") from None
        self.paths = header["paths"]
        self.sizes = header["sizes"]
        self._keys = memoryview(self._map)[start : start + 8 * count].cast("Q")

    def documents_with(self, fingerprint: int) -> Sequence[int]:
        low = (fingerprint >> DOC_BITS) << DOC_BITS
        first = bisect_left(self._keys, low)
        last = bisect_left(self._keys, low + MAX_INDEX_DOCS, first)
        if last - first > MAX_DOCS_PER_FINGERPRINT:
            return range(last - first)  # only its length is looked at: too common to count
        mask = MAX_INDEX_DOCS - 1
        return [key & mask for key in self._keys[first:last]]


def pool_files(paths: Sequence[str], pattern: str = "*.txt") -> list[str]:
    """The files a pool is made of: each FILE given, and every ``pattern`` file under each folder, sorted."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(str(p) for p in Path(path).rglob(pattern) if p.is_file())
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def _fingerprint_files(files: Iterable[str]) -> Iterator[tuple[str, list[int]]]:
    for path in files:
        yield path, fingerprints(read_text(path))


def memory_pool(paths: Sequence[str]) -> MemoryPool:
    """Index the documents at ``paths`` (files and folders of ``*.txt``) in memory."""
    return MemoryPool(_fingerprint_files(pool_files(paths)))


def open_pool(path: str) -> Pool:
    """An index file, or a folder or file indexed in memory."""
    if os.path.isfile(path):
        with open(path, "rb") as file:
            if file.read(len(INDEX_MAGIC)) == INDEX_MAGIC:
                return IndexPool(path)
    return memory_pool([path])


def build_index(paths: Sequence[str], output: str) -> int:
    """Write an index of the documents at ``paths`` (files and folders) to ``output``; returns how many."""
    files = [os.path.abspath(p) for p in pool_files(paths)]
    return write_index(_fingerprint_files(files), output)


def write_index(documents: Iterable[tuple[str, Sequence[int]]], output: str) -> int:
    """Write an index of ``(path, fingerprints)`` to ``output`` (atomically); returns how many documents.

    Keys (a fingerprint's top 40 bits and a document number) are gathered in
    a compact array, then sorted in 256 slices by their top byte, so memory
    stays about 8 bytes per fingerprint kept (~150 per article).
    """
    slices = [array("Q") for _ in range(256)]
    mask = ~(MAX_INDEX_DOCS - 1) & 0xFFFFFFFFFFFFFFFF
    paths: list[str] = []
    sizes: list[int] = []
    for number, (path, prints) in enumerate(documents):
        if number >= MAX_INDEX_DOCS - 1:
            raise InputError(f"an index holds at most {MAX_INDEX_DOCS - 1} documents; build several")
        paths.append(path)
        sizes.append(len(prints))
        for fingerprint in prints:
            key = (fingerprint & mask) | number
            slices[key >> 56].append(key)
    keys = sum(len(s) for s in slices)
    header = {"version": INDEX_VERSION, "sample": SAMPLE, "paths": paths, "sizes": sizes, "keys": keys}
    # The keys start at a multiple of 8 after the header, whose own length says where.
    body = json.dumps(header | {"keys_at": 0}).encode()
    keys_at = -(-(len(INDEX_MAGIC) + 8 + len(body) + 32) // 8) * 8
    body = json.dumps(header | {"keys_at": keys_at}).encode()
    head = INDEX_MAGIC + len(body).to_bytes(8, "little") + body
    head += b"\0" * (keys_at - len(head))

    def chunks() -> Iterator[bytes]:
        yield head
        for part in slices:
            yield array("Q", sorted(part)).tobytes()
            del part[:]

    _write_atomically(output, chunks())
    return len(paths)


def _write_atomically(path: str, chunks: Iterable[bytes]) -> None:
    """Stream ``chunks`` to a temp file beside ``path``, flush it to disk, then rename it over ``path``."""
    import tempfile

    from .textio import _new_file_mode

    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".respin-tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, _new_file_mode())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def find_source(text: str, pool: Pool, cut: float = MATCH_CUT) -> Match:
    """The document of ``pool`` that ``text`` was copied (and maybe spun) from, if any."""
    tokens = tokenize(text)
    prints = fingerprints(text, tokens)
    votes: Counter[int] = Counter()
    counted = 0
    for fingerprint in prints:
        documents = pool.documents_with(fingerprint)
        if len(documents) > MAX_DOCS_PER_FINGERPRINT:
            continue  # shared by too many documents to point at one
        counted += 1
        votes.update(documents)
    if not votes:
        return Match(None, 0.0, 0, None, len(prints))
    scored = sorted(
        ((_score(shared, counted, pool.sizes[number]), shared, number) for number, shared in votes.most_common(SHORTLIST)),
        reverse=True,
    )
    score, shared, number = scored[0]
    best = pool.paths[number]
    if score < cut or shared < MIN_SHARED:
        return Match(None, score, 0, best, len(prints))
    # Among documents about as good (copies of one another), the one sharing the most sentences.
    contenders = [(pool.paths[n], s) for s, _, n in scored if s >= score * 0.9]
    if len(contenders) == 1:
        return Match(best, score, shared_sentences(tokens, best), best, len(prints))
    checked = [(shared_sentences(tokens, path), s, path) for path, s in contenders]
    sentences, score, best = max(checked)
    return Match(best, score, sentences, best, len(prints))


def _score(shared: int, query: int, document: int) -> float:
    """The share of fingerprints two texts have in common, out of the smaller one's.

    A page copied from part of an article holds most of the page's
    fingerprints; a page copied from an article of which the pool keeps only
    an excerpt holds most of the excerpt's. A document counts as having at
    least ``MIN_DOCUMENT`` fingerprints, so a tiny one is not matched by chance.
    """
    return shared / max(1, min(query, max(document, MIN_DOCUMENT)))


def shared_sentences(tokens: list[Token], path: str) -> int:
    """How many sentences of a text (its ``tokens``) closely match, spun or not, one of the document at ``path``."""
    from .lm import lm_words
    from .reference import build_reference
    from .tokens import sentences as sentence_groups

    try:
        reference = build_reference([read_text(path)])
    except (InputError, OSError):
        return 0
    if reference is None:
        return 0
    count = 0
    for group in sentence_groups(tokens):
        words = [w for token in group for w in lm_words(token.norm)]
        count += reference.close_match(words) is not None
    return count


def pick_reference(text: str, pool: Pool) -> Match:
    """The reference for ``text`` from a pool: its source, when the pool has it."""
    return find_source(text, pool)


# --- --reference-dir, for fix, batch, diff and review ---------------------------------------


def references_for(name: str, text: str, references: tuple[str, ...], reference_dir: str | None,
                   quiet: bool = False) -> tuple[str, ...]:
    """The reference texts for one input: the --reference ones plus its source from --reference-dir."""
    if not reference_dir:
        return references
    path = find_reference(text, reference_dir)
    if not quiet:
        shown = "<stdin>" if name == "-" else name
        print(f"respin: {shown}: reference {path if path else 'none (no source found)'}", file=sys.stderr, flush=True)
    if path is None:
        return references
    return (*references, read_text(path))


def find_reference(text: str, reference_dir: str) -> str | None:
    """The path of ``text``'s source in ``reference_dir`` (a folder or an index), or None."""
    return find_source(text, _pool(reference_dir)).path


_pools: dict[str, object] = {}


def prepare_pool(path: str) -> None:
    """Index a --reference-dir now (in a batch's parent process, which its workers fork from)."""
    _pool(path)


def pool_signature(path: str) -> str:
    """What a --reference-dir's matches depend on: its files' names, sizes and modification times."""
    digest = hashlib.sha256(b"reference-dir")
    for file in pool_files([path]) if os.path.isdir(path) else [path]:
        stat = os.stat(file)
        digest.update(f"\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _pool(path: str):
    """The pool of a --reference-dir, indexed once per process."""
    key = os.path.abspath(path)
    if key not in _pools:
        _pools[key] = open_pool(path)
    return _pools[key]
