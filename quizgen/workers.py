"""Work shared among forked worker processes: building papers, grading slices, feedback pages.

Each of those maps one function over many items with large read-only state (an
exam plan, a grading key and the class's cells, a gradebook's results). Worker
processes forked after the function is set share that state with the parent,
copy-on-write, instead of having it pickled to them.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager

from quizgen.progress import progress

DEFAULT_JOBS = os.cpu_count() or 1  # the --jobs of grade, regrade and feedback: all cores

_task = None  # the function being mapped, as the forked workers inherit it


def _run(item):
    return _task(item)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """A worker's first act: be killed when the process that forked it dies, however it dies (kill -9
    included; a worker blocked waiting for work would otherwise wait forever). Linux's
    PR_SET_PDEATHSIG; elsewhere a thread watches the parent's pid."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the signal was asked for
                os._exit(1)
            return
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


@contextmanager
def forked_map(task, items, jobs: int = 1, chunksize: int = 1, label: str | None = None, quiet: bool = True):
    """Gives an iterator of ``task(item)`` for each of ``items``, in order.

    With ``jobs`` > 1 and more than one item, ``jobs`` worker processes are forked on entry and
    given every item at once, so they work while the caller does other things before asking for
    the first result; ``task`` may be any callable (a closure, a partial holding the shared state):
    the workers inherit it and are sent only the items (``chunksize`` at a time). Otherwise the
    items are worked through here, one as each result is asked for. With a ``label``, a progress
    bar advances by one item for each result (unless ``quiet``).
    """
    global _task
    items = list(items)
    with progress(items, label or "", quiet or label is None, length=len(items)) as bar:
        if jobs <= 1 or len(items) <= 1:
            yield _advancing(bar, map(task, items))
            return
        import multiprocessing  # here: the command line reads DEFAULT_JOBS at every start
        from concurrent.futures import ProcessPoolExecutor

        _task = task
        try:
            # forked (all at the first submit, before the pool starts its own thread): every worker
            # has the task and its state
            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_die_with, initargs=(os.getpid(),))
            try:
                yield _advancing(bar, pool.map(_run, items, chunksize=chunksize))
            finally:
                pool.shutdown(cancel_futures=True)
        finally:
            _task = None


def _advancing(bar, results):
    """``results``, advancing ``bar`` (a click progress bar, or the items when it is not shown) by one
    for each."""
    for result in results:
        if hasattr(bar, "update"):
            bar.update(1)
        yield result
