"""Models are freed when no longer used: Mesa 3.3.1's class-level ``mesa.Agent._ids`` would keep
every model alive (Mesa issue #3179); ``Customer._ids`` holds them weakly instead."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import mesa

from journeysim import simulate
from journeysim.agents.customer import Customer


def test_a_finished_model_dies_once_its_result_is_dropped() -> None:
    result = simulate(overrides={"population.size": 2000, "days": 5, "outputs.mesa_agents": "eager"}, seed=1)
    assert len(result.model.agents) == result.model.state.in_market > 0 and result.model in Customer._ids
    model = weakref.ref(result.model)
    del result
    gc.collect()
    assert model() is None
    assert not [m for m in mesa.Agent._ids if m.__class__.__name__ == "JourneyModel"]


def test_many_models_in_one_process_keep_memory_flat() -> None:
    """Four runs in a row: memory held after the last is that held after the second (caches warm up
    on the first), give or take a fifth of one model."""
    overrides = {"population.size": 3000, "days": 3, "outputs.mesa_agents": "eager"}
    simulate(overrides={**overrides, "population.size": 100}, seed=0)  # imports and first-use caches
    gc.collect()
    held = []
    tracemalloc.start()
    try:
        for seed in range(4):
            result = simulate(overrides=overrides, seed=seed)
            if seed == 0:
                model_bytes = tracemalloc.get_traced_memory()[0]  # one live model and its result
            del result
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert model_bytes > 2**20  # a model of 3,000 customers holds megabytes: the test can see one
    assert held[-1] - held[1] < model_bytes / 5, (held, model_bytes)
