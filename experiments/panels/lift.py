"""Lift tests: simulated holdout experiments per channel, as calibration input for the MMMs.

A lift test holds a random share of customers out of one channel for a period: the channel's
exposures still reach them (its spend and its draws are unchanged, as with "ghost ads": Johnson,
Lewis and Nubbemeyer 2017, *Journal of Marketing Research* 54(6)), but have no effect on them. The
test compares the customers the channel reached during the period, exposed and held out, each from
the day of their first (ghost) exposure to the end of the period (and an optional cool-down after
it), and scales the difference per customer to all the customers it reached: the incremental
outcome of the channel's spend in the period. Until their first exposure the two groups are
treated alike, so leaving those days and the customers never reached out removes noise, not
signal (customers the channel never reached gain nothing from it but by word of mouth).

One budget spread over both groups lets them interfere: a channel with a fixed budget and
target stages spreads its impressions over everyone in those stages, so when the tested
channel moves exposed customers into them, they take impressions the held-out customers would
have had, and the test counts the exposed customers' gain without the held-out customers'
loss (cannibalization bias). Withdrawn from everyone, the tested channel would instead leave
fewer customers to share those impressions, each receiving more. A **budget-split** test
(``budget_split=True``; Liu, Mao and Kang 2021, "Trustworthy online marketplace
experimentation with budget-split design", KDD) gives the held-out group its share of every
other impressions channel's budget, drawn from its own members, from the test's first day to
the window's end: neither group takes the other's impressions, and the comparison measures what
withdrawing the channel from everyone would. The tested channel's own impressions are still
drawn from everyone, so an eligible customer is as likely to be reached (really or as a ghost)
in either group, which the comparison of reached customers needs: split too, a channel that
moves its exposed customers out of its own target stages would reach the exposed group's
remaining customers more often than the held-out group's.

Each test is checked against the truth under common random numbers: the same seed run with
the channel's exposures without effect for *everyone* during the period, against the factual
run. The holdout is drawn from the seed's own stream (``holdout``, one per channel), so it
shifts no draw of the market.

The results are written in the shapes the MMMs take (PyMC-Marketing's ``lift_test`` table,
Meridian's ROI priors, Robyn's ``calibration_input``):
:mod:`journeysim.experiments.panels.lift_inputs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.exports import START_DATE
from journeysim.experiments.panels.lift_inputs import (
    TARGETS,
    meridian_roi_priors,
    pymc_lift_tests,
    robyn_calibration,
)
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError
from journeysim.sim.journey_log import Event
from journeysim.sim.streams import RandomStreams

TEST_DAYS = 28
"""Default length of a test, days (four weeks)."""

HOLDOUT_SHARE = 0.2
"""Default share of customers held out."""

SPEND_LEVELS = (1.0,)
"""Default spend levels of the tests, times the plan's mean spend: one test per span, at the mean."""

LEVELS_ALLOWED = "positive numbers separated by commas, each a test's mean spend over the plan's mean, e.g. 0.5,1,1.5"
"""What a spend level may be (:func:`check_levels`)."""


@dataclass(frozen=True)
class LiftDesign:
    """One holdout experiment.

    Attributes
    ----------
    channel : str
        An impressions channel (broadcast media reach everyone: test them with a geo test).
    start_day, end_day : int
        First and last simulated day of the test (1 to ``days``, as in every table).
    holdout_share : float
        Share of customers held out, 0..1 (exclusive).
    cooldown_days : int
        Days after the test whose outcomes still count (0: the test period only, Robyn's
        ``immediate`` scope; more: ``total``).
    budget_split : bool
        Give the held-out group its share of every other impressions channel's budget, from the test's
        first day to the window's end (a budget-split test), instead of one budget for both.
    """

    channel: str
    start_day: int
    end_day: int
    holdout_share: float = HOLDOUT_SHARE
    cooldown_days: int = 0
    budget_split: bool = False

    def check(self, spec: RunSpec) -> None:
        """Raise a :class:`ConfigError` naming the bad key, its value and what is allowed."""
        from journeysim.sim.errors import unknown_name

        if self.channel not in spec.channel_names:
            raise unknown_name("lift.channel", self.channel, spec.channel_names)
        kind = next(c.kind for c in spec.channels if c.name == self.channel)
        if kind != "impressions":
            raise ConfigError("lift.channel", self.channel, "an impressions channel (a broadcast channel reaches "
                                                            "everyone, so no one can be held out: use a geo test)")
        if not 1 <= self.start_day <= self.end_day <= spec.days:
            raise ConfigError("lift.start_day/end_day", (self.start_day, self.end_day),
                              f"days 1 <= start_day <= end_day <= {spec.days}")
        if not 0 < self.holdout_share < 1:
            raise ConfigError("lift.holdout_share", self.holdout_share, "a share strictly between 0 and 1")
        if self.cooldown_days < 0 or self.end_day + self.cooldown_days > spec.days:
            raise ConfigError("lift.cooldown_days", self.cooldown_days,
                              f"0 to {spec.days - self.end_day} days (the run ends on day {spec.days})")

    @property
    def window(self) -> tuple[int, int]:
        """First and last day whose outcomes count."""
        return self.start_day, self.end_day + self.cooldown_days


