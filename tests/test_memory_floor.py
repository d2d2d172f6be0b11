"""The memory floor of a day (benchmarks/floor.py) counts what a day changes, line by line."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.floor import LINE, customer_arrays, dirty_lines  # noqa: E402
from tests.conftest import make_spec  # noqa: E402


def test_dirty_lines_counts_each_changed_cache_line_once() -> None:
    before = np.zeros(1_000, np.float32)  # 4,000 bytes: 62 full lines and a part line
    after = before.copy()
    after[[0, 1, 15]] = 1.0  # all in line 0 (16 float32 a line)
    after[16] = 1.0  # line 1
    after[999] = 1.0  # the part line at the end
    assert dirty_lines(before, after) == 3
    assert dirty_lines(before, before.copy()) == 0
    assert LINE // before.itemsize == 16


def test_dirty_lines_reads_every_axis_of_a_two_dimensional_array() -> None:
    before = np.zeros((4, 64), np.float32)  # each row of 64 float32 is 4 lines
    after = before.copy()
    after[3, 63] = 2.0
    after[1, 0] = 2.0
    assert dirty_lines(before, after) == 2


def test_customer_arrays_finds_the_state_and_the_channels_stocks_once_each() -> None:
    from journeysim.runner import build_model

    model = build_model(make_spec("population.size=2000", "days=5"))
    for _ in range(3):
        model.step()
    arrays = customer_arrays(model, model.state.size)
    paths = set(arrays)
    assert "model.state.interest" in paths
    assert "model.state.levels" in paths  # (4, rows): the last axis is the customers
    assert any(path.startswith("model.touchpoints.channels.") and path.endswith(".stock") for path in paths)
    buffers = [array.__array_interface__["data"][0] for array in arrays.values()]
    assert len(buffers) == len(set(buffers)), "an array reached by two paths is counted once"
    assert all(array.shape[-1] == model.state.size for array in arrays.values())
