"""The stretches of a long text restored by several processes, with the result one process gives.

:func:`ordered_map` runs the passes of :func:`respin.pipeline.restore_stretches`
— analysing the stretches, then deciding them — over forked worker
processes, in order, with only a few stretches in flight, so memory stays
flat however long the text. Workers are forked, so they share the parent's
loaded tables and reference without copying them; the same workers serve
both passes, so their language-model caches stay warm, and each moves its
model into pocketsphinx once it has asked enough of it (see
``lm.NATIVE_AFTER_QUERIES``).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# Stretches handed out per worker before the first result is awaited:
# enough to keep every worker busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2

_state: Any = None  # what a worker shares with its parent


Run = Callable[[Callable[[Any, Any], Any], Iterable[Any]], Iterator[Any]]


@contextmanager
def ordered_map(state: Any, jobs: int) -> Iterator[Run]:
    """A ``run(function, items)`` that yields ``function(state, item)`` for each item, in order.

    With ``jobs`` > 1 in that many forked processes, which inherit
    ``state`` (it is never pickled); ``function`` must be a module's, and
    items and results travel by pipe; ``items`` is read only as fast as
    workers take them. Item i of every run goes to worker i % jobs, and each
    worker takes its items in order, so what a worker keeps from one run
    (pass 1) is there for the same item of the next (pass 2). An exception
    in a worker is raised here; a worker that dies raises ``RuntimeError``.
    """
    if jobs <= 1:
        yield lambda function, items: (function(state, item) for item in items)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    workers = [
        ProcessPoolExecutor(1, mp_context=context, initializer=_remember, initargs=(state,)) for _ in range(jobs)
    ]

    def run(function: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        pending: deque = deque()
        for index, item in enumerate(items):
            pending.append(workers[index % jobs].submit(_call, function, item))
            if len(pending) >= IN_FLIGHT_PER_WORKER * jobs:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())

    finished = False
    try:
        yield run
        finished = True
    finally:
        for worker in workers:
            if finished:
                worker.shutdown(wait=True)
                continue
            # an error or Ctrl-C: stop the workers now, not after their queues
            processes = list((getattr(worker, "_processes", None) or {}).values())
            worker.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()


def _remember(state: Any) -> None:
    from .signals import as_worker

    global _state
    _state = state
    as_worker()  # the parent stops the run; an orphan would hold gigabytes for nothing


def _call(function: Callable[[Any, Any], Any], item: Any) -> Any:
    return function(_state, item)


def _result(future) -> Any:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise RuntimeError("a worker process died while restoring a long text") from None
