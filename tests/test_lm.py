"""The language model: the mapped trie reader answers exactly as pocketsphinx does."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from helpers import EXAMPLES, SPUN_SEED_FILES

from respin import lm
from respin.sphinx_trie import LOG_ZERO, TrieModel, is_trie_file


@pytest.fixture(scope="module")
def models():
    from pocketsphinx import NGramModel

    path = lm.default_model_path()
    return TrieModel(path), NGramModel.readfile(path)


def _vocabulary(trie: TrieModel) -> list[str]:
    return trie._vocabulary[1:-1].decode().split("\0")


def test_word_ids_are_vocabulary_positions(models):
    trie, _ = models
    vocabulary = _vocabulary(trie)
    sample = vocabulary[:50] + vocabulary[-50:] + random.Random(0).sample(vocabulary, 2000)
    assert all(trie.word_id(word) == vocabulary.index(word) for word in sample[:100])
    assert [trie.word_id(word) for word in sample] == [vocabulary.index(word) for word in sample]
    for outside in ("", "qqzx", "Said", "naïveté", "zzzzzzzzz", "\u00a0", "a\0b"):
        assert trie.word_id(outside) == -1


def _queries(trie: TrieModel, count: int) -> list[list[str]]:
    """Windows of the seeds (word first, then history) and random vocabulary triples."""
    rng = random.Random(2022)
    words = [w.strip('.,"“”’()') for name in SPUN_SEED_FILES for w in (EXAMPLES / name).read_text().lower().split()]
    words = [w for w in words if w]
    pool = words + rng.sample(_vocabulary(trie), 3000) + ["<s>", "</s>", "the", "of", "qqzx", "said", "zyuganov"]
    queries = []
    for _ in range(count):
        size = rng.choice((1, 2, 3, 3))
        if rng.random() < 0.5:
            start = rng.randrange(len(words) - 3)
            queries.append(words[start : start + 3][::-1][:size])
        else:
            queries.append([rng.choice(pool) for _ in range(size)])
    return queries


def test_mapped_model_gives_pocketsphinx_numbers(models):
    trie, native = models
    queries = _queries(trie, 30_000)
    differences = [(q, trie.prob(q), native.prob(q)) for q in queries if trie.prob(q) != native.prob(q)]
    assert differences == []
    # The sample covers every path: unknown words, unigram, bigram and trigram hits, back-offs.
    assert any(trie.prob(q) == LOG_ZERO for q in queries)
    assert len({len(q) for q in queries}) == 3


def test_every_query_of_the_seeds_matches(models, monkeypatch):
    from respin import pipeline
    from respin.config import DEFAULT

    trie, native = models
    asked = []

    class RecordingTrie(TrieModel):
        def prob(self, words: list[str]) -> int:
            asked.append(list(words))
            return super().prob(words)

    monkeypatch.setattr(lm, "TrieModel", RecordingTrie)
    monkeypatch.setattr(lm, "NATIVE_AFTER_QUERIES", 10**9)
    scorer = lm.PocketsphinxScorer()
    monkeypatch.setattr(pipeline, "load_scorer", lambda path=None: scorer)
    for name in SPUN_SEED_FILES:
        pipeline.fix((EXAMPLES / name).read_text(), (), DEFAULT)
    assert len(asked) > 3000
    assert [trie.prob(q) for q in asked] == [native.prob(q) for q in asked]


def test_scorer_switches_to_pocketsphinx_without_changing_scores(monkeypatch):
    monkeypatch.setattr(lm, "NATIVE_AFTER_QUERIES", 10)
    scorer = lm.PocketsphinxScorer()
    queries = [("said", "<s>", "nato"), ("leaders", "nato", "said"), ("security", "the", "about")] * 2
    words = [w for q in queries for w in q] + ["talks", "in", "geneva"] * 5
    before_switch = [scorer.logprob(w, None, "the") for w in words[:8]]
    assert scorer._prob == scorer._mapped_prob
    after_switch = [scorer.logprob(w, "of", "the") for w in words]
    assert scorer._prob != scorer._mapped_prob
    mapped = lm.PocketsphinxScorer()
    assert before_switch == [mapped.logprob(w, None, "the") for w in words[:8]]
    assert after_switch == [mapped.logprob(w, "of", "the") for w in words]


def test_a_one_line_fix_never_loads_pocketsphinx():
    code = (
        "import sys; from respin import Config, fix; "
        "r = fix('NATO leaders mentioned the safety talks in Geneva.', config=Config(spin_prior=0)); "
        "print('pocketsphinx' in sys.modules, len(r.fixes) > 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]


def test_an_arpa_model_is_read_by_pocketsphinx(tmp_path):
    arpa = tmp_path / "tiny.arpa"
    arpa.write_text(
        "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1.0\t<s>\t-0.5\n-1.0\t</s>\n-0.5\tsaid\t-0.3\n-0.7\ttalks\t-0.2\n"
        "\n\\2-grams:\n-0.1\t<s> said\n-0.2\tsaid talks\n\n\\end\\\n"
    )
    assert not is_trie_file(str(arpa))
    scorer = lm.PocketsphinxScorer(str(arpa))
    assert scorer.logprob("talks", None, "said") == pytest.approx(-0.2, abs=1e-3)
    assert scorer.logprob("talks", None, "<s>") == pytest.approx(-0.5 + -0.7, abs=1e-3)
    assert scorer.logprob("unheard", None, "said") == lm.OOV_LOGPROB


@pytest.mark.parametrize("size", [0, 10, 1000, -1])
def test_a_damaged_model_file_is_refused_at_once(tmp_path, size):
    model = open(lm.default_model_path(), "rb").read()
    damaged = tmp_path / "damaged.lm.bin"
    damaged.write_bytes(model[:size])
    with pytest.raises(ValueError, match="damaged.lm.bin: not a whole trigram model"):
        TrieModel(str(damaged))


def test_default_model_is_the_trie_shipped_with_pocketsphinx():
    path = lm.default_model_path()
    assert path.endswith("en-us.lm.bin") and is_trie_file(path)
    assert not is_trie_file(str(EXAMPLES / "002_7d6c65d472a597a6.txt"))