@dataclass(frozen=True)
class HoldoutEffect:
    """``(channel index, rows, day) -> multiplier`` of exposure effects: 0 for ``held`` rows during the test."""

    channel: int
    held: np.ndarray | None  # mask over customers; None: everyone
    first: int  # day indexes (0 = day 1)
    last: int

    def __call__(self, channel: int, rows: np.ndarray, day: int) -> np.ndarray | float:
        """The multiplier of each row's exposure effect today."""
        if not self.first <= day <= self.last:
            return np.float32(1.0)
        if self.held is None:
            return np.float32(0.0)
        return np.where(self.held[rows], np.float32(0.0), np.float32(1.0))


def holdout_mask(seed: int, channel_index: int, size: int, share: float) -> np.ndarray:
    """Customers held out of a channel: a share drawn from the seed's stream ``holdout``."""
    return RandomStreams(seed).generator("holdout", channel_index).random(size) < share


@dataclass(frozen=True)
class LiftRun:
    """One run of a lift test: ``arm`` is ``factual``, ``holdout`` (the experiment) or ``truth``
    (the channel without effect for everyone during the test). It stops at the end of ``last_day``
    (a test's window end: nothing after it is read; None: the run's last day), as the whole run
    would have reached that day: the same spec, the same rows and streams, fewer days."""

    spec: RunSpec
    design: LiftDesign | None
    arm: str
    last_day: int | None = None

    def __call__(self) -> dict[str, Any]:
        """Run; return the window's outcomes (per customer group for the experiment)."""
        from journeysim.runner import build_model

        logged = self.spec.population.size if self.arm == "holdout" else 0
        spec = replace(self.spec, outputs=replace(self.spec.outputs, event_log_sample=logged, mesa_agents="lazy",
                                                  figures=False, tables=False, progress=False))
        model = build_model(spec)
        if self.design is not None and self.arm != "factual":
            d = self.design
            k = spec.channel_names.index(d.channel)
            held = holdout_mask(spec.seed, k, model.state.size, d.holdout_share) if self.arm == "holdout" else None
            model.controls.add_exposure_modifier(HoldoutEffect(k, held, d.start_day - 1, d.end_day - 1), channels=[k])
            if held is not None and d.budget_split:  # the tested channel's own draws stay shared: ghost ads
                others = [name for name in spec.channel_names if name != d.channel]
                model.controls.split_budgets(held, d.start_day - 1, d.window[1] - 1, share=d.holdout_share,
                                             channels=others)
        while model.day < (self.last_day or spec.days):
            model.step()
        c, days = model.collector, model.day
        value = _order_value(c.daily["revenue"][:days] + c.daily["refunds"][:days], c.daily["orders"][:days])
        out = {"seed": spec.seed, "arm": self.arm, "spend": c.spend[:days].copy(),
               "daily": {"acquisitions": c.daily["acquisitions"][:days].copy(),
                         "orders": c.daily["orders"][:days].copy(), "revenue": c.daily["orders"][:days] * value}}
        if self.arm == "holdout":
            out |= _groups(model, self.design, held, value)
        return out


