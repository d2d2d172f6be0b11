"""A/B tests in the simulated market: split customers, treat one arm, measure as an analyst would.

One test (:func:`run_ab_test`) is three runs of one config under one seed (common random numbers):

* the **test run**: on ``start`` the customers present are split at random (its own generator,
  so the split shifts no model draw) into treatment (``share``) and control; the lever acts on
  the treatment arm only (a customer scope of the lever API, :mod:`journeysim.sim.controls`);
* the **control run**: nobody treated (each treated customer's paired counterfactual);
* the **roll-out run**: the lever for everyone (what shipping it would do).

Outcomes per customer over the test window (``start`` to the end of the run, ``window`` days):
``conversion`` (ordered at least once: 0 or 1), ``revenue`` (revenue net of refunds, currency per
customer) and ``nps`` (a survey of a random ``response_rate`` of the arm's buyers: +100 promoter,
-100 detractor, 0 passive). The analyst sees only the test run: the estimate is the difference of
the arms' means with Welch's t interval (scipy.stats). The truth comes from the paired runs: the
effect on the treated arm (test run minus control run, over the treated customers: what the
interval should cover) and the roll-out effect (roll-out run minus control run, over everyone:
what the decision is about; word of mouth carries effects across arms, so the two differ).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from journeysim.experiments.ab.metrics import METRICS
from journeysim.scenarios.base import Lever
from journeysim.sim.errors import ConfigError, unknown_name

if TYPE_CHECKING:
    from journeysim.experiments.ab.result import AbResult
    from journeysim.sim.config import RunSpec
    from journeysim.sim.model import JourneyModel


SPLIT_SALT = 0xAB
"""Mixed into the seed of the split's own generator (``default_rng([seed, SPLIT_SALT])``)."""

SCOPED_LEVERS: dict[str, Callable[[Any, float, Any], None]] = {
    "checkout_friction": lambda c, v, scope: c.set_checkout_friction(v, scope=scope),
    "discount": lambda c, v, scope: c.set_discount(v, scope=scope),
    "list_price": lambda c, v, scope: c.set_list_price(v, scope=scope),
    "quality": lambda c, v, scope: c.set_quality(v, scope=scope),
    "cross_sell": lambda c, v, scope: c.set_cross_sell(v, scope=scope),
    "word_of_mouth": lambda c, v, scope: c.scale_word_of_mouth(v, scope=scope),
    "media_effect": lambda c, v, scope: c.add_exposure_modifier(v, scope=scope),
    "repurchase_rate": lambda c, v, scope: c.scale_traits({"repurchase_rate": v}, scope=scope),
    "churn_propensity": lambda c, v, scope: c.scale_traits({"churn_propensity": v}, scope=scope),
    "advocacy": lambda c, v, scope: c.scale_traits({"advocacy": v}, scope=scope),
}
"""Levers an A/B test can give one arm: each a lever-API operation with a customer scope.
Values: ``checkout_friction`` (probability), ``discount`` (share off), ``list_price`` and
``quality`` as the operations take them; ``cross_sell`` (basket uplift); the others multiply
(``word_of_mouth`` conversations, ``media_effect`` the effect of exposures, the traits)."""

SHARED_LEVERS = ("budget", "referral_reward", "support_staff", "fulfilment_capacity", "support_channel",
                 "self_service", "proactive_notifications")
"""Levers on resources the whole market shares: no customer split can test them."""


def check_lever(name: str | None) -> None:
    """Refuse a lever an A/B test cannot split by customer (a shared resource) or does not know."""
    if name is None or name in SCOPED_LEVERS:
        return
    if name in SHARED_LEVERS:
        raise ConfigError("lever", name, f"a lever with a customer scope ({', '.join(SCOPED_LEVERS)}): {name} "
                          "acts on a resource every customer shares, so a customer split cannot test it; "
                          "use a switchback test (alternate it on and off by period) or a geo test (split "
                          "markets, not customers)")
    raise unknown_name("lever", name, [*SCOPED_LEVERS, "(none: an A/A test)"])


