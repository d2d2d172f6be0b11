"""``make bench``: speed and memory of journeysim against baselines measured in the same run.

Each case runs in its own process (so its peak memory is its own) and prints one JSON
line; this script collects them into a table. Figures are ratios to the per-agent Mesa
baseline run here, never absolute timings asserted anywhere.

    python benchmarks/run.py            # every case
    python benchmarks/run.py --quick    # smaller sizes (a minute)
    python benchmarks/run.py --only multirun sweep   # the sweep rows alone
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SWEEP_TARGET = 1.3
"""A sweep's wall time at most this many times the sum of its jobs' simulation times / cores (issue #18)."""


@dataclass(frozen=True)
class SpeedTarget:
    """Issue #29's bound on one journey case: customer-days a second at least ``ratio`` times the
    per-agent Mesa baseline of the same run, and a peak under ``peak_mb``."""

    size: int
    ratio: float
    peak_mb: float


SPEED_TARGETS = (SpeedTarget(1_000_000, 50.0, 1_500.0), SpeedTarget(10_000_000, 40.0, 3_000.0))
"""The default market's targets (issue #29), by population size (365 days)."""
COMPETITION_TARGET = 2.0
"""``competition=three_brands`` takes at most this many times the step time of ``competition=none``."""
sys.path.insert(0, str(HERE.parent))


def peak_memory_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def journey_spec(size: int, days: int, extra: list[str] | tuple[str, ...] = (), scenario: str = "baseline"):
    """The validated spec of a journey case: ``scenario`` at ``size`` customers for ``days`` days, lazy
    Mesa agents and no event log (what every speed figure of issue #29 runs), ``extra`` overrides last."""
    from journeysim.api import compose_config
    from journeysim.scenarios.spec import parse_config

    overrides = [f"scenario={scenario}", f"population.size={size}", f"days={days}",
                 "outputs.event_log_sample=0", "outputs.mesa_agents=lazy", *extra]
    return parse_config(compose_config(overrides=overrides))


def case_journey(scenario: str, size: int, days: int, extra: list[str]) -> dict:
    """Run one scenario in-process; time the stepping and the service layer's share of it."""
    from journeysim.runner import build_model

    spec = journey_spec(size, days, extra, scenario)
    started = time.perf_counter()
    model = build_model(spec)
    built = time.perf_counter()
    service_seconds = 0.0
    if model.service is not None:
        service_seconds = _time_service(model)
    model.run()
    finished = time.perf_counter()
    from journeysim.sim import kpis

    step_seconds = finished - built
    label = "".join(f" {e}" for e in extra)
    return {"case": f"{scenario} {size:,} x {days}{label}", "size": size, "days": days, "extra": extra,
            "build_s": built - started, "step_s": step_seconds,
            "wall_s": finished - started, "agent_steps_per_s": size * days / step_seconds,
            "peak_mb": peak_memory_mb(), "service_share": service_seconds and _service_total[0] / step_seconds,
            "acquisitions": kpis.acquisitions(model)}


_service_total = [0.0]


def _time_service(model) -> float:
    """Wrap the service layer's calls with timers (its share of step time)."""
    service = model.service
    for name in ("place_orders", "run_day"):
        original = getattr(service, name)

        def timed(*args, _original=original, **kwargs):
            t = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                _service_total[0] += time.perf_counter() - t

        setattr(service, name, timed)
    return 1.0


def case_mesa(size: int, days: int) -> dict:
    """The per-agent Mesa implementation of the same Bass rules."""
    from benchmarks.mesa_bass import run_baseline

    _, seconds = run_baseline(n=size, days=days, p=0.03, q=0.38, seed=0)
    return {"case": f"per-agent Mesa Bass {size:,} x {days}", "step_s": seconds, "wall_s": seconds,
            "agent_steps_per_s": size * days / seconds, "peak_mb": peak_memory_mb()}


def case_truth(size: int, seeds: int) -> dict:
    """Ground-truth channel effects (counterfactual runs) if the experiments module is there."""
    from journeysim.experiments.truth import true_effects

    started = time.perf_counter()
    true_effects("attribution_lab", seeds=seeds, overrides={"population.size": size})
    seconds = time.perf_counter() - started
    return {"case": f"journey-truth attribution_lab {size:,} x {seeds} seeds", "wall_s": seconds,
            "peak_mb": peak_memory_mb()}


def case_paths(size: int, days: int) -> dict:
    """Export every customer's journey path (the attribution input) of a run with the full journey log.

    ``peak_mb`` is the process's peak, the figure issue #17 bounds (under 500 MB at 100,000 x 730);
    ``export_mb`` what the export added on top of the finished run (the model and its journey log).
    """
    import tempfile

    from journeysim.api import compose_config
    from journeysim.experiments.exports import iter_journey_paths
    from journeysim.outputs import write_table
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    overrides = [f"population.size={size}", f"days={days}", f"outputs.event_log_sample={size}",
                 "outputs.mesa_agents=lazy"]
    model = build_model(parse_config(compose_config(overrides=overrides))).run()
    before = peak_memory_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        write_table(Path(directory) / "paths", iter_journey_paths(model), "csv")  # streamed, piece by piece
    seconds = time.perf_counter() - started
    events = model.journey_log.events
    return {"case": f"paths export {size:,} x {days} ({events / 1e6:.0f}M events)", "wall_s": seconds,
            "peak_mb": peak_memory_mb(), "export_mb": peak_memory_mb() - before}


def case_exports(size: int, days: int) -> dict:
    """Every export journey-truth writes of a run (paths, MMM, Meridian, Robyn, observed panels) of
    ``attribution_lab`` with the full journey log; ``export_mb`` is what they added to the finished run's peak
    (issue #24 bounds it: under 500 MB at 100,000 x 730)."""
    import tempfile

    from journeysim.api import compose_config
    from journeysim.experiments.exports import iter_journey_paths, mmm_table, record
    from journeysim.experiments.panels import panel_exports, write_panels
    from journeysim.outputs import write_csv, write_table
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    overrides = [f"population.size={size}", f"days={days}", f"outputs.event_log_sample={size}",
                 "outputs.mesa_agents=lazy"]
    spec = parse_config(compose_config("attribution_lab", overrides))
    model = build_model(spec).run()
    before = peak_memory_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        write_table(Path(directory) / "paths", iter_journey_paths(model), "csv")
        rec = record(model)
        for freq in ("D", "W"):
            write_csv(Path(directory) / f"mmm_{freq}.csv", mmm_table(rec, freq))
        write_panels(directory, panel_exports(rec, spec.seed))
    seconds = time.perf_counter() - started
    return {"case": f"truth exports {size:,} x {days} (paths, MMM, Meridian, Robyn, observed)", "wall_s": seconds,
            "peak_mb": peak_memory_mb(), "export_mb": peak_memory_mb() - before}


@dataclass(frozen=True)
class TimedRun:
    """One sweep job: a composed run spec (composed once, by the caller), run; returns its seconds."""

    spec: object

    def __call__(self) -> float:
        from journeysim.runner import build_model

        started = time.perf_counter()
        build_model(self.spec).run()
        return time.perf_counter() - started


def case_sweep(jobs: int, size: int, days: int, cores: int, executor: str = "local") -> dict:
    """A sweep of ``jobs`` seeds through the shared runner on ``cores`` workers: wall time against the
    sum of the jobs' own simulation times divided by the cores (issue #18: at most 1.3 times)."""
    from dataclasses import replace

    from journeysim.api import compose_config
    from journeysim.experiments.runner import QUIET_OUTPUTS, run_many
    from journeysim.scenarios.spec import parse_config

    quiet = [f"outputs.{key}={str(value).lower()}" for key, value in QUIET_OUTPUTS.items()]
    spec = parse_config(compose_config(overrides=[f"population.size={size}", f"days={days}", *quiet]))
    runs = [TimedRun(replace(spec, seed=seed)) for seed in range(jobs)]
    started = time.perf_counter()
    seconds = run_many(runs, workers=cores, backend=executor).values()
    wall = time.perf_counter() - started
    ideal = sum(seconds) / cores
    return {"case": f"sweep {jobs} x {size:,} x {days} on {cores} cores ({executor})", "wall_s": wall,
            "ideal_s": ideal, "ratio": wall / ideal, "overhead_per_job_s": (wall - ideal) * cores / jobs,
            "peak_mb": peak_memory_mb()}


def case_multirun(jobs: int, size: int, days: int, cores: int) -> dict:
    """``journey --multirun`` of ``jobs`` seeds on ``cores`` joblib workers, as a user types it (each job
    composed once, its tables and summary written; no per-run figures), from start to comparison:
    wall time against the sum of the jobs' simulation times (``simulation_seconds`` of each
    ``status.json``: build and step) divided by the cores. The rest is overhead: Hydra's start and
    composition, worker start and imports, writing, and the comparison (issue #18: at most 1.3 times)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(tmp) / "sweep"
        command = [sys.executable, "-c", "import sys; from journeysim.cli import main; sys.exit(main())",
                   "--multirun", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={cores}", f"seed=range({jobs})",
                   f"population.size={size}", f"days={days}", "outputs.figures=false", "outputs.progress=false",
                   "hydra.callbacks.compare.figures=false", f"hydra.sweep.dir={sweep}"]
        started, cpu_before = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "MPLBACKEND": "Agg"})
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
        statuses = [json.loads(p.read_text()) for p in sweep.rglob("status.json")]
    if len(statuses) != jobs:
        raise RuntimeError(f"{len(statuses)} of {jobs} sweep jobs finished")
    ideal = sum(s["simulation_seconds"] for s in statuses) / cores
    simulation_cpu = sum(s["simulation_cpu_seconds"] for s in statuses)
    return {"case": f"journey --multirun {jobs} x {size:,} x {days}, {cores} cores", "wall_s": wall,
            "ideal_s": ideal, "ratio": wall / ideal, "overhead_per_job_s": (wall - ideal) * cores / jobs,
            "cpu_s": cpu, "simulation_cpu_s": simulation_cpu, "cpu_overhead_per_job_s": (cpu - simulation_cpu) / jobs,
            "peak_mb": peak_memory_mb()}


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_case(args: list[str]) -> dict:
    """Run ``benchmarks/run.py --case ...`` in a fresh process and read its JSON line."""
    out = subprocess.run([sys.executable, str(Path(__file__)), "--case", *args], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", nargs="+", metavar="CASE", help="run only these cases (e.g. sweep multirun)")
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        kind, *rest = args.case
        if kind == "mesa":
            result = case_mesa(int(rest[0]), int(rest[1]))
        elif kind == "truth":
            result = case_truth(int(rest[0]), int(rest[1]))
        elif kind == "paths":
            result = case_paths(int(rest[0]), int(rest[1]))
        elif kind == "exports":
            result = case_exports(int(rest[0]), int(rest[1]))
        elif kind == "multirun":
            result = case_multirun(*(int(x) for x in rest[:4]))
        elif kind == "sweep":
            result = case_sweep(*(int(x) for x in rest[:4]), *rest[4:])
        else:
            result = case_journey(kind, int(rest[0]), int(rest[1]), rest[2:])
        print(json.dumps(result))
        return
    big = 100_000 if args.quick else 1_000_000
    cases = [
        ["mesa", "10000" if args.quick else "20000", "365"],
        ["bass", str(big), "3650"],
        ["baseline", "100000", "365"],
        ["baseline", str(big), "365"],
        ["baseline", str(big), "365", "competition=three_brands"],
        ["baseline", str(10 * big), "365"],
        ["truth", "10000" if args.quick else "50000", "2" if args.quick else "5"],
        ["paths", "10000" if args.quick else "100000", "730"],
        ["exports", "10000" if args.quick else "100000", "730"],
        ["sweep", "20" if args.quick else "100", "10000", "365", "2"],
        ["multirun", "20" if args.quick else "100", "10000", "365", "2"],
    ]
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    if cases[0][0] == "mesa":
        results, rates = run_bracketed(cases[1:], cases[0])
    else:
        results, rates = [run_case(c) for c in cases], []
    print(f"{'case':<52} {'wall s':>8} {'step s':>8} {'agent-steps/s':>14} {'x Mesa':>8} {'peak MB':>8}")
    for r in results:
        rate, baseline = r.get("agent_steps_per_s"), r.get("baseline")
        ratio = f"{rate / baseline:>8.1f}" if rate and baseline else f"{'-':>8}"
        steps = f"{r['step_s']:>8.2f}" if "step_s" in r else f"{'-':>8}"
        print(f"{r['case']:<52} {r['wall_s']:>8.2f} {steps} {(f'{rate:,.0f}' if rate else '-'):>14} {ratio} "
              f"{r['peak_mb']:>8.0f}")
    for r in results:
        if "export_mb" in r:
            print(f"{r['case']}: peak {r['peak_mb']:.0f} MB (target under 500 MB at 100,000 x 730); the export "
                  f"added {r['export_mb']:.0f} MB to the finished run's peak")
        if "ratio" in r:
            print(f"{r['case']}: {r['wall_s']:.1f} s against {r['ideal_s']:.1f} s of simulation / cores = "
                  f"{r['ratio']:.2f}x (target <= {SWEEP_TARGET}x: {'PASS' if r['ratio'] <= SWEEP_TARGET else 'FAIL'}); "
                  f"overhead {r['overhead_per_job_s']:.3f} s per job")
        if "cpu_s" in r:  # CPU time does not count waiting for cores other programs hold
            cpu_ratio = r["cpu_s"] / r["simulation_cpu_s"]
            print(f"{r['case']}: {r['cpu_s']:.1f} CPU s against {r['simulation_cpu_s']:.1f} CPU s of simulation "
                  f"= {cpu_ratio:.2f}x; overhead {r['cpu_overhead_per_job_s']:.3f} CPU s a job")
        if r.get("service_share"):
            print(f"service layer share of step time, {r['case']}: {r['service_share']:.1%}")
    if rates:
        print(f"per-agent Mesa baseline: {len(rates)} runs, {min(rates):,.0f} to {max(rates):,.0f} agent-steps/s; "
              "each case's ratio is to the mean of the runs just before and just after it")
    for line in verdicts(results):
        print(line)


def run_bracketed(cases: list[list[str]], mesa: list[str]) -> tuple[list[dict], list[float]]:
    """Run the per-agent Mesa baseline ``mesa``, then ``cases`` in turn, the baseline again after each
    case that reports a rate. Such a case's ``baseline`` is the mean rate of the two baseline runs either
    side of it: the machine's speed drifts over a long bench (by up to 2x between runs minutes apart
    on some machines), and the drift then reaches a case and its baseline alike.

    Returns the first baseline run and the cases' results, and every baseline run's rate
    (agent-steps a second)."""
    first = run_case(mesa)
    first["baseline"] = first["agent_steps_per_s"]
    rates, results = [first["agent_steps_per_s"]], [first]
    for case in cases:
        r = run_case(case)
        if r.get("agent_steps_per_s"):
            rates.append(run_case(mesa)["agent_steps_per_s"])
            r["baseline"] = (rates[-2] + rates[-1]) / 2
        results.append(r)
    return results, rates


def verdicts(results: list[dict]) -> list[str]:
    """PASS or FAIL for each of issue #29's targets among ``results``: each case's rate against its
    ``baseline``, the per-agent Mesa rate measured around it in the same run (:func:`run_bracketed`)."""
    lines = []
    plain = {r["size"]: r for r in results if r.get("days") == 365 and not r.get("extra") and "size" in r}
    for target in SPEED_TARGETS:
        r = plain.get(target.size)
        if r is None or not r.get("baseline"):
            continue
        ratio = r["agent_steps_per_s"] / r["baseline"]
        ok = ratio >= target.ratio and r["peak_mb"] < target.peak_mb
        lines.append(f"{'PASS' if ok else 'FAIL'} {r['case']}: {r['step_s']:.1f} s, {r['agent_steps_per_s']:,.0f} "
                     f"customer-days/s = {ratio:.1f}x per-agent Mesa (target >= {target.ratio:.0f}x), peak "
                     f"{r['peak_mb']:,.0f} MB (target < {target.peak_mb:,.0f} MB)")
    for r in results:
        if "competition=three_brands" not in r.get("extra", []) or r.get("size") not in plain:
            continue
        alone = plain[r["size"]]
        ratio = r["step_s"] / alone["step_s"]
        lines.append(f"{'PASS' if ratio <= COMPETITION_TARGET else 'FAIL'} {r['case']}: {r['step_s']:.1f} s = "
                     f"{ratio:.2f}x competition=none's {alone['step_s']:.1f} s (target <= {COMPETITION_TARGET:.0f}x); "
                     f"peak {r['peak_mb']:,.0f} MB against {alone['peak_mb']:,.0f} MB")
    return lines


if __name__ == "__main__":
    main()