def _order_value(gross: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Mean order value of each day before refunds, currency (0 without orders)."""
    return np.where(orders > 0, gross / np.where(orders > 0, orders, 1), 0.0)


def _groups(model: Any, design: LiftDesign, held: np.ndarray, value: np.ndarray) -> dict[str, Any]:
    """Per-customer outcomes of the customers the channel reached during the test (held-out ones:
    ghost exposures), from the day of their first exposure to the window's end, summed and
    squared-summed per group."""
    first, last = design.window
    n = held.size
    first_seen = first_exposures(model, design, n)
    per = {t: np.zeros(n) for t in TARGETS}
    customer, day, _, code = model.journey_log.select(kinds=[Event.PURCHASE])
    inside = (day >= first_seen[customer]) & (day <= last - 1)
    customer, day, code = customer[inside], day[inside], code[inside]
    np.add.at(per["orders"], customer, 1.0)
    np.add.at(per["acquisitions"], customer[code == 1], 1.0)
    np.add.at(per["revenue"], customer, value[day])
    reached = first_seen < NEVER
    groups = {}
    for name, mask in (("holdout", held & reached), ("treated", ~held & reached)):
        groups[name] = {"n": int(mask.sum()), **{t: (float(per[t][mask].sum()), float((per[t][mask] ** 2).sum()))
                                                   for t in TARGETS}}
    return {"groups": groups, "customers": int(reached.sum())}


NEVER = np.iinfo(np.int64).max
"""First exposure day of a customer the test's channel never reached."""


def first_exposures(model: Any, design: LiftDesign, size: int) -> np.ndarray:
    """Day index (0 = day 1) of each customer's first exposure to the tested channel during the test
    (:data:`NEVER` if none). Held-out customers' exposures count too: they are drawn as everyone's
    and only their effect is removed (ghost ads), so the first one falls on the same day in either arm."""
    k = model.spec.channel_names.index(design.channel)
    customer, day, _, channel = model.journey_log.select(kinds=[Event.EXPOSURE])
    during = (channel == k) & (day >= design.start_day - 1) & (day <= design.end_day - 1)
    seen = np.full(size, NEVER, np.int64)
    np.minimum.at(seen, customer[during], day[during].astype(np.int64))
    return seen


@dataclass
class LiftResult:
    """Lift tests and their truth.

    Attributes
    ----------
    table : DataFrame
        One row per test, target and seed: see :data:`journeysim.columns.TABLES` ``lift_tests``.
    meta : dict
        Scenario, seeds, size, days, the designs.
    """

    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``lift_tests.csv`` and the calibration inputs ``lift_tests_pymc.csv``,
        ``lift_tests_meridian.csv`` and ``lift_tests_robyn.csv`` (revenue) into ``directory``."""
        from journeysim.outputs import write_csv

        directory = Path(directory)
        return [write_csv(directory / "lift_tests.csv", self.table),
                write_csv(directory / "lift_tests_pymc.csv", pymc_lift_tests(self.table, "acquisitions")),
                write_csv(directory / "lift_tests_meridian.csv", meridian_roi_priors(self.table)),
                write_csv(directory / "lift_tests_robyn.csv", robyn_calibration(self.table, "revenue"))]


def default_designs(spec: RunSpec, channels: Sequence[str] | None = None, *, test_days: int = TEST_DAYS,
                    holdout_share: float = HOLDOUT_SHARE, cooldown_days: int = 0,
                    budget_split: bool = False, windows: int = 1,
                    levels: Sequence[float] = SPEND_LEVELS, persistent: Sequence[str] = ()) -> list[LiftDesign]:
    """``windows`` × ``levels`` tests per impressions channel with a budget, of ``test_days`` each,
    from a third of the run on: the days from then to the run's end (less the cooldown) are cut into
    ``windows`` equal spans and the channel is tested in each, once per spend level, on a day its
    plan spends (:func:`representative_start`: a flighted channel is tested on air, in the span's
    window whose mean spend is closest to the level times the plan's mean); budget-split tests
    with ``budget_split``.

    What a test returns depends on its window: the season, and the flighting of the weeks in and
    before it (a channel attends more of what it buys after light weeks). Tests in several
    windows average both, as an MMM's ROAS averages the whole plan; tests at several spend levels
    (``levels`` = 0.5, 1, 1.5) give a model points of the response curve below and above the
    plan's mean, where its ROAS is read (docs/arena.md).

    A channel in ``persistent`` is tested once instead, by a persistent holdout group: from its
    first day on air from a third of the run on to the run's end (less the cooldown), as CRM teams
    keep a group out of their email. Its test averages every flight and season of those days, as
    the MMM's ROAS does, where a four-week window returns what its own weeks return (email's
    four-week windows of the five-year flighted plan return 58 to 64 per unit of spend, the plan
    52: docs/arena.md).
    """
    from journeysim.scenarios.levers import planned_budgets

    plan = planned_budgets(spec)
    names = channels if channels is not None else tested_channels(spec, plan)
    check_windows(spec, test_days, cooldown_days, windows)
    check_levels(levels)
    check_persistent(spec, persistent, names)
    first, last = spec.days // 3, spec.days - cooldown_days
    cuts = [first + (last - first) * w // windows for w in range(windows + 1)]
    designs = []
    for name in names:
        if name not in spec.channel_names:
            from journeysim.sim.errors import unknown_name

            raise unknown_name("lift.channel", name, spec.channel_names)
        k = spec.channel_names.index(name)
        if name in persistent:
            start = first_day_on_air(plan[:last, k], first)
            designs.append(LiftDesign(name, start, last, holdout_share, cooldown_days, budget_split))
            continue
        for earliest, span_end in zip(cuts[:-1], cuts[1:], strict=True):
            for level in levels:
                start = representative_start(plan[:, k], earliest, test_days, span_end, level)
                end = min(start + test_days - 1, last)
                designs.append(LiftDesign(name, start, end, holdout_share, cooldown_days, budget_split))
    return designs


def tested_channels(spec: RunSpec, plan: np.ndarray | None = None) -> list[str]:
    """The channels a lift test can hold out: the impressions channels the plan spends on
    (``plan``: :func:`~journeysim.scenarios.levers.planned_budgets` of ``spec``, computed if not given)."""
    if plan is None:
        from journeysim.scenarios.levers import planned_budgets

        plan = planned_budgets(spec)
    kinds = {c.name: c.kind for c in spec.channels}
    return [n for k, n in enumerate(spec.channel_names) if plan[:, k].sum() > 0 and kinds[n] == "impressions"]


def check_windows(spec: RunSpec, test_days: int, cooldown_days: int, windows: int, key: str = "lift.windows") -> None:
    """Refuse ``windows`` tests per channel (:func:`default_designs`) that the run cannot hold: each
    span of the days from a third of the run to its end (less the cooldown) must hold a test.
    The error names ``key`` (a command names its option)."""
    span = spec.days - cooldown_days - spec.days // 3
    if windows < 1 or (windows > 1 and span // windows < test_days):
        from journeysim.sim.errors import ConfigError

        raise ConfigError(key, windows, f"1 to {max(span // test_days, 1)} tests per channel: each of as many spans "
                          f"of the {span} days from a third of the run to its end (less the cooldown) must hold a "
                          f"test of {test_days} days")


def check_persistent(spec: RunSpec, persistent: Sequence[str], tested: Sequence[str] | None = None,
                     key: str = "lift.persistent") -> None:
    """Refuse a channel of ``persistent`` (:func:`default_designs`) that is not among the ``tested``
    channels (default: the impressions channels the plan spends on). The error names ``key``, the
    channel and the channels allowed (a command names its option)."""
    tested = tested_channels(spec) if tested is None else tested
    for name in persistent:
        if name not in tested:
            from journeysim.sim.errors import unknown_name

            raise unknown_name(key, name, tested)


def parse_channels(text: str) -> tuple[str, ...]:
    """``"email,search"`` as channel names (empty: none), each checked by :func:`check_persistent`."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def check_levels(levels: Sequence[float], key: str = "lift.levels") -> None:
    """Refuse spend levels of :func:`default_designs` that are not positive numbers (a test needs
    spend), or none at all. The error names ``key`` (a command names its option)."""
    if not _positive(levels):
        raise ConfigError(key, list(levels), LEVELS_ALLOWED)


def parse_levels(text: str, key: str) -> tuple[float, ...]:
    """``"0.5,1,1.5"`` as spend levels (:func:`check_levels`); the error names ``key`` and ``text``."""
    try:
        levels = tuple(float(part) for part in text.split(","))
    except ValueError:
        levels = ()
    if not _positive(levels):
        raise ConfigError(key, text, LEVELS_ALLOWED)
    return levels


def _positive(levels: Sequence[float]) -> bool:
    """Whether ``levels`` holds at least one level and only finite positive ones."""
    return len(levels) > 0 and all(math.isfinite(level) and level > 0 for level in levels)


def representative_start(spend: np.ndarray, earliest: int, test_days: int, last_day: int,
                         level: float = 1.0) -> int:
    """First day (1-based) of a test whose days' mean spend is closest to ``level`` times the
    plan's mean (1: the plan's mean).

    A test measures the return of spend at the test's own level, and a channel's response to
    spend saturates: a test in weeks of low spend measures more per unit than the plan returns
    on average, one in weeks of high spend less. Among the days on or after ``earliest`` on which
    the channel spends, whose ``test_days`` end by ``last_day``, the earliest whose window's mean
    spend is nearest the mean over the whole plan (an always-on plan: the first of them).

    Parameters
    ----------
    spend : ndarray
        The channel's planned spend per day (plan row ``d`` is day ``d + 1``; currency per day).
    earliest : int
        Plan row from which a test may start (a third of the run: the market has settled).
    test_days : int
        Days of the test.
    last_day : int
        Last day (1-based) the test and its cooldown may reach.
    level : float
        The test's mean spend, times the plan's mean (0.5: a window of half the mean spend).

    Returns
    -------
    int
        The test's first day (``earliest + 1`` when the channel never spends after ``earliest``).
    """
    on = np.flatnonzero(spend[earliest:] > 0) + earliest
    starts = on[on + test_days <= last_day]
    if starts.size == 0:
        return first_day_on_air(spend, earliest)
    sums = np.concatenate([[0.0], np.cumsum(spend, dtype=float)])
    distance = np.abs((sums[starts + test_days] - sums[starts]) / test_days / spend.mean() - level)
    return int(starts[np.flatnonzero(distance <= distance.min() + 1e-9)[0]]) + 1  # rounding: the earliest


def first_day_on_air(spend: np.ndarray, earliest: int) -> int:
    """First day (1-based) from plan row ``earliest`` on which ``spend`` (currency per day, row
    ``d`` is day ``d + 1``) is positive; ``earliest + 1`` when it never is."""
    on = np.flatnonzero(spend[earliest:] > 0)
    return earliest + 1 + (int(on[0]) if on.size else 0)


def lift_tests(scenario: str | None = None, seeds: int | Sequence[int] = 1,
               overrides: Mapping[str, Any] | list[str] | None = None, *, designs: Sequence[LiftDesign] | None = None,
               channels: Sequence[str] | None = None, test_days: int = TEST_DAYS,
               holdout_share: float = HOLDOUT_SHARE, cooldown_days: int = 0, budget_split: bool = False,
               windows: int = 1, levels: Sequence[float] = SPEND_LEVELS, persistent: Sequence[str] = (),
               jobs: int | None = None,
               start_date: str = START_DATE, plan: str | Path | None = None,
               plan_amounts: str = "population") -> LiftResult:
    """Simulate holdout experiments and their channel-off truth.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario``.
    seeds : int or sequence of int
        Number of seeds (from the config's ``seed``) or the seeds.
    overrides : mapping or list of str, optional
        Config overrides.
    designs : sequence of LiftDesign, optional
        The tests (default :func:`default_designs` of ``channels``, ``test_days``,
        ``holdout_share``, ``cooldown_days``, ``budget_split``, ``windows``: tests per channel,
        in as many spans of the run, ``levels``: tests per span, at these multiples of the
        plan's mean spend, and ``persistent``: channels tested once, by a persistent holdout group
        from a third of the run to its end).
    jobs : int, optional
        Parallel processes (default: every core).
    start_date : str
        Calendar date of day 1 (the tests' dates).
    plan, plan_amounts : optional
        A spend plan CSV and what its amounts are (:mod:`journeysim.scenarios.spend_plan`).
    """
    from journeysim.api import compose_config
    from journeysim.experiments.runner import run_many
    from journeysim.scenarios.spec import parse_config

    spec = parse_config(compose_config(scenario, overrides))
    if plan is not None:
        from journeysim.scenarios.spend_plan import with_plan

        spec = with_plan(spec, plan, plan_amounts)
    designs = list(designs) if designs is not None else default_designs(
        spec, channels, test_days=test_days, holdout_share=holdout_share, cooldown_days=cooldown_days,
        budget_split=budget_split, windows=windows, levels=levels, persistent=persistent)
    for design in designs:
        design.check(spec)
    seed_list = seed_list_of(seeds, spec.seed)
    last = max(d.window[1] for d in designs) if designs else None  # the factual arm serves every test
    tasks = [LiftRun(replace(spec, seed=s), None, "factual", last) for s in seed_list]
    tasks += [LiftRun(replace(spec, seed=s), d, arm, d.window[1]) for s in seed_list for d in designs
              for arm in ("holdout", "truth")]
    outputs = run_many(tasks, jobs_for(jobs, len(tasks))).values()
    factual = {o["seed"]: o for o in outputs[: len(seed_list)]}
    rest = iter(outputs[len(seed_list):])
    rows = []
    for s in seed_list:
        for d in designs:
            rows += _rows(spec, d, factual[s], next(rest), next(rest), start_date)
    meta = {"scenario": spec.scenario, "seeds": seed_list, "customers": spec.population.size, "days": spec.days,
            "designs": [vars(d) for d in designs]}
    return LiftResult(pd.DataFrame(rows), meta)


def seed_list_of(seeds: int | Sequence[int], base: int) -> list[int]:
    """The seeds: ``seeds`` of them counting up from ``base``, or the list given (checked)."""
    if isinstance(seeds, bool | str) or not isinstance(seeds, int | Sequence):
        raise ConfigError("seeds", seeds, "a number of seeds (at least 1) or a list of seeds")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ConfigError("seeds", seeds, "a number of seeds of at least 1")
        return list(range(base, base + seeds))
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ConfigError("seeds", seeds, "a non-empty list of seeds (whole numbers of at least 0)")
    return list(dict.fromkeys(seeds))


def jobs_for(jobs: int | None, tasks: int) -> int:
    """Parallel processes: ``jobs``, or every core (at most one per task)."""
    import os

    if jobs is None:
        return max(1, min(os.cpu_count() or 1, tasks))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError("jobs", jobs, "a whole number of processes of at least 1")
    return jobs


def _rows(spec: RunSpec, d: LiftDesign, factual: dict, holdout: dict, truth: dict, start_date: str) -> list[dict]:
    """The rows of one test and seed, one per target."""
    k = spec.channel_names.index(d.channel)
    first, last = d.window
    spend = float(holdout["spend"][d.start_day - 1: d.end_day, k].sum())
    weeks = (d.end_day - d.start_day + 1) / 7
    groups, customers = holdout["groups"], holdout["customers"]
    start = pd.Timestamp(start_date)
    rows = []
    for target in TARGETS:
        (n_h, (s_h, q_h)), (n_t, (s_t, q_t)) = ((groups[g]["n"], groups[g][target]) for g in ("holdout", "treated"))
        mean_h, mean_t = s_h / n_h, s_t / n_t
        var_h, var_t = q_h / n_h - mean_h ** 2, q_t / n_t - mean_t ** 2
        lift = (mean_t - mean_h) * customers
        se = math.sqrt(max(var_h, 0) / n_h + max(var_t, 0) / n_t) * customers
        window = slice(first - 1, last)
        true_lift = float(factual["daily"][target][window].sum() - truth["daily"][target][window].sum())
        rows.append({
            "seed": holdout["seed"], "channel": d.channel, "target": target,
            "start_day": d.start_day, "end_day": d.end_day, "window_end_day": last,
            "date_start": (start + pd.Timedelta(days=d.start_day - 1)).strftime("%Y-%m-%d"),
            "date_end": (start + pd.Timedelta(days=d.end_day - 1)).strftime("%Y-%m-%d"),
            "holdout_share": d.holdout_share, "budget_split": d.budget_split,
            "customers_treated": n_t, "customers_holdout": n_h,
            "spend": spend, "x": spend / weeks, "delta_x": -spend / weeks,
            "lift": lift, "lift_se": se, "delta_y": -lift / weeks, "sigma": se / weeks,
            "true_lift": true_lift, "true_delta_y": -true_lift / weeks,
        })
    return rows
