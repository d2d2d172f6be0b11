"""The media phase draws several channels' recipients at once (sim/threads.py): same bytes on any
number of threads, and a clear error for a bad thread count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeysim.sim import threads
from journeysim.sim.errors import ConfigError
from tests.conftest import run_model
from tests.test_golden import model_digest

RUN = ("population.size=4000", "days=90", "seed=11")


LARGE = ("population.size=420000", "days=6", "seed=3", "outputs.mesa_agents=lazy")
"""Enough rows that the passes over everyone (funnel scan, retention clocks) are cut into ranges."""


@pytest.mark.parametrize("overrides", [RUN, (*RUN, "scenario=omnichannel"), (*RUN, "scenario=cart_recovery"), LARGE])
def test_a_run_is_the_same_bytes_on_one_thread_and_on_two(monkeypatch, overrides):
    digests = []
    for count in ("1", "2"):
        monkeypatch.setenv("JOURNEYSIM_THREADS", count)
        digests.append(model_digest(run_model(*overrides)).hexdigest())
    assert digests[0] == digests[1]


def test_results_come_back_in_the_order_of_the_items_whatever_order_the_threads_finish(monkeypatch):
    import time

    monkeypatch.setenv("JOURNEYSIM_THREADS", "3")
    assert threads.map_in_order(lambda k: time.sleep(0.01 * (5 - k)) or k * k, range(5)) == [0, 1, 4, 9, 16]


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_thread_count_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("JOURNEYSIM_THREADS", value)
    with pytest.raises(ConfigError, match="JOURNEYSIM_THREADS.*whole number of threads"):
        threads.thread_count()


def test_the_command_refuses_a_bad_thread_count_with_exit_status_2(tmp_path):
    journey = Path(sys.executable).parent / "journey"
    result = subprocess.run([str(journey), "population.size=500", "days=5", f"hydra.run.dir={tmp_path}"],
                            env={**os.environ, "JOURNEYSIM_THREADS": "x"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "JOURNEYSIM_THREADS" in result.stderr and "Traceback" not in result.stderr
