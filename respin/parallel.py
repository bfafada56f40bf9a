"""The stretches of a long text restored by several processes, with the result one process gives.

:func:`ordered_map` runs one pass of :func:`respin.pipeline.restore_stretches`
— analysing the stretches, then deciding them — over forked worker
processes, in order, with only a few stretches in flight, so memory stays
flat however long the text. Workers are forked, so they share the parent's
loaded tables and whatever the pass needs (the document's setting for the
decisions) without copying it per stretch; each moves its language model
into pocketsphinx once it has asked enough of it (see
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

_task: tuple[Callable[[Any, Any], Any], Any] | None = None  # a worker's function and shared state


@contextmanager
def ordered_map(
    function: Callable[[Any, Any], Any], state: Any, jobs: int
) -> Iterator[Callable[[Iterable[Any]], Iterator[Any]]]:
    """A ``run(items)`` that yields ``function(state, item)`` for each item, in order.

    With ``jobs`` > 1 in that many forked processes, which inherit
    ``state`` (it is never pickled); items and results travel by pipe, and
    ``items`` is read only as fast as workers take them. An exception in a
    worker is raised here; a worker that dies raises ``RuntimeError``.
    """
    if jobs <= 1:
        yield lambda items: (function(state, item) for item in items)
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_remember, initargs=(function, state)
    )

    def run(items: Iterable[Any]) -> Iterator[Any]:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(_call, item))
            if len(pending) >= IN_FLIGHT_PER_WORKER * jobs:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())

    finished = False
    try:
        yield run
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # an error or Ctrl-C: stop the workers now, not after their queue
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()


def _remember(function: Callable[[Any, Any], Any], state: Any) -> None:
    global _task
    _task = (function, state)


def _call(item: Any) -> Any:
    assert _task is not None
    function, state = _task
    return function(state, item)


def _result(future) -> Any:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise RuntimeError("a worker process died while restoring a long text") from None
