"""Where the default market's step time goes: each phase's share of CPU under ``cProfile``.

Usage::

    python benchmarks/phases.py 1000000 90            # customers, days
    python benchmarks/phases.py 1000000 90 competition=three_brands
    python benchmarks/phases.py 1000000 365 --wall    # each phase's wall time, without the profiler

Builds the model as ``benchmarks/run.py`` does (lazy Mesa agents, no event log), steps day 1 outside the profile
(numba loads its kernels), then profiles ``model.run()`` and prints the CPU seconds and the
cumulative share of each ``run_*`` phase and of the hot spots named in docs/performance.md. The
profiler inflates the Python-heavy parts (SimPy, small numpy calls) against the compiled ones, so
read the shares as an order, and time speed-ups with ``make bench`` or ``farm-bench``.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
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


def main(argv: list[str]) -> None:
    """Profile ``argv[0]`` customers over ``argv[1]`` days with the overrides that follow (``--wall``:
    time the phases by the wall clock instead)."""
    from benchmarks.run import journey_spec
    from journeysim.runner import build_model

    wall = "--wall" in argv
    size, days, *extra = [arg for arg in argv if arg != "--wall"]
    model = build_model(journey_spec(int(size), int(days), extra))
    model.step()
    if wall:
        wall_shares(model, days)
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