@dataclass
class ArmLever(Lever):
    """Applies ``lever`` = ``value`` on day ``start`` to the treatment arm (or everyone), and keeps
    what the outcomes need: the arm of each customer and their orders and revenue at the start."""

    lever: str | None
    value: float
    start: int
    share: float
    seed: int
    arm: str  # "test": treat the treatment arm; "none": nobody; "all": everyone

    def before_day(self, model: JourneyModel, day: int) -> None:
        """On ``start``: split, snapshot, and pull the lever for the arm."""
        if day != self.start:
            return
        n = model.state.entered  # open population: people entered so far; later entrants are not in the test
        split = np.random.default_rng([self.seed, SPLIT_SALT]).random(n) < self.share
        self.rows = np.flatnonzero(model.state.present[:n])  # the test's customers: in the market at the start
        self.treated = split[self.rows]
        self.orders_before = model.state.purchases[self.rows].copy()
        self.revenue_before = model.lifetime.revenue[self.rows].copy()
        if self.lever is None or self.arm == "none":
            return
        scope = np.zeros(n, bool)
        scope[self.rows] = self.treated
        SCOPED_LEVERS[self.lever](model.controls, self.value, None if self.arm == "all" else scope)


def outcomes(model: JourneyModel, lever: ArmLever) -> dict[str, np.ndarray]:
    """Per customer present at the start: converted (0/1), revenue in the window (currency) and the
    NPS answer (+100, 0, -100; NaN for customers who never bought)."""
    from journeysim.sim.satisfaction import survey_category

    rows, s = lever.rows, model.state
    bought = s.purchases[rows] > 0
    answer = 100.0 * survey_category(s.satisfaction[rows], s.survey_bias[rows]).astype(np.float64)
    return {"conversion": (s.purchases[rows] > lever.orders_before).astype(np.float64),
            "revenue": model.lifetime.revenue[rows] - lever.revenue_before,
            "nps": np.where(bought, answer, np.nan)}


def _run(spec: RunSpec, lever: ArmLever) -> dict[str, np.ndarray]:
    from journeysim.runner import build_model

    model = build_model(spec)
    model.levers.append(lever)
    model.run()
    return outcomes(model, lever)


def welch(treated: np.ndarray, control: np.ndarray, level: float) -> dict[str, float]:
    """Difference of means (treated - control), Welch's standard error, t interval at ``level`` and
    two-sided p-value (NaN when an arm has fewer than two values)."""
    from scipy import stats

    if treated.size < 2 or control.size < 2:
        return {k: float("nan") for k in ("estimate", "se", "low", "high", "p_value", "df", "control_mean")}
    vt, vc = treated.var(ddof=1) / treated.size, control.var(ddof=1) / control.size
    se = float(np.sqrt(vt + vc))
    diff = float(treated.mean() - control.mean())
    df = (vt + vc) ** 2 / (vt ** 2 / (treated.size - 1) + vc ** 2 / (control.size - 1)) if se > 0 else np.inf
    q = float(stats.t.ppf(0.5 + level / 2, df))
    p = float(2 * stats.t.sf(abs(diff) / se, df)) if se > 0 else (1.0 if diff == 0 else 0.0)
    return {"estimate": diff, "se": se, "low": diff - q * se, "high": diff + q * se, "p_value": p, "df": float(df),
            "control_mean": float(control.mean())}


def power_and_mde(se: float, effect: float, alpha: float, power: float = 0.8) -> tuple[float, float]:
    """Power of a two-sided test at ``alpha`` to detect ``effect`` with standard error ``se``, and
    the minimum detectable effect at ``power`` (normal approximation)."""
    from scipy import stats

    if not se > 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(1 - alpha / 2)
    detect = stats.norm.cdf(abs(effect) / se - z) + stats.norm.cdf(-abs(effect) / se - z)
    return float(detect), float((z + stats.norm.ppf(power)) * se)


