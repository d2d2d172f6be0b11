"""Where the default market's step time goes: each phase's share of CPU under ``cProfile``.

Usage::

    python benchmarks/phases.py 1000000 90            # customers, days
    python benchmarks/phases.py 1000000 90 competition=three_brands
    python benchmarks/phases.py 1000000 365 --wall    # each phase's wall time, without the profiler
    python benchmarks/phases.py 1000000 90 --kernels  # time inside the compiled kernels, and the ceiling
    python benchmarks/phases.py 1000000 90 --kernels --baseline  # ... as ratios to per-agent Mesa

Builds the model as ``benchmarks/run.py`` does (lazy Mesa agents, no event log), steps day 1 outside the profile
(numba loads its kernels), then profiles ``model.run()`` and prints the CPU seconds and the
cumulative share of each ``run_*`` phase and of the hot spots named in docs/performance.md. The
profiler inflates the Python-heavy parts (SimPy, small numpy calls) against the compiled ones, so
read the shares as an order, and time speed-ups with ``make bench``.

``--kernels`` times every call of a compiled kernel (numba) by the wall clock, and prints the
**ceiling**: how many times as fast the step would be if everything outside the kernels (Python,
numpy calls, SimPy's events) took no time at all. A kernel called from another kernel counts in
its caller. With ``--baseline`` it also runs ``make bench``'s per-agent Mesa baseline before and
after the run and gives the step and the ceiling as ratios to their mean, as ``make bench`` does.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks.run, as a script

HOT_SPOTS = {("sim/touchpoints.py", "_sample"): "drawing impression recipients",
             ("sim/rates.py", "refresh"): "derived-rate refresh (inside several phases)",
             ("simpy/core.py", "run"): "SimPy's event loop",
             ("sim/stage_stays.py", "moved"): "stage stays",
             ("sim/devices.py", "visit"): "device sessions",
             ("sim/kernels.py", "decay_scan"): "the funnel's compiled scan"}
"""(folder/file, function) -> what it is, for the lines after the phases."""


def _where(path: str) -> str:
    """The last folder and file of ``path`` (``.../sim/rates.py`` -> ``sim/rates.py``)."""
    return "/".join(path.replace("\\", "/").split("/")[-2:])


STEP_PHASES = ("pull_levers", "run_population", "run_media", "run_demand", "hold_conversations", "run_competitors",
               "advance_funnel", "run_purchases", "run_retention", "run_service", "record_day")
"""The model's methods that :meth:`JourneyModel.step` calls in turn: their times add up to the step's."""


def wall_shares(model, days: str) -> None:
    """Step ``model`` to its end with each of :data:`STEP_PHASES` timed by the wall clock (no profiler,
    so compiled and Python-heavy parts are weighed alike); print each phase's seconds and share."""
    spent = dict.fromkeys(STEP_PHASES, 0.0)

    def timed(name: str):
        phase = getattr(model, name)

        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return phase(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return run

    for name in STEP_PHASES:
        setattr(model, name, timed(name))
    started = time.perf_counter()
    model.run()
    total = time.perf_counter() - started
    print(f"{model.state.size:,} rows x {days} days: {total:.2f} s of stepping (wall, day 1 excluded)")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:<20} {seconds:6.2f} s {seconds / total:5.0%}")


def compiled_kernels() -> dict[int, tuple[str, object]]:
    """Every compiled kernel bound to a name in a loaded ``journeysim`` module, by identity:
    ``id(kernel) -> ("module.name", kernel)`` (a kernel imported into another module is one entry)."""
    from numba.core.registry import CPUDispatcher

    kernels: dict[int, tuple[str, object]] = {}
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith("journeysim.") or module is None:
            continue
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module_name:
                kernels[id(value)] = (f"{module_name.rsplit('.', 1)[-1]}.{name}", value)
    return kernels


