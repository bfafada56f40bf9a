"""pocketsphinx's trie language-model file, read in place.

``NGramModel.readfile`` copies the whole 27 MB model into memory before the
first query: ~30 ms, mostly page faults, which is a quarter of a one-line
``respin fix``. This module maps the file instead and walks its trie in pure
Python, so a query touches a handful of pages. Each query is slower than
pocketsphinx's (microseconds, not a fraction of one), so :mod:`respin.lm`
answers the first queries here and hands over to pocketsphinx once a text
has asked enough of them to repay the load.

The walk mirrors pocketsphinx 5's ``lm_trie.c`` step for step, float32
arithmetic and unsigned overflow included, so :meth:`TrieModel.prob` returns
exactly what ``NGramModel.prob`` returns (tests/test_lm.py checks this on
every query the seeds make and on random ones).

File layout (little-endian): the header "Trie Language Model", the order,
the n-gram counts; a quantizer (a dummy int, then float32 bin centres: for
each middle order 2^16 probabilities and 2^16 back-offs, then 2^16
probabilities for the highest order); the unigrams as (prob, back-off,
first child) records; the bit-packed middle and highest-order arrays;
finally the vocabulary, sorted, NUL-separated. The trie runs from a word to
its history (w, then w-1, then w-2), so one walk finds the longest n-gram.
"""

from __future__ import annotations

import mmap
import struct
from itertools import accumulate

HEADER = b"Trie Language Model"
# What pocketsphinx returns for a word outside the vocabulary (log zero).
LOG_ZERO = -536870912

_QUANT_BITS = 16
_U32 = struct.Struct("<I")
_F32 = struct.Struct("<f")
_UNIGRAM = struct.Struct("<ffI")
_MASK32 = 0xFFFFFFFF
# Bytes of vocabulary per entry of the word-index lookup table.
_BLOCK = 4096


def _float32(value: float) -> float:
    """Round like a C float: the model adds float32 values."""
    return _F32.unpack(_F32.pack(value))[0]


def _base_size(entries: int, max_vocab: int, remaining_bits: int) -> int:
    """Bytes of one bit-packed array (lm_trie.c ``base_size``)."""
    total_bits = max_vocab.bit_length() + remaining_bits
    return ((1 + entries) * total_bits + 7) // 8 + 8


