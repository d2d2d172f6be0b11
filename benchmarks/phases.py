"""Where the default market's step time goes: each phase's share of CPU under ``cProfile``.

Usage::

    python benchmarks/phases.py 1000000 90            # customers, days
    python benchmarks/phases.py 1000000 90 competition=three_brands

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


def main(argv: list[str]) -> None:
    """Profile ``argv[0]`` customers over ``argv[1]`` days with the overrides that follow."""
    from journeysim.api import compose_config
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    size, days, *extra = argv
    overrides = [f"population.size={size}", f"days={days}", "outputs.event_log_sample=0",
                 "outputs.mesa_agents=lazy", *extra]  # as benchmarks/run.py's journey cases
    spec = parse_config(compose_config(overrides=overrides))
    model = build_model(spec)
    model.step()
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