@dataclass(frozen=True)
class AbJob:
    """One A/B test, picklable: a spec (its seed), the lever and the design."""

    spec: Any
    lever: str | None
    value: float
    start: int
    share: float
    level: float
    response_rate: float
    metric: str

    def __call__(self) -> dict[str, Any]:
        """Run the test (:func:`run_ab_test`)."""
        return run_ab_test(self.spec, self.lever, self.value, self.start, self.share, self.level,
                           self.response_rate, self.metric)


def run_ab_test(spec: RunSpec, lever: str | None, value: float, start: int, share: float = 0.5,
                level: float = 0.95, response_rate: float = 0.3, metric: str = "conversion") -> dict[str, Any]:
    """One A/B test on ``spec`` (its seed and days: the window runs from ``start`` to ``spec.days``).

    Parameters
    ----------
    spec : RunSpec
        The market; ``spec.days - start`` is the test window (days).
    lever : str or None
        A key of :data:`SCOPED_LEVERS`; None runs an A/A test (both arms untreated).
    value : float
        The lever's value for the treatment arm.
    start : int
        Day index on which the split is made and the lever pulled (0 = day 1).
    share : float
        Share of customers in the treatment arm, 0..1 (exclusive).
    level : float
        Confidence level of the interval (``1 - level`` is the test's significance level).
    response_rate : float
        Share of each arm's buyers who answer the NPS survey.
    metric : str
        The metric the ship decision is made on (one of :data:`METRICS`).

    Returns
    -------
    dict
        Per metric ``<metric>_estimate``, ``_low``, ``_high``, ``_p_value``, ``_control_mean``,
        ``_true_treated`` (paired counterfactual of the treated arm), ``_true_rollout``,
        ``_power`` (at the true treated effect), ``_mde`` (80% power); ``treated``, ``control``
        (arm sizes), ``shipped`` and ``right`` (the decision on ``metric`` against the roll-out).
    """
    check_lever(lever)
    if not 0 < share < 1:
        raise ConfigError("share", share, "a share of customers in the treatment arm between 0 and 1 (exclusive)")
    if metric not in METRICS:
        raise unknown_name("metric", metric, METRICS)
    if not 0 <= start < spec.days:
        raise ConfigError("start", start, f"a day index from 0 to {spec.days - 1} (days - 1)")
    arms = {arm: ArmLever(lever, value, start, share, spec.seed, arm)
            for arm in (("test",) if lever is None else ("test", "none", "all"))}
    seen = {arm: _run(spec, arm_lever) for arm, arm_lever in arms.items()}
    treated = arms["test"].treated
    survey = np.random.default_rng([spec.seed, SPLIT_SALT, 1]).random(treated.size) < response_rate
    out: dict[str, Any] = {"seed": spec.seed, "treated": int(treated.sum()), "control": int((~treated).sum())}
    alpha = 1 - level
    for name in METRICS:
        y = seen["test"][name]
        asked = survey if name == "nps" else np.ones(treated.size, bool)
        t, c = y[treated & asked], y[~treated & asked]
        estimate = welch(t[np.isfinite(t)], c[np.isfinite(c)], level)
        if lever is None:
            true_treated = true_rollout = 0.0
        else:
            true_treated = _paired(y, seen["none"][name], treated)
            true_rollout = _paired(seen["all"][name], seen["none"][name], np.ones(treated.size, bool))
        power, mde = power_and_mde(estimate["se"], true_treated, alpha)
        out.update({f"{name}_{k}": v for k, v in estimate.items() if k not in ("df",)})
        out.update({f"{name}_true_treated": true_treated, f"{name}_true_rollout": true_rollout,
                    f"{name}_power": power, f"{name}_mde": mde})
    shipped = bool(out[f"{metric}_p_value"] < alpha and out[f"{metric}_estimate"] > 0)
    out["shipped"] = shipped
    out["right"] = shipped == bool(out[f"{metric}_true_rollout"] > 0)
    return out


def _paired(y: np.ndarray, y0: np.ndarray, rows: np.ndarray) -> float:
    """Mean effect over ``rows``: ``y - y0`` where both are defined (NPS: the buyers' mean
    answer in each run, so customers who buy only with the lever count too)."""
    a, b = y[rows], y0[rows]
    if np.isnan(a).any() or np.isnan(b).any():
        return float(np.nanmean(a) - np.nanmean(b))
    return float((a - b).mean())


