"""One long text restored by several processes, with the result one process gives.

Each worker analyses its stretch (stages 1–3) and sends back only its tally;
the parent merges the tallies into the document's setting (prior, vouching
peers, plain uses) and sends it back; each worker decides its stretch under
that setting and returns its fixes. Workers are forked, so they share the
parent's loaded tables; each moves its language model into pocketsphinx
once its stretch has asked enough of it (see ``lm.NATIVE_AFTER_QUERIES``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from .decide import Setting, Tally, decide, merge_tallies
from .records import Fix


def fix_in_parallel(
    pieces: list[tuple[int, str]],
    analyse: Callable[[str, int], object],
    settle: Callable[[Tally], Setting],
    near_misses: bool = True,
) -> tuple[list[Fix], list[Fix], Tally]:
    """Applied and rejected fixes (document offsets) and the merged tally of ``pieces``.

    ``analyse(text, offset)`` runs stages 1–3 on a piece (``pipeline.analyse``
    with the engine and references bound) and ``settle(tally)`` makes the
    document's setting; the pipeline passes both, so this module needs nothing of it.
    """
    context = multiprocessing.get_context("fork")
    links = []
    workers = []
    try:
        for offset, text in pieces:
            parent_end, child_end = context.Pipe()
            worker = context.Process(
                target=_work, args=(child_end, offset, text, analyse, near_misses), daemon=True
            )
            worker.start()
            child_end.close()
            links.append(parent_end)
            workers.append(worker)
        evidence = merge_tallies([_receive(link) for link in links])
        setting = settle(evidence)
        for link, (offset, _) in zip(links, pieces):
            link.send(setting._replace(offset=offset))
        applied: list[Fix] = []
        rejected: list[Fix] = []
        for link in links:
            piece_applied, piece_rejected = _receive(link)
            applied += piece_applied
            rejected += piece_rejected
        return applied, rejected, evidence
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _receive(link):
    try:
        message = link.recv()
    except EOFError:
        raise RuntimeError("a worker process died while restoring a long text") from None
    if isinstance(message, BaseException):
        raise message
    return message


def _work(link, offset: int, text: str, analyse: Callable[[str, int], object], near_misses: bool) -> None:
    from .signals import as_worker

    as_worker()  # the parent stops the run; an orphan would hold gigabytes for nothing
    try:
        analysis = analyse(text, offset)
        link.send(analysis.tally)
        setting = link.recv()
        applied, rejected = decide(text, analysis.tokens, analysis.clusters, setting, near_misses)
        link.send(([_shift(f, offset) for f in applied], [_shift(f, offset) for f in rejected]))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        link.send(exc)
    finally:
        link.close()


def _shift(fix: Fix, offset: int) -> Fix:
    return fix._replace(start=fix.start + offset, end=fix.end + offset)
