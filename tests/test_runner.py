"""The shared runner: results in job order whatever the workers, failures recorded, bad input carried back."""

from __future__ import annotations

from functools import partial

import pytest

from journeysim.experiments.runner import Failure, JobFailed, parallel_map, run_many
from journeysim.sim.errors import ConfigError


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x


def bad_input(key: str) -> None:
    raise ConfigError(key, 7, "a smaller number")


class Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a} and {b}")


def raise_unpicklable() -> None:
    raise Unpicklable(1, 2)


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_in_job_order(workers):
    results = run_many([partial(square, x) for x in range(12)], workers)
    assert results.values() == [x * x for x in range(12)]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_job_is_recorded_and_the_others_finish(workers):
    results = run_many([partial(fail_on_three, x) for x in range(6)], workers)
    assert [f.index for f in results.failures] == [3]
    failure = results.outcomes[3]
    assert isinstance(failure, Failure) and "ValueError: three is not allowed" in failure.error
    assert "fail_on_three" in failure.traceback
    assert [results.outcomes[k] for k in (0, 1, 2, 4, 5)] == [0, 1, 2, 4, 5]
    with pytest.raises(ValueError, match="three is not allowed"):
        results.values()


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_input_in_a_worker_reaches_the_caller_as_the_same_config_error(workers):
    with pytest.raises(ConfigError) as error:
        run_many([partial(bad_input, "market.price"), partial(bad_input, "days")], workers).values()
    assert (error.value.key, error.value.value, error.value.allowed) == ("market.price", 7, "a smaller number")


def test_an_exception_that_cannot_travel_back_is_reported_as_text():
    results = run_many([raise_unpicklable, partial(square, 2)], workers=2)
    assert results.failures[0].exception is None
    with pytest.raises(JobFailed, match="Unpicklable: 1 and 2"):
        results.values()


def test_progress_counts_finished_jobs():
    done: list[int] = []
    run_many([partial(square, x) for x in range(4)], workers=2, progress=done.append)
    assert done == [1, 2, 3, 4]


def test_unknown_executor_names_the_known_ones():
    with pytest.raises(ConfigError, match="local, ray, submitit"):
        run_many([partial(square, 1)], backend="dask-ish")


def test_ray_executor_without_ray_is_a_clear_error():
    try:
        import ray  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"pip install -e '\.\[ray\]'"):
            parallel_map(abs, [-1, -2], workers=2, backend="ray")
    else:  # make test-ray runs it with Ray (tests/test_ray.py)
        pytest.skip("Ray is installed here")