def ab_tests(spec: RunSpec, lever: str | None, value: float, start: int, tests: int = 1, share: float = 0.5,
             level: float = 0.95, response_rate: float = 0.3, metric: str = "conversion",
             seeds: Sequence[int] | None = None, workers: int = 1) -> list[dict[str, Any]]:
    """``tests`` A/B tests of one design, each its own seed (``spec.seed``, ``spec.seed + 1``, ...
    unless ``seeds`` are given), on the current executor (:func:`journeysim.experiments.runner.run_many`)."""
    from journeysim.experiments.runner import run_many

    check_lever(lever)
    seeds = list(seeds) if seeds is not None else [spec.seed + k for k in range(tests)]
    jobs = [AbJob(replace(spec, seed=s), lever, value, start, share, level, response_rate, metric) for s in seeds]
    return run_many([partial(job) for job in jobs], workers).values()


def ab_test(overrides: Sequence[str] = (), lever: str | None = None, value: float | None = None, start: int = 60,
           window: int = 28, share: float = 0.5, metric: str = "conversion", level: float = 0.95,
           response_rate: float = 0.3, tests: int = 1, jobs: int = 1, scenario: str | None = None) -> AbResult:
    """A/B tests of one design on a composed config (the API of ``journey-ab``; ``journeysim.ab_test``).

    >>> from journeysim import ab_test
    >>> result = ab_test(["population.size=20000"], lever="checkout_friction", value=0.15)
    >>> print(result.report())

    Parameters
    ----------
    overrides : sequence of str
        Config overrides (``population.size=20000``); ``days`` is set to ``start + window``.
    lever, value : str and float, optional
        The treatment (:data:`~journeysim.experiments.ab.method.SCOPED_LEVERS`); no lever: A/A tests.
    start, window : int
        Day index the test starts and its length in days.
    share, metric, level, response_rate : see :func:`journeysim.experiments.ab.method.run_ab_test`.
    tests : int
        Tests of the design, each its own seed (the config's seed, then the next ones).
    jobs : int
        Parallel processes.
    scenario : str, optional
        A scenario of ``conf/scenario``.

    Raises
    ------
    ConfigError
        For a shared-resource lever (a switchback or geo test is suggested), an unknown lever,
        a lever without a value, or a bad design value.
    """
    import pandas as pd
    from omegaconf import OmegaConf

    from journeysim.api import compose_config
    from journeysim.experiments.ab.result import AbResult
    from journeysim.experiments.runner import QUIET_OUTPUTS
    from journeysim.scenarios.spec import parse_config

    check_lever(lever)
    if lever is not None and value is None:
        raise ConfigError("value", None, f"a number: the value of {lever} for the treatment arm (--value)")
    if start < 0 or window < 1:
        raise ConfigError("window" if window < 1 else "start", window if window < 1 else start,
                          "a window of at least 1 day starting on a day index of at least 0")
    if tests < 1:
        raise ConfigError("tests", tests, "a number of tests of at least 1")
    if not 0 < level < 1:
        raise ConfigError("level", level, "a confidence level between 0 and 1")
    parse_config(compose_config(scenario, list(overrides)))  # as the user wrote it: a bad days or outputs.*
    # value is refused, though the test sets days to start + window and its runs write nothing
    cfg = compose_config(scenario, [*overrides, f"days={start + window}"])
    spec = parse_config(OmegaConf.merge(cfg, {"outputs": QUIET_OUTPUTS}))
    started = time.perf_counter()
    rows = ab_tests(spec, lever, value or 0.0, start, tests, share, level, response_rate, metric, workers=jobs)
    meta: dict[str, Any] = {"scenario": spec.scenario, "lever": lever, "value": value, "start": start,
                            "window": window, "share": share, "metric": metric, "level": level,
                            "response_rate": response_rate, "customers": spec.population.size,
                            "seeds": [r["seed"] for r in rows], "wall_seconds": round(time.perf_counter() - started, 2)}
    return AbResult(pd.DataFrame(rows), meta)
