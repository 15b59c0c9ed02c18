"""One forked worker pool for building, grading and feedback pages (quizgen.workers)."""

import os

import pytest

from quizgen.workers import DEFAULT_JOBS, forked_map


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_closure_over_unpicklable_state_is_mapped_in_order(jobs):
    state = {"offset": 10, "lock": open(os.devnull)}  # a file: never pickled, only inherited
    try:
        with forked_map(lambda item: (item + state["offset"], os.getpid()), range(20), jobs, chunksize=3) as results:
            values, pids = zip(*results)
    finally:
        state["lock"].close()
    assert list(values) == list(range(10, 30))
    assert (os.getpid() in pids) == (jobs == 1)  # worked here, or only in the forked workers


def test_the_default_jobs_are_the_machines_cores():
    assert DEFAULT_JOBS == (os.cpu_count() or 1) >= 1
