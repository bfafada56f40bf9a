"""respin match: does every spun page find its source, and only its source? And how fast?

    python benchmarks/bench_match.py [--pool-dir /work/data/pool] [--synthetic 200] [--index-docs 100000]

1. Accuracy. The pool is every real clean article found locally (the team's
   tests/data/clean and tests/data/reference, the seeds' hand restorations,
   seeds 002 and 004, and when present /work/data/clean/*.txt and the
   originals in /work/data/real/orig — texts that are never committed),
   topped up to at least 200 documents with SYNTHETIC articles: text drawn
   from a word-bigram model of those real articles, so it has their
   vocabulary, names and function-word patterns (and even short runs of
   their sentences) without being any of them. Queries:
   - each spun page whose original is in the pool (seeds 000/001/003, the
     team's spun.txt, the real spun pages of /work/data/real/spun): must find it;
   - the same pages against the pool without their original (and without
     copies of it): must get null — seed 000 then has seed 002, another
     article on the same story, in the pool;
   - the real spun pages whose original was never found
     (/work/data/real/spun-only): null, unless the pool happens to hold it;
   - every real clean article against the pool without it: null.
2. Speed. An index of ``--index-docs`` documents: the real pool plus
   synthetic fingerprint sets (~150 random 64-bit fingerprints each, a tenth
   of them drawn from a shared set of 5,000 "common" ones, as common phrases
   are): built once with write_index, then the spun pages are queried
   against it, end to end (fingerprint, look up, read the match and check
   its sentences).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from respin.match import (  # noqa: E402
    SAMPLE,
    IndexPool,
    MemoryPool,
    find_source,
    fingerprints,
    write_index,
)

DATA = ROOT / "tests" / "data"
REAL = Path("/work/data/real")
CLEAN = Path("/work/data/clean")
SEEDS = ("000_61a0575f8c2cb013", "001_1bbe2db73775effa", "003_83ece18359cce910")


def read(path: Path | str) -> str:
    return Path(path).read_text(encoding="utf-8")


def real_pool() -> list[Path]:
    files = sorted((DATA / "clean").glob("*.txt"))
    files += [DATA / "reference" / "original.txt", DATA / "reference" / "other_story.txt"]
    files += sorted((DATA / "restored").glob("*.txt"))
    files += [ROOT / "examples" / "002_7d6c65d472a597a6.txt", ROOT / "examples" / "004_ea844aa1372452d4.txt"]
    if CLEAN.is_dir():
        files += sorted(CLEAN.glob("*.txt"))
    if (REAL / "orig").is_dir():
        files += sorted((REAL / "orig").glob("*.txt"))
    return files


def spun_queries() -> list[tuple[Path, Path]]:
    """(spun page, its original in the pool)."""
    pairs = [(ROOT / "examples" / f"{seed}.txt", DATA / "restored" / f"{seed}.txt") for seed in SEEDS]
    pairs.append((DATA / "reference" / "spun.txt", DATA / "reference" / "original.txt"))
    if (REAL / "spun").is_dir():
        pairs += [(page, REAL / "orig" / page.name) for page in sorted((REAL / "spun").glob("*.txt"))
                  if (REAL / "orig" / page.name).exists()]
    return pairs


def paired_originals() -> dict[str, Path]:
    """Spun page URL -> the (partial) original paired with that page in pairs.jsonl."""
    import json

    pairs = REAL / "pairs.jsonl"
    if not pairs.exists():
        return {}
    found = {}
    for line in pairs.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("spun_url") and (REAL / record["orig"]).exists():
            found[record["spun_url"]] = REAL / record["orig"]
    return found


def synthetic_articles(sources: list[str], count: int, seed: int = 13) -> list[str]:
    """Articles drawn from a word-bigram model of ``sources``: plausible, and none of them."""
    rng = random.Random(seed)
    follows: dict[str, list[str]] = {}
    starts: list[str] = []
    for text in sources:
        words = text.split()
        for a, b in zip(words, words[1:]):
            follows.setdefault(a, []).append(b)
            if re.search(r"[.!?][\"”’]?$", a):
                starts.append(b)
    articles = []
    for _ in range(count):
        out: list[str] = []
        word = rng.choice(starts)
        target = rng.randint(250, 700)
        while len(out) < target:
            out.append(word)
            options = follows.get(word)
            word = rng.choice(options) if options and rng.random() > 0.02 else rng.choice(starts)
            if re.search(r"[.!?][\"”’]?$", out[-1]) and rng.random() < 0.25:
                out.append("\n\n")
        articles.append(" ".join(out).replace(" \n\n ", "\n\n") + "\n")
    return articles


def build_pool(pool_dir: Path, synthetic: int) -> list[Path]:
    real = real_pool()
    folder = pool_dir / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = max(synthetic, 200 - len(real))
    made = sorted(folder.glob("*.txt"))
    if len(made) < wanted:
        for k, text in enumerate(synthetic_articles([read(p) for p in real], wanted)):
            (folder / f"synthetic-{k:04d}.txt").write_text(text, encoding="utf-8")
        made = sorted(folder.glob("*.txt"))
    return real + made[:wanted]


def same_text_groups(files: list[Path]) -> dict[Path, set[Path]]:
    """Each file and the files with the same text (a07 and a08 share their original)."""
    by_text: dict[str, set[Path]] = {}
    for path in files:
        by_text.setdefault(read(path).strip(), set()).add(path)
    return {path: by_text[read(path).strip()] for path in files}


def accuracy(files: list[Path]) -> int:
    prints = {path: fingerprints(read(path)) for path in files}
    copies = same_text_groups(files)

    def pool_without(excluded: set[Path]) -> MemoryPool:
        return MemoryPool((str(p), prints[p]) for p in files if p not in excluded)

    full = pool_without(set())
    failures = 0
    real = [p for p in files if "synthetic" not in p.parts]
    print(f"pool: {len(files)} documents ({len(real)} real clean articles, {len(files) - len(real)} synthetic)")
    print("\nspun pages, their original in the pool (must match it):")
    for spun, source in spun_queries():
        found = find_source(read(spun), full)
        ok = found.path is not None and Path(found.path) in copies[source]
        failures += not ok
        print(f"  {'ok ' if ok else 'BAD'} {spun.name:32} score {found.score:.2f}  {found.shared_sentences:3} shared"
              f"  -> {found.path and Path(found.path).name}")
    print("\nthe same pages, their original (and its copies) removed (must be null):")
    scores = []
    for spun, source in spun_queries():
        found = find_source(read(spun), pool_without(copies[source]))
        ok = found.path is None
        failures += not ok
        scores.append(found.score)
        print(f"  {'ok ' if ok else 'BAD'} {spun.name:32} best {found.score:.2f} "
              f"({found.best and Path(found.best).name})")
    if (REAL / "spun-only").is_dir():
        print("\nreal spun pages left unpaired: null, unless the pool holds an excerpt of their original")
        print("(when pairs.jsonl pairs the same page, known by the URL on its first line):")
        paired = paired_originals()
        for spun in sorted((REAL / "spun-only").glob("*.txt")):
            found = find_source(read(spun), full)
            expected = paired.get(read(spun).split("\n", 1)[0].strip())
            ok = (found.path is None) if expected is None else (found.path is not None and
                                                                  Path(found.path) in copies.get(expected, set()))
            failures += not ok
            print(f"  {'ok ' if ok else 'BAD'} {spun.name:32} best {found.score:.2f} "
                  f"({found.best and Path(found.best).name}) -> {found.path and Path(found.path).name}"
                  f"{f'  (its excerpt {expected.name})' if expected else ''}")
    print("\neach real clean article, itself (and its copies) removed (must be null):")
    worst = (0.0, None)
    bad = 0
    for path in real:
        found = find_source(read(path), pool_without(copies[path]))
        bad += found.path is not None
        worst = max(worst, (found.score, path.name))
        if found.path is not None:
            print(f"  BAD {path.name} -> {found.path} ({found.score:.2f})")
    failures += bad
    print(f"  {len(real) - bad}/{len(real)} null; highest score {worst[0]:.2f} ({worst[1]})")
    return failures


def speed(files: list[Path], documents: int, queries: int) -> None:
    rng = random.Random(7)
    common = [rng.getrandbits(64) // SAMPLE * SAMPLE for _ in range(5000)]
    real = [(str(p), fingerprints(read(p))) for p in files]

    def stream():
        yield from real
        for k in range(documents - len(real)):
            prints = {rng.getrandbits(64) for _ in range(135)} | {rng.choice(common) for _ in range(15)}
            yield f"/nonexistent/synthetic-{k}.txt", sorted(prints)

    with tempfile.TemporaryDirectory() as folder:
        index = os.path.join(folder, "pool.index")
        started = time.perf_counter()
        write_index(stream(), index)
        built = time.perf_counter() - started
        size = os.path.getsize(index)
        started = time.perf_counter()
        pool = IndexPool(index)
        opened = time.perf_counter() - started
        # Read once: /work/data/real is rewritten while its collector works.
        pages = [read(spun) for spun, _ in spun_queries()]
        started, cpu_started = time.perf_counter(), time.process_time()
        found = 0
        for k in range(queries):
            found += find_source(pages[k % len(pages)], pool).path is not None
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"\nindex of {documents:,} documents: written in {built:.1f} s (from fingerprints), "
          f"{size / 1e6:.0f} MB, opened in {opened * 1000:.0f} ms")
    print(f"{queries} queries (spun pages: fingerprint, look up, read the match and check its sentences): "
          f"{queries / elapsed:.0f} queries/s, {elapsed / queries * 1000:.1f} ms each "
          f"({queries / cpu:.0f}/s of CPU time: the machine's other load aside); {found} matched")
    started = time.perf_counter()
    for path, _ in real[:50]:
        fingerprints(read(path))
    per_doc = (time.perf_counter() - started) / min(50, len(real))
    print(f"fingerprinting a real article takes {per_doc * 1000:.1f} ms: building from 100,000 files "
          f"~{per_doc * 1e5 / 60:.0f} min on one core")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool-dir", default="/work/data/pool", help="where the synthetic articles are written")
    parser.add_argument("--synthetic", type=int, default=200, help="synthetic articles in the accuracy pool")
    parser.add_argument("--index-docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    files = build_pool(Path(args.pool_dir), args.synthetic)
    failures = accuracy(files)
    speed(files, args.index_docs, args.queries)
    print(f"\n{failures} failure(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