@contextmanager
def timed_kernels() -> Iterator[tuple[Counter, Counter]]:
    """Within the block, every compiled kernel, wherever a ``journeysim`` module binds it, is a
    wrapper that adds its wall seconds and its calls to the two counters yielded (keyed
    ``"module.name"``); the kernels are put back on exit."""
    spent: Counter = Counter()
    calls: Counter = Counter()
    wrappers = {}
    for key, (label, kernel) in compiled_kernels().items():
        def timed(*args, _kernel=kernel, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _kernel(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - started
                calls[_label] += 1
        wrappers[key] = timed
    bound = [(module, name, value) for module_name, module in list(sys.modules.items())
             if module_name.startswith("journeysim.") and module is not None
             for name, value in list(vars(module).items()) if id(value) in wrappers]
    for module, name, value in bound:
        setattr(module, name, wrappers[id(value)])
    try:
        yield spent, calls
    finally:
        for module, name, value in bound:
            setattr(module, name, value)


def mesa_rate() -> float:
    """Agent-steps a second of ``make bench``'s per-agent Mesa baseline (20,000 agents x 365 days)."""
    from benchmarks.run import case_mesa

    return case_mesa(20_000, 365)["agent_steps_per_s"]


def kernel_shares(model, size: int, days: str, baseline: bool = False, top: int = 15) -> None:
    """Step ``model`` (of ``size`` customers) to its end with every compiled kernel timed
    (:func:`timed_kernels`); print the step's and the kernels' milliseconds a day, the largest
    kernels and the ceiling (as ratios to the per-agent Mesa baseline if ``baseline``)."""
    before = mesa_rate() if baseline else 0.0
    stepped = int(days) - 1
    with timed_kernels() as (spent, calls):
        started = time.perf_counter()
        model.run()
    step_ms = (time.perf_counter() - started) / stepped * 1e3
    kernel_ms = sum(spent.values()) / stepped * 1e3
    print(f"{model.state.size:,} rows x {days} days (day 1 excluded): step {step_ms:.1f} ms a day, "
          f"in compiled kernels {kernel_ms:.1f} ms a day ({kernel_ms / step_ms:.0%})")
    for label, seconds in spent.most_common(top):
        print(f"  {label:<36} {seconds / stepped * 1e3:6.2f} ms a day {calls[label] / stepped:7.1f} calls a day")
    print(f"ceiling: with everything outside the kernels free, the step would be {step_ms / kernel_ms:.2f} "
          "times as fast")
    if baseline:
        mesa = (before + mesa_rate()) / 2
        print(f"per-agent Mesa baseline {mesa:,.0f} agent-steps/s (runs before and after: {before:,.0f} and "
              f"{2 * mesa - before:,.0f}); customer-days/s as a ratio to it, population.size {size:,}: "
              f"step {size / step_ms * 1e3 / mesa:.1f}x, ceiling {size / kernel_ms * 1e3 / mesa:.1f}x")


def main(argv: list[str]) -> None:
    """Profile ``argv[0]`` customers over ``argv[1]`` days with the overrides that follow (``--wall``:
    time the phases by the wall clock instead; ``--kernels``: time the compiled kernels)."""
    from benchmarks.run import journey_spec
    from journeysim.runner import build_model

    wall, kernels, baseline = "--wall" in argv, "--kernels" in argv, "--baseline" in argv
    size, days, *extra = [arg for arg in argv if arg not in ("--wall", "--kernels", "--baseline")]
    model = build_model(journey_spec(int(size), int(days), extra))
    model.step()
    if wall:
        wall_shares(model, days)
        return
    if kernels:
        kernel_shares(model, int(size), days, baseline)
        return
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    model.run()
    profile.disable()
    total = time.process_time() - started
    print(f"{int(size):,} customers x {days} days: {total:.2f} CPU s under cProfile (day 1 excluded)")
    stats = pstats.Stats(profile).stats
    cumulative = {(_where(path), name): row[3] for (path, _, name), row in stats.items()}
    phases = sorted(((seconds, name) for (file, name), seconds in cumulative.items()
                     if file == "sim/model.py" and name.startswith("run_") and seconds > 0), reverse=True)
    for seconds, name in phases:
        print(f"  phase {name[4:]:<12} {seconds:6.2f} s {seconds / total:5.0%}")
    rest = total - sum(seconds for seconds, _ in phases)
    print(f"  the rest of the step (funnel, word of mouth, bookkeeping) {rest:6.2f} s {rest / total:5.0%}")
    for key, label in HOT_SPOTS.items():
        if key in cumulative:
            print(f"  {label:<44} {cumulative[key]:6.2f} s {cumulative[key] / total:5.0%}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