class _Level:
    """One bit-packed n-gram array: word id, quantized values, maybe a child pointer."""

    __slots__ = ("mm", "start", "word_bits", "word_mask", "total_bits", "max_vocab", "next_bits", "next_mask")

    def __init__(self, mm: mmap.mmap, start: int, max_vocab: int, quant_bits: int, max_next: int) -> None:
        self.mm = mm
        self.start = start
        self.max_vocab = max_vocab
        self.word_bits = max_vocab.bit_length()
        self.word_mask = (1 << self.word_bits) - 1
        self.next_bits = max_next.bit_length()
        self.next_mask = (1 << self.next_bits) - 1
        self.total_bits = self.word_bits + quant_bits + self.next_bits

    def read(self, bit: int, mask: int) -> int:
        """The field at ``bit`` (bitarr.c ``bitarr_read_int25``)."""
        return (_U32.unpack_from(self.mm, self.start + (bit >> 3))[0] >> (bit & 7)) & mask

    def find(self, word: int, begin: int, end: int) -> int | None:
        """Index of ``word`` among entries [begin, end), or None (``uniform_find``).

        Interpolation search with the C code's uint32 arithmetic, so that it
        probes — and finds — exactly what pocketsphinx does.
        """
        before_it, before_v = (begin - 1) & _MASK32, 0
        after_it, after_v = end, self.max_vocab
        if word > after_v:
            return None
        total_bits, word_mask = self.total_bits, self.word_mask
        while ((after_it - before_it) & _MASK32) > 1:
            width = (after_it - before_it - 1) & _MASK32
            offset = (((word - before_v) & _MASK32) * width) & _MASK32
            pivot = (before_it + 1 + offset // (((after_v - before_v) & _MASK32) + 1)) & _MASK32
            mid = self.read((pivot * total_bits) & _MASK32, word_mask)
            if mid < word:
                before_it, before_v = pivot, mid
            elif mid > word:
                after_it, after_v = pivot, mid
            else:
                return pivot
        return None

    def code(self, index: int, field: int) -> int:
        """The 16-bit quantizer code ``field`` bits after entry ``index``'s word id."""
        return self.read(index * self.total_bits + self.word_bits + field, 0xFFFF)

    def children(self, index: int) -> tuple[int, int]:
        """The range of ``index``'s children in the next level (``middle_find``)."""
        bit = index * self.total_bits + self.total_bits - self.next_bits
        return self.read(bit, self.next_mask), self.read(bit + self.total_bits, self.next_mask)


class TrieModel:
    """A trigram model in pocketsphinx's trie format, queried like ``NGramModel``."""

    def __init__(self, path: str) -> None:
        try:
            with open(path, "rb") as file:
                self._mm = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            self._read_layout(self._mm)
        except (IndexError, struct.error, ValueError):
            raise ValueError(f"{path}: not a whole trigram model in pocketsphinx's trie format") from None
        self._nuls_before_block: list[int] | None = None
        self._ids: dict[str, int] = {}

    def _read_layout(self, mm: mmap.mmap) -> None:
        """Where each part of the file starts."""
        if mm[: len(HEADER)] != HEADER or mm[len(HEADER)] != 3:
            raise ValueError("not a trigram trie")
        position = len(HEADER) + 1
        unigrams, bigrams, trigrams = struct.unpack_from("<3I", mm, position)
        position += 12 + 4  # counts, then the quantizer's dummy int
        self._bigram_probs = position
        self._bigram_backoffs = position + 4 * (1 << _QUANT_BITS)
        self._trigram_probs = position + 8 * (1 << _QUANT_BITS)
        self._unigrams = position + 12 * (1 << _QUANT_BITS)
        position = self._unigrams + _UNIGRAM.size * (unigrams + 1)
        self._bigrams = _Level(mm, position, unigrams, 2 * _QUANT_BITS, trigrams)
        position += _base_size(bigrams, unigrams, 2 * _QUANT_BITS + trigrams.bit_length())
        self._trigrams = _Level(mm, position, unigrams, _QUANT_BITS, 0)
        position += _base_size(trigrams, unigrams, _QUANT_BITS)
        (vocabulary_size,) = struct.unpack_from("<I", mm, position)
        if position + 4 + vocabulary_size != len(mm):
            raise ValueError("truncated")
        # The vocabulary with a NUL before each word, so a word is found as NUL + word + NUL.
        self._vocabulary = b"\0" + mm[position + 4 : position + 4 + vocabulary_size]

    def word_id(self, word: str) -> int:
        """The word's index in the sorted vocabulary, or -1 when it is not in it."""
        wid = self._ids.get(word)
        if wid is None:
            wid = self._search(word.encode("utf-8", "surrogatepass"))
            self._ids[word] = wid
        return wid

    def _search(self, word: bytes) -> int:
        """Binary search over the vocabulary's bytes; no index is built."""
        vocabulary = self._vocabulary
        low, high = 0, len(vocabulary) - 1  # NULs that bound the words still in play
        while low < high:
            middle = vocabulary.rfind(b"\0", low, (low + high) // 2 + 1)
            end = vocabulary.find(b"\0", middle + 1)
            candidate = vocabulary[middle + 1 : end]
            if candidate == word:
                return self._nuls_before(middle) - 1
            if candidate < word:
                low = end
            else:
                high = middle
        return -1

    def _nuls_before(self, position: int) -> int:
        """NULs in the vocabulary up to and including ``position``: the word index + 1.

        Counting from the start each time would cost ~0.3 ms a word, so the
        counts per block of the vocabulary are summed once, on first use.
        """
        block = position // _BLOCK
        if self._nuls_before_block is None:
            vocabulary = self._vocabulary
            counts = (vocabulary.count(b"\0", start, start + _BLOCK) for start in range(0, len(vocabulary), _BLOCK))
            self._nuls_before_block = [0, *accumulate(counts)]
        return self._nuls_before_block[block] + self._vocabulary.count(b"\0", block * _BLOCK, position + 1)

    def _unigram(self, wid: int) -> tuple[float, float, int, int]:
        prob, backoff, begin = _UNIGRAM.unpack_from(self._mm, self._unigrams + _UNIGRAM.size * wid)
        end = _UNIGRAM.unpack_from(self._mm, self._unigrams + _UNIGRAM.size * (wid + 1))[2]
        return prob, backoff, begin, end

    def _quant(self, table: int, code: int) -> float:
        return _F32.unpack_from(self._mm, table + 4 * code)[0]

    # A bigram entry holds its back-off code, then its probability code.
    def _bigram_prob(self, index: int) -> float:
        return self._quant(self._bigram_probs, self._bigrams.code(index, _QUANT_BITS))

    def _bigram_backoff(self, index: int) -> float:
        return self._quant(self._bigram_backoffs, self._bigrams.code(index, 0))

    def _trigram_prob(self, index: int) -> float:
        return self._quant(self._trigram_probs, self._trigrams.code(index, 0))

    def prob(self, words: list[str]) -> int:
        """log base 1.0001 of P(words[0] | words[1], words[2]) — as ``NGramModel.prob``.

        The history runs backwards (the previous word first); an
        out-of-vocabulary word in it ends the history there, and an
        out-of-vocabulary word scored gets :data:`LOG_ZERO`.
        """
        wid = self.word_id(words[0])
        if wid < 0:
            return LOG_ZERO
        history = []
        for word in words[1:3]:
            hid = self.word_id(word)
            if hid < 0:
                break
            history.append(hid)
        return int(self._score(wid, history))

    def _score(self, wid: int, history: list[int]) -> float:
        """``lm_trie_score`` for a trigram model: the float32 log probability."""
        prob, _, begin, end = self._unigram(wid)
        if not history:
            return prob
        if len(history) == 1:  # lm_trie_nobo_score
            bigram = self._bigrams.find(history[0], begin, end)
            if bigram is not None:
                return self._bigram_prob(bigram)
            return _float32(prob + self._unigram(history[0])[1])
        # lm_trie_hist_score, with the history's back-offs as update_backoff caches them.
        h1_backoff, h1_begin, h1_end = self._unigram(history[0])[1:]
        h2h1 = self._bigrams.find(history[1], h1_begin, h1_end)
        h2h1_backoff = 0.0 if h2h1 is None else self._bigram_backoff(h2h1)
        bigram = self._bigrams.find(history[0], begin, end)
        if bigram is None:
            return _float32(_float32(prob + h1_backoff) + h2h1_backoff)
        trigram_begin, trigram_end = self._bigrams.children(bigram)
        trigram = self._trigrams.find(history[1], trigram_begin, trigram_end)
        if trigram is None:
            return _float32(self._bigram_prob(bigram) + h2h1_backoff)
        return self._trigram_prob(trigram)


def is_trie_file(path: str) -> bool:
    """Whether ``path`` starts like a pocketsphinx trie model."""
    try:
        with open(path, "rb") as file:
            return file.read(len(HEADER)) == HEADER
    except OSError:
        return False
